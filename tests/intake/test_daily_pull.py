"""The daily pull: after arXiv's announcement (20:00 US Eastern) plus a margin, each source
of PAPERTIDE_SOURCES is pulled once for that listing day, under its claim; a second run
the same day pulls nothing, a source held by another process is skipped, a failed pull
is tried again, and the new papers' embedding is queued."""

from datetime import date, datetime

import pytest

from papertide.intake import due_day
from papertide.jobs import Jobs
from papertide.services import open_services
from papertide.sources import claims, fetched_per_day, run_history
from tests.sources.conftest import HF, Reply, live_settings, oai_handler

HF_BODY = (HF / "daily_papers_2024-10-25_first3.json").read_bytes()


@pytest.mark.parametrize("now,day", [
    (datetime(2025, 3, 18, 0, 30), date(2025, 3, 17)),  # Monday 20:30 EDT: within the margin
    (datetime(2025, 3, 18, 1, 30), date(2025, 3, 18)),  # Monday 21:30 EDT: Tuesday's listing
    (datetime(2025, 3, 22, 12, 0), date(2025, 3, 21)),  # Saturday: Thursday evening, Friday listing
    (datetime(2025, 1, 7, 1, 30), date(2025, 1, 6)),    # 20:30 EST (winter): not yet
    (datetime(2025, 1, 7, 2, 30), date(2025, 1, 7)),
])
def test_the_day_a_pull_covers_follows_the_announcement_calendar(now, day):
    assert due_day(now) == day


@pytest.fixture
def sourced(settings, server, queue_url):
    server.route("/oai", oai_handler())
    server.route("/api/daily_papers",
                 lambda p: Reply(body=HF_BODY, content_type="application/json"))
    return open_services(live_settings(
        settings, server, sources="arxiv-oai:cs.LG,format=oai_dc hf-daily",
        embed_on_ingest=True, queue_url=queue_url))


def _queued(jobs):
    return sorted((t.name, t.args) for t in jobs.huey.pending())


def test_the_scheduled_pull_runs_once_per_announcement_and_queues_embedding(sourced, server):
    jobs = Jobs(sourced, immediate=False)
    now = datetime(2025, 3, 18, 1, 30)
    changed = jobs.pull_due(now)
    assert changed == sourced.catalog.count() > 0
    embedding = [("embed_papers", (shard, 4)) for shard in range(4)]
    assert _queued(jobs) == embedding  # four jobs over disjoint slices, for the workers
    runs = run_history(sourced.catalog.engine)
    assert sorted(r.spec for r in runs) == ["arxiv-oai:cs.LG,format=oai_dc", "hf-daily"]
    assert claims.get(sourced.catalog.engine, "hf-daily").done_for == date(2025, 3, 18)
    # The keyword index was fed as the pages committed.
    assert sourced.search.search("contrastive loss batch size", mode="keyword").hits
    requests = len(server.requests)
    assert jobs.pull_due(datetime(2025, 3, 18, 2, 30)) == 0  # the same day again: nothing
    assert len(server.requests) == requests and len(run_history(sourced.catalog.engine)) == 2
    assert _queued(jobs) == embedding


def test_a_source_another_process_holds_is_skipped_and_a_failed_pull_is_retried(sourced,
                                                                                server):
    engine = sourced.catalog.engine
    assert claims.claim(engine, "hf-daily", "worker on another machine")
    server.script("/oai", *[Reply(404, b"gone", content_type="text/plain")])
    day = date(2025, 3, 18)
    oai, hf = sourced.intake.pull(scheduled_for=day)
    assert oai.run.status == "failed" and claims.get(engine, oai.spec).done_for is None
    assert hf.run is None and "being fetched by worker on another machine" in hf.skipped
    again = sourced.intake.pull(scheduled_for=day)  # the next hour: the OAI harvest is retried
    assert again[0].run.status == "ok" and again[0].run.added > 0
    assert claims.get(engine, again[0].spec).done_for == day
    per_day = fetched_per_day(engine, days=1)
    assert [(c.source, c.runs, c.failed) for c in per_day] == [("arxiv-oai", 2, 1)]
    assert per_day[0].added == again[0].run.added


def test_without_sources_the_job_does_nothing(services):
    assert Jobs(services).pull_due(datetime(2025, 3, 18, 1, 30)) == 0
