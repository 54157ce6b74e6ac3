"""Upsert and de-duplication, on SQLite and on the real PostgreSQL."""

import pytest
from sqlalchemy.exc import IntegrityError

from papertide.catalog import Catalog, Paper
from papertide.db import connect


@pytest.fixture
def catalog(database_url) -> Catalog:
    return Catalog(connect(database_url))


def paper(**kw) -> Paper:
    base = dict(title="Attention Is All You Need", abstract="Transformers.", authors=["A. Vaswani"],
                sources=["test"])
    return Paper(**{**base, **kw})


def test_same_records_twice_change_nothing(catalog):
    records = [paper(arxiv_id="1706.03762"), paper(title="Other", arxiv_id="1706.00001")]
    first = catalog.upsert(records)
    again = catalog.upsert(records)
    assert (first.added, first.updated) == (2, 0)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert again.seq is None  # nothing changed, so the index has nothing to catch up


def test_same_arxiv_id_any_version_is_one_paper_and_new_versions_update(catalog):
    catalog.upsert([paper(arxiv_id="arXiv:1706.03762v1")])
    result = catalog.upsert([paper(arxiv_id="1706.03762v5", abstract="Transformers, revised.")])
    assert (result.added, result.updated) == (0, 1)
    stored = catalog.get("1706.03762")
    assert stored.abstract == "Transformers, revised." and stored.version == 5
    # An older version arriving later does not roll the text back.
    catalog.upsert([paper(arxiv_id="1706.03762v2", abstract="Old text")])
    assert catalog.get("1706.03762v2").abstract == "Transformers, revised."


def test_same_doi_or_normalised_title_is_the_same_paper(catalog):
    catalog.upsert([paper(doi="https://doi.org/10.5555/ABC")])
    catalog.upsert(
        [paper(title="attention is all you need!", doi="doi:10.5555/abc", abstract="New.")]
    )
    catalog.upsert([paper(title="ATTENTION  is all—you need", abstract="Newer.")])
    assert catalog.stats()["papers"] == 1
    assert catalog.get("10.5555/abc").abstract == "Newer."


def test_same_title_with_different_arxiv_ids_are_two_papers(catalog):
    catalog.upsert([paper(title="Introduction", arxiv_id="2401.00001")])
    catalog.upsert([paper(title="Introduction", arxiv_id="2401.00002")])
    assert catalog.stats()["papers"] == 2


def test_reingest_keeps_counters_and_empty_fields_do_not_erase(catalog):
    catalog.upsert([paper(arxiv_id="1706.03762", categories=["cs.CL"])])
    assert catalog.record_event("1706.03762", "vote", "reader-1")
    catalog.upsert([paper(arxiv_id="1706.03762", categories=[], authors=[], abstract="Changed.")])
    stored = catalog.get("1706.03762")
    assert stored.votes == 1 and stored.categories == ["cs.CL"] and stored.authors == ["A. Vaswani"]
    assert stored.abstract == "Changed."


def test_duplicates_inside_one_batch_are_merged(catalog):
    result = catalog.upsert(
        [paper(arxiv_id="1706.03762"), paper(arxiv_id="1706.03762v2", abstract="v2")]
    )
    assert result.added == 1
    assert catalog.get("1706.03762").abstract == "v2"


def test_votes_count_once_per_actor_and_views_once_per_day(catalog):
    catalog.upsert([paper(arxiv_id="1706.03762")])
    assert catalog.record_event("1706.03762", "vote", "a")
    assert not catalog.record_event("1706.03762", "vote", "a")
    assert catalog.record_event("1706.03762", "vote", "b")
    assert catalog.record_event("1706.03762", "view", "a", "2026-01-01")
    assert not catalog.record_event("1706.03762", "view", "a", "2026-01-01")
    assert catalog.record_event("1706.03762", "view", "a", "2026-01-02")
    stored = catalog.get("1706.03762")
    assert (stored.votes, stored.views) == (2, 2)
    assert catalog.remove_event("1706.03762", "vote", "a")
    assert catalog.get("1706.03762").votes == 1


def test_a_failing_batch_leaves_nothing_behind(catalog):
    catalog.upsert([paper(arxiv_id="1706.03762")])
    # The second record breaks a NOT NULL constraint inside the transaction.
    bad = [
        paper(title="Fine", arxiv_id="2401.00009"),
        paper(title="Broken", abstract=None, arxiv_id="2401.00010"),
    ]
    with pytest.raises(IntegrityError):
        catalog.upsert(bad)
    assert catalog.get("2401.00009") is None
    assert catalog.stats()["papers"] == 1


def test_newest_leaves_out_more_papers_than_a_statement_can_bind(catalog):
    # The trending fill excludes every scored paper: tens of thousands on a busy instance.
    catalog.upsert([paper(title=f"Paper {i}", arxiv_id=f"2401.{i:05d}") for i in range(30)])
    everything = [p.id for p in catalog.newest(limit=30)]
    excluded = set(everything[::3]) | {f"gone-{i}" for i in range(70_000)}
    kept = [pid for pid in everything if pid not in excluded]
    assert [p.id for p in catalog.newest(limit=30, exclude=excluded)] == kept
    assert [p.id for p in catalog.newest(limit=5, offset=3, exclude=excluded)] == kept[3:8]
