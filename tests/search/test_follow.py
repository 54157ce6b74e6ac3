"""Each machine's indexes follow the one database: two index folders (two machines) on one
catalog, one indexer per folder (a file lock), and a new machine building its indexes
from the database."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from papertide.catalog import Paper
from papertide.search import IndexBusy
from papertide.services import open_services
from tests.helpers import DEMO, load, make_settings

FOLLOW = 0.3  # seconds between two rounds, in these tests


def _found(services, query: str) -> list[str]:
    return [h.paper.title for h in services.search.search(query, mode="keyword").hits]


def _wait_for(check, within: float) -> float:
    """Seconds until `check()` held (fails after `within`)."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < within, "not within the follow delay"
        time.sleep(0.05)
    return time.monotonic() - started


def _machine(tmp_path: Path, name: str, database_url: str):
    return open_services(make_settings(tmp_path / name, database_url,
                                       index_follow_seconds=FOLLOW))


def test_a_paper_ingested_on_one_machine_is_found_on_another(tmp_path, database_url):
    here, there = _machine(tmp_path, "here", database_url), _machine(tmp_path, "there",
                                                                     database_url)
    load(here, DEMO)
    follower = there.search.follower()
    follower.start()
    try:
        # A new machine builds its index from the database on its first round.
        _wait_for(lambda: there.search.keyword.num_docs() == 255, within=30)
        here.catalog.upsert([Paper(title="Penrose tilings in a second catalog",
                                   abstract="Aperiodic order.")])
        delay = _wait_for(lambda: _found(there, "penrose") != [], within=FOLLOW + 5)
        assert _found(there, "penrose") == ["Penrose tilings in a second catalog"]
        assert delay < there.settings.index_follow_seconds + 5
        # A changed paper is re-indexed there too, not added twice.
        here.catalog.upsert([Paper(title="Penrose tilings in a second catalog",
                                   abstract="Aperiodic order, quasicrystals.")])
        _wait_for(lambda: _found(there, "quasicrystals") != [], within=FOLLOW + 5)
        assert _found(there, "penrose") == ["Penrose tilings in a second catalog"]
        assert there.search.index_lag()["keyword"] == 0
    finally:
        follower.stop()


def test_vectors_stored_anywhere_reach_every_machine(tmp_path, database_url):
    here, there = _machine(tmp_path, "here", database_url), _machine(tmp_path, "there",
                                                                     database_url)
    load(here, DEMO)
    ids = [p.id for p in here.catalog.newest(3)]
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((3, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store = here.search.semantic.store
    store.save([(pid, "test", "-", v) for pid, v in zip(ids, vectors, strict=True)])
    follower = there.search.follower()
    follower.start()
    try:
        # `there` never loaded its semantic side: the vectors in the database are reason
        # enough to build a vector index.
        _wait_for(lambda: there.search.semantic_ready(), within=30)
        hits = there.search.semantic.search_vector(vectors[1], 1)
        assert [pid for pid, _ in hits] == [ids[1]]
    finally:
        follower.stop()


HOLD = """
import fcntl, sys, time
f = open(sys.argv[1], "a+")
fcntl.flock(f.fileno(), fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def test_one_indexer_per_folder_and_another_takes_over(tmp_path, database_url):
    settings = make_settings(tmp_path / "data", database_url, index_follow_seconds=FOLLOW)
    services = open_services(settings)
    load(services, DEMO)
    folder = settings.resolved_index_dir
    # Another process (an indexer that is not this one) holds the folder.
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(folder / "indexer.lock")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        services.catalog.upsert([Paper(title="Tessellations held back", abstract="Tiles.")])
        assert services.search.catch_up() == {"keyword": 0}  # left to the indexer
        assert _found(services, "tessellations") == []
        with pytest.raises(IndexBusy, match="another process indexes"):
            services.search.rebuild()
        follower = services.search.follower()
        follower.start()
        time.sleep(3 * FOLLOW)
        assert _found(services, "tessellations") == []  # standing by
        holder.kill()  # the indexer dies: its lock goes with it
        holder.wait()
        _wait_for(lambda: _found(services, "tessellations") != [], within=FOLLOW + 5)
        follower.stop()
    finally:
        holder.kill()
        holder.wait()


def test_index_follow_builds_a_new_machine_with_progress(tmp_path, database_url):
    from typer.testing import CliRunner

    from papertide.cli import app

    source = _machine(tmp_path, "first", database_url)
    load(source, DEMO)
    env = {"PAPERTIDE_DATA_DIR": str(tmp_path / "new"), "PAPERTIDE_DATABASE_URL": database_url,
           "PAPERTIDE_SECRET_KEY": "test-secret", "PAPERTIDE_EMBED_ON_INGEST": "false"}
    result = CliRunner().invoke(app, ["index", "--no-embed"], env=env)
    assert result.exit_code == 0, result.output
    assert "keyword: 255 papers indexed" in result.output
    new = open_services(make_settings(tmp_path / "new", database_url))
    assert new.search.keyword.num_docs() == 255
    assert _found(new, "multi-agent") == _found(source, "multi-agent") != []
