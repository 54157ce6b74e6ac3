"""The job queue: delivery jobs through huey's SQLite queue and a real Redis (skipped where
none runs), and embedding spread over shards that never overlap."""

from datetime import datetime

import pytest

from papertide.jobs import Jobs
from papertide.services import open_services
from tests.helpers import FIXTURES, add_reader, load, mail_settings


def test_delivery_jobs_round_trip_through_the_queue(settings, smtp_server, queue_url,
                                                   demo_snapshot):
    settings = mail_settings(settings, smtp_server, queue_url=queue_url)
    services = demo_snapshot.restore(open_services(settings))
    for i in range(3):
        add_reader(services, f"queued{i}@example.org")
    jobs = Jobs(services)
    jobs.huey.flush()
    assert jobs.enqueue_due(datetime(2026, 11, 24, 7, 30)) == 3
    assert jobs.huey.pending_count() == 3
    while (task := jobs.huey.dequeue()) is not None:
        jobs.huey.execute(task)
    assert sorted(m["To"] for m in smtp_server.recorder.messages) == [
        f"queued{i}@example.org" for i in range(3)
    ]
    # A duplicate job (a retry, a second scheduler tick) finds the log and sends nothing.
    jobs.deliver_digest(1, "2026-11-24")
    while (task := jobs.huey.dequeue()) is not None:
        jobs.huey.execute(task)
    assert len(smtp_server.recorder.messages) == 3
    jobs.huey.flush()


@pytest.mark.slow
def test_embedding_shards_split_the_work_without_overlap(services):
    pytest.importorskip("onnxruntime")
    load(services, FIXTURES / "arxiv-sample-40.jsonl")
    semantic = services.search.semantic
    done = [semantic.embed_pending(shard=s, shards=3) for s in range(3)]
    assert sum(done) == 40 and all(d >= 5 for d in done)
    assert semantic.store.count() == 40 and semantic.embed_pending() == 0


def test_serve_runs_an_embedded_consumer_that_delivers_queued_digests(settings, demo_snapshot):
    from tests.helpers import LiveServer, eventually

    settings = mail_settings(settings, None)  # no relay: mail goes to the outbox
    services = demo_snapshot.restore(open_services(settings))
    reader = add_reader(services, "embedded@example.org")
    with LiveServer(settings, embedded_worker=True):
        Jobs(services).deliver_digest(reader.id, "2026-11-24")  # queued in the SQLite queue
        eventually(lambda: list(settings.outbox_dir.glob("*.eml")), "the digest was delivered")
    mails = list(settings.outbox_dir.glob("*.eml"))
    assert len(mails) == 1 and b"To: embedded@example.org" in mails[0].read_bytes()


def test_queued_deliveries_share_one_edition_and_lose_no_paper(mail_services):
    """Jobs deliver one reader each and share a composer for a few minutes (one trending
    list, one search per topic): a paper that arrives meanwhile is in the reader's next
    edition, not in neither."""
    from datetime import timedelta

    from papertide.catalog import Paper

    digests = mail_services.digests
    digests.settings = digests.settings.model_copy(update={"skip_empty_digest": False})
    first = add_reader(mail_services, "first@example.org", "zebrafish regeneration")
    second = add_reader(mail_services, "second@example.org", "zebrafish regeneration")
    assert digests.deliver(first.id) == "sent"  # as a queued job calls it
    mail_services.catalog.upsert([Paper(title="Zebrafish fin regeneration at scale",
                                        abstract="Zebrafish regeneration, measured.")])
    mail_services.search.catch_up()
    assert digests.deliver(second.id) == "sent"  # the same edition as the first reader's
    assert all("Zebrafish fin" not in m.get_body(("plain",)).get_content()
               for m in mail_services.smtp.recorder.messages)
    later = mail_services.readers.store.get(second.id).last_sent_at + timedelta(days=1)
    assert digests.deliver(second.id, later.date().isoformat(), now=later) == "sent"
    latest = mail_services.smtp.recorder.to("second@example.org")[-1]
    assert "Zebrafish fin regeneration at scale" in latest.get_body(("plain",)).get_content()
