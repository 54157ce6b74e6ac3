"""The daily view: one announcement day's papers, trending first, by category, with the
days before and after."""

from datetime import date

from papertide.catalog import Paper, Signal
from papertide.catalog.arxiv_taxonomy import in_category
from papertide.daily import day_listing

DAY = date(2025, 3, 18)


def fill(catalog):
    catalog.upsert([
        Paper(title="Quiet LG", arxiv_id="2503.00001", categories=["cs.LG"], announced=DAY,
              rank_hint=None),
        Paper(title="Upvoted CL", arxiv_id="2503.00002", categories=["cs.CL", "cs.LG"],
              announced=DAY),
        Paper(title="Voted stat", arxiv_id="2503.00003", categories=["stat.ML"], announced=DAY),
        Paper(title="Day before", arxiv_id="2503.00004", categories=["cs.LG"],
              announced=date(2025, 3, 17)),
        Paper(title="Next week", arxiv_id="2503.00005", categories=["cs.AI"],
              announced=date(2025, 3, 24)),
        Paper(title="From a file"),
    ], [[], [Signal("hf-daily", "upvotes", 5)], [], [], [], []])
    catalog.record_event("2503.00003", "vote", "a")


def test_a_day_lists_its_papers_trending_first_with_its_neighbours(services):
    fill(services.catalog)
    page = day_listing(services.catalog, DAY)
    assert [p.title for p, _ in page.items] == ["Upvoted CL", "Voted stat", "Quiet LG"]
    assert (page.total, page.previous, page.next) == (3, date(2025, 3, 17), date(2025, 3, 24))
    assert page.items[0][1] > page.items[1][1] > page.items[2][1] == 0


def test_the_category_filter_keeps_cross_lists_and_whole_archives(services):
    fill(services.catalog)
    assert [p.title for p, _ in day_listing(services.catalog, DAY, "cs.LG").items] == [
        "Upvoted CL", "Quiet LG"]
    assert [p.title for p, _ in day_listing(services.catalog, DAY, "stat").items] == [
        "Voted stat"]
    assert day_listing(services.catalog, DAY, "hep-th").total == 0


def test_without_a_day_the_latest_announcement_is_shown_and_pages_follow(services):
    fill(services.catalog)
    assert day_listing(services.catalog, None).day == date(2025, 3, 24)
    first = day_listing(services.catalog, DAY, limit=2)
    rest = day_listing(services.catalog, DAY, limit=2, offset=2)
    assert first.has_more and not rest.has_more
    assert [p.title for p, _ in first.items + rest.items] == [
        "Upvoted CL", "Voted stat", "Quiet LG"]


def test_an_empty_catalog_has_no_day(services):
    page = day_listing(services.catalog, None)
    assert (page.day, page.items, page.total) == (None, [], 0)


def test_category_matching():
    assert in_category(["cs.CL", "cs.LG"], "cs.lg") and in_category(["cs.CL"], "cs")
    assert not in_category(["cs.CL"], "c") and not in_category(["stat.ML"], "cs")
