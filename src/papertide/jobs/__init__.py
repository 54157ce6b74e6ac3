"""Background work on huey: the digest schedule, digest deliveries, embedding, the daily
pull of the live sources, and the mails that the web app's visitors ask for
(confirmations, sign-in links).

    jobs = Jobs(services)            # registers the tasks on this process's queue
    jobs.enqueue_embedding(shards=4) # four workers embed disjoint slices in parallel
    jobs.pull_due()                  # what the hourly `pull_sources` task runs
    jobs.sign_in_mail("ada@example.org")   # the web app answers, a worker sends
    jobs.consumer(workers=2).run()   # what `papertide worker` runs

The live sources (`PAPERTIDE_SOURCES`) are pulled once per arXiv announcement: a periodic
task runs every hour at half past, and once the latest announcement (20:00 US Eastern) is
`intake.ANNOUNCEMENT_MARGIN` old, pulls each source not yet pulled for that listing day,
under the source's claim in the database (so two workers never pull one source at once,
and a second run the same day pulls nothing). The keyword index is fed as pages commit;
the new papers are then embedded by queued jobs, as after `papertide ingest`.

The queue is a SQLite file in the data dir by default and Redis with `PAPERTIDE_QUEUE_URL`
(many workers on many machines). Every task is idempotent: a delivery checks the log
first, embedding skips papers that already have a vector, so a task that runs twice —
a retry, a duplicate enqueue — changes nothing the second time.
"""

from papertide.jobs._jobs import EMBED_SHARDS, Jobs, make_huey

__all__ = ["EMBED_SHARDS", "Jobs", "make_huey"]
