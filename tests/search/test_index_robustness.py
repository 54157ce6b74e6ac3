"""Catching the derived indexes up never stops at one paper: a paper an index cannot take
is logged with its id, skipped, listed in that index's state (this machine's), and the
papers after it go in; once a later version of it can be taken, it leaves the list."""

import logging
from datetime import datetime

import numpy as np
import pytest
from sqlalchemy import update

from papertide.catalog import Paper, UpsertResult
from papertide.db.tables import papers


def _store_year_one(services, paper_id):
    """What the code before the catalog's checks let in (the door refuses it now)."""
    with services.catalog.engine.begin() as conn:
        conn.execute(update(papers).where(papers.c.id == paper_id)
                     .values(published=datetime(1, 1, 1), seq=services.catalog.max_seq() + 1))


def test_a_paper_the_keyword_index_cannot_take_is_skipped_and_holds_nothing_up(services, caplog):
    catalog, search = services.catalog, services.search
    catalog.upsert([Paper(title="Old row with a bad date", arxiv_id="2401.00001")])
    search.catch_up()
    _store_year_one(services, "2401.00001")
    catalog.upsert([Paper(title="Later paper about quasars", arxiv_id="2401.00002")])
    with caplog.at_level(logging.ERROR, "papertide.search._keyword"):
        search.catch_up()
    assert "2401.00001" in caplog.text
    assert [h.paper.id for h in search.search("quasars", mode="keyword").hits] == ["2401.00002"]
    assert search.keyword.indexed_seq == catalog.max_seq()
    assert list(search.skipped()["keyword"]) == ["2401.00001"]
    assert "out of range" in search.skipped()["keyword"]["2401.00001"]
    # A later version that the index can take clears it.
    catalog.upsert([Paper(title="Old row, dated again", arxiv_id="2401.00001",
                          published=datetime(2024, 1, 2))])
    search.catch_up()
    assert search.skipped()["keyword"] == {}
    assert search.keyword.num_docs() == 2


def test_a_rebuild_skips_what_it_cannot_take_and_indexes_the_rest(services):
    services.catalog.upsert([Paper(title=f"Paper {i}", arxiv_id=f"2401.0000{i}")
                             for i in range(5)])
    _store_year_one(services, "2401.00003")
    assert services.search.rebuild()["keyword"] == 4
    assert list(services.search.skipped()["keyword"]) == ["2401.00003"]


def test_feeding_an_ingest_skips_a_paper_the_index_cannot_take(services):
    good = Paper(title="Fed fine", id="a")
    bad = Paper(title="Fed with year one", id="b", published=datetime(1, 1, 1))
    with services.search.keyword.feeding() as feed:
        feed(UpsertResult(changed=[bad, good]))
    assert services.search.keyword.num_docs() == 1
    assert list(services.search.skipped()["keyword"]) == ["b"]


def test_catch_up_indexes_only_what_lies_above_its_mark(services):
    services.catalog.upsert([Paper(title=f"First batch {i}") for i in range(50)])
    assert services.search.catch_up()["keyword"] == 50
    services.catalog.upsert([Paper(title="Second batch, alone")])
    assert services.search.catch_up()["keyword"] == 1  # not the 50 at the mark again


def test_a_vector_the_index_cannot_take_is_skipped_and_holds_nothing_up(services, caplog):
    pytest.importorskip("onnxruntime", reason="the `semantic` extra is not installed")
    pytest.importorskip("usearch", reason="the `semantic` extra is not installed")  # after ORT
    from papertide.search._embed import DIM

    services.catalog.upsert([Paper(title=t, id=t) for t in ("short", "nan", "good")])
    unit = np.zeros(DIM, np.float32)
    unit[0] = 1.0
    nan = unit.copy()
    nan[1] = np.nan
    semantic = services.search.semantic
    semantic.store.save([("short", "m", "h", np.ones(7, np.float32)), ("nan", "m", "h", nan),
                         ("good", "m", "h", unit)])
    with caplog.at_level(logging.ERROR, "papertide.search._semantic"):
        assert semantic.catch_up() == 1
    assert "short" in caplog.text and "nan" in caplog.text
    assert semantic.vectors.ids == ["good"]
    skipped = services.search.skipped()["vectors"]
    assert set(skipped) == {"short", "nan"} and "not 384" in skipped["short"]
    assert [pid for pid, _ in semantic.search_vector(unit, 3)] == ["good"]
