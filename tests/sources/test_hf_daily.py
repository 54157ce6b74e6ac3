"""Hugging Face daily papers: the recorded 2024 response and a current-schema one with the
optional fields, upvotes and GitHub stars as signals, empty days, broken answers."""

import json
from datetime import date, datetime, timedelta

from papertide.catalog import utcnow
from papertide.sources import fetch
from papertide.sources.hf_daily import MAX_DAYS_BACK, parse_daily
from tests.sources.conftest import HF, Reply

RECORDED_2024 = (HF / "daily_papers_2024-10-25_first3.json").read_bytes()
CURRENT = (HF / "daily_papers_2025-01-23_current_schema.json").read_bytes()
DAY = date(2024, 10, 25)


def serve(server, body: bytes, content_type: str = "application/json") -> None:
    server.route("/api/daily_papers", lambda p: Reply(body=body, content_type=content_type))


def values(signals) -> dict[str, float]:
    return {s.name: s.value for s in signals}


def test_the_recorded_2024_list_gives_papers_and_their_upvotes(server, live, client):
    serve(server, RECORDED_2024)
    run = fetch(live.catalog, "hf-daily", live.settings, client=client, since=DAY, until=DAY)
    assert server.requests_to("/api/daily_papers") == [{"date": "2024-10-25"}]
    assert (run.status, run.added, run.pages, run.rejected) == ("ok", 3, 1, 0)
    paper = live.catalog.get("2410.17243")
    assert (
        paper.title
        == "Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss"
    )
    assert paper.authors[:2] == ["Zesen Cheng", "Hang Zhang"] and len(paper.authors) == 9
    assert (
        paper.abstract.startswith("Contrastive loss is a powerful approach")
        and "\n" not in paper.abstract
    )
    assert paper.published == datetime(2024, 10, 22, 17, 59, 30)
    assert paper.announced == DAY  # the day the daily list showed it
    assert paper.url_code is None and paper.sources == ["hf-daily"]
    assert values(live.catalog.signals(["2410.17243"])["2410.17243"]) == {"upvotes": 64,
                                                                           "comments": 3}


def test_the_current_schema_adds_code_links_and_stars_and_needs_none_of_its_extras(
    server, live, client
):
    serve(server, CURRENT)
    run = fetch(live.catalog, "hf-daily", live.settings, client=client,
                since=date(2025, 1, 23), until=date(2025, 1, 23))
    assert (run.added, run.rejected) == (3, 0)
    r1 = live.catalog.get("2501.12948")
    assert (
        r1.title
        == "DeepSeek-R1: Incentivizing Reasoning Capability in LLMs via Reinforcement Learning"
    )
    assert r1.url_code == "https://github.com/deepseek-ai/DeepSeek-R1"
    signals = live.catalog.signals(["2501.12948", "2501.12599", "2501.12909"])
    assert values(signals["2501.12948"]) == {"upvotes": 312, "github_stars": 90412,
                                          "comments": 12}
    assert values(signals["2501.12599"]) == {"upvotes": 97, "comments": 3}  # no stars
    assert values(signals["2501.12909"]) == {"upvotes": 41, "comments": 0}  # no extras
    assert live.catalog.get("2501.12909").url_code is None


def test_without_a_requested_day_the_listing_day_comes_from_the_item():
    papers, _, _ = parse_daily(CURRENT, "the-url")
    assert [p.announced for p in papers] == [
        date(2025, 1, 23)
    ] * 3  # submittedOnDailyAt, else publishedAt
    papers, _, _ = parse_daily(RECORDED_2024, "the-url")
    assert {p.announced for p in papers} == {DAY}


def test_upvotes_are_refreshed_by_a_later_run_and_the_paper_stays_unchanged(server, live, client):
    serve(server, RECORDED_2024)
    fetch(live.catalog, "hf-daily", live.settings, client=client, since=DAY, until=DAY)
    items = json.loads(RECORDED_2024)
    items[0]["paper"]["upvotes"] = 80
    serve(server, json.dumps(items).encode())
    run = fetch(live.catalog, "hf-daily", live.settings, client=client, since=DAY, until=DAY)
    assert (run.added, run.updated, run.unchanged) == (0, 0, 3)
    assert values(live.catalog.signals(["2410.17243"])["2410.17243"]) == {"upvotes": 80,
                                                                           "comments": 3}


def test_a_run_reads_each_day_since_the_last_one_and_an_empty_day_is_fine(server, live, client):
    serve(server, b"[]")
    run = fetch(live.catalog, "hf-daily", live.settings, client=client,
                since=date(2024, 10, 26), until=date(2024, 10, 27))  # a weekend
    assert [p["date"] for p in server.requests_to("/api/daily_papers")] == [
        "2024-10-26",
        "2024-10-27",
    ]
    assert (run.status, run.added, run.pages) == ("ok", 0, 2)
    assert "no daily papers listed on 2024-10-26" in run.detail["notes"]
    server.requests.clear()
    fetch(live.catalog, "hf-daily", live.settings, client=client)
    # From the last day read (again), but never more than a week back, up to today.
    today = utcnow().date()
    start = max(date(2024, 10, 27), today - timedelta(days=MAX_DAYS_BACK))
    assert [p["date"] for p in server.requests_to("/api/daily_papers")] == \
        [(start + timedelta(days=n)).isoformat() for n in range((today - start).days + 1)]


def test_bad_items_are_rejected_with_reasons_and_the_rest_go_in(server, live, client):
    items = json.loads(RECORDED_2024)
    items += [{"title": "no paper object"},
              {"paper": {"id": "not-an-id", "title": "T"}},
              {"paper": {"id": "2410.00001", "title": "T", "upvotes": -3}},
              {"paper": {"id": "2410.00002"}}]
    serve(server, json.dumps(items).encode())
    run = fetch(live.catalog, "hf-daily", live.settings, client=client, since=DAY, until=DAY)
    assert (run.status, run.added, run.rejected) == ("ok", 3, 4)
    reasons = " | ".join(run.detail["rejections"])
    for reason in (
        "expected an object with a `paper`",
        "not an arXiv id",
        "upvotes must be a count",
        "missing title",
    ):
        assert reason in reasons


def test_broken_answers_fail_the_run_and_change_nothing(server, live, client):
    for body, content_type, message in [
        (RECORDED_2024[:5000], "application/json", "malformed JSON"),
        (
            b"<!DOCTYPE html><html><title>502 Bad Gateway</title></html>",
            "text/html",
            "expected JSON, got an HTML page ('502 Bad Gateway')",
        ),
        (
            b'{"error": "Invalid date"}',
            "application/json",
            "expected a JSON array of daily papers, got dict",
        ),
    ]:
        serve(server, body, content_type)
        run = fetch(live.catalog, "hf-daily", live.settings, client=client, since=DAY, until=DAY)
        assert run.status == "failed" and message in run.errors[0]
    assert live.catalog.count() == 0
