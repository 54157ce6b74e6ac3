"""External signals (Hugging Face upvotes, GitHub stars): stored with the papers in one
transaction, the latest observation winning, on SQLite and on the real PostgreSQL."""

import pytest

from papertide.catalog import Catalog, Paper, Signal
from papertide.db import connect


@pytest.fixture
def catalog(database_url):
    return Catalog(connect(database_url))


def test_signals_are_stored_under_the_paper_and_the_latest_value_wins(catalog):
    paper = Paper(title="Breaking the Memory Barrier", arxiv_id="2410.17243", sources=["hf-daily"])
    catalog.upsert([paper], signals=[[Signal("hf-daily", "upvotes", 12)]])
    again = Paper(
        title="Breaking the Memory Barrier", arxiv_id="arXiv:2410.17243", sources=["hf-daily"]
    )
    result = catalog.upsert([again], signals=[[Signal("hf-daily", "upvotes", 64),
                                               Signal("hf-daily", "github_stars", 310)]])
    assert result.unchanged == 1  # the record did not change; its signals did
    (stars, upvotes) = sorted(catalog.signals(["2410.17243"])["2410.17243"], key=lambda s: s.name)
    assert (stars.name, stars.value) == ("github_stars", 310)
    assert (upvotes.name, upvotes.value, upvotes.source) == ("upvotes", 64, "hf-daily")
    assert upvotes.observed_at is not None


def test_signals_follow_a_record_to_the_paper_it_matched_and_duplicates_keep_the_last(catalog):
    catalog.upsert([Paper(title="Attention Is All You Need", doi="10.5555/abc")])
    catalog.upsert(
        [Paper(title="attention is all you need", sources=["hf-daily"]),
         Paper(title="Attention is all you need!", sources=["hf-daily"])],
        signals=[[Signal("hf-daily", "upvotes", 1)], [Signal("hf-daily", "upvotes", 2)]])
    assert {
        pid: [s.value for s in sigs]
        for pid, sigs in catalog.signals(["doi:10.5555/abc", "nope"]).items()
    } == {"doi:10.5555/abc": [2]}
