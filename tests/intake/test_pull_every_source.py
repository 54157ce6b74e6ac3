"""Pulling every source of PAPERTIDE_SOURCES from a local server playing the recorded
responses: the catalog fills, the keyword index follows, each run is recorded, one
failing source does not stop the others, and a second round adds nothing."""

from datetime import date

from papertide.search import Filters
from papertide.services import open_services
from papertide.sources import run_history
from tests.sources.conftest import HF, Reply, live_settings, oai_handler


def test_pulling_every_source_fills_the_catalog_and_a_second_round_adds_nothing(settings, server,
                                                                               client):
    server.route("/oai", oai_handler())
    server.route(
        "/api/daily_papers",
        lambda p: Reply(
            body=(HF / "daily_papers_2024-10-25_first3.json").read_bytes(),
            content_type="application/json",
        ),
    )
    services = open_services(
        live_settings(settings, server, sources="arxiv-oai:cs.LG,stat.ML,format=oai_dc hf-daily")
    )
    first = [o.run for o in services.intake.pull(client=client)]
    assert [(r.spec, r.status) for r in first] == [
        ("arxiv-oai:cs.LG,stat.ML,format=oai_dc", "ok"), ("hf-daily", "ok")]
    oai_run, hf_run = first
    # cs.LG and stat.ML come from two OAI sets (cs, stat): two harvests of three pages.
    assert oai_run.pages == 6 and oai_run.added > 0 and hf_run.added == 3
    assert services.catalog.count() == oai_run.added + hf_run.added
    # The keyword index was fed as pages committed.
    hits = services.search.search("soft actor-critic converges", Filters(), mode="keyword").hits
    assert hits[0].paper.arxiv_id == "2303.01240"
    assert services.catalog.get("2303.01240").announced == date(2023, 3, 2)

    second = [o.run for o in services.intake.pull(client=client)]
    assert [(r.status, r.added, r.updated) for r in second] == [("ok", 0, 0), ("ok", 0, 0)]
    assert [r.spec for r in run_history(services.catalog.engine)] == [
        "hf-daily", "arxiv-oai:cs.LG,stat.ML,format=oai_dc"] * 2


def test_one_failing_source_does_not_stop_the_others(settings, server, client):
    server.route("/oai", lambda p: Reply(503, b"down", content_type="text/plain"))
    server.route(
        "/api/daily_papers",
        lambda p: Reply(
            body=(HF / "daily_papers_2024-10-25_first3.json").read_bytes(),
            content_type="application/json",
        ),
    )
    services = open_services(live_settings(settings, server, sources="arxiv-oai:cs.LG hf-daily"))
    oai_run, hf_run = [o.run for o in services.intake.pull(client=client)]
    assert oai_run.status == "failed" and "HTTP 503 (gave up after 3 attempts)" in oai_run.errors[0]
    assert (hf_run.status, hf_run.added) == ("ok", 3)
    assert [r.status for r in run_history(services.catalog.engine, source="arxiv-oai")] == [
        "failed"
    ]


def test_nothing_configured_pulls_nothing(live):
    assert live.intake.pull() == []
