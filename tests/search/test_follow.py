"""Each machine's indexes follow the one database: two index folders (two machines) on one
catalog, one indexer per folder (a file lock), and a new machine building its indexes
from the database.

The promise is counted in the follower's rounds, not in seconds: a change committed
anywhere is searchable once a round that began after it has ended (so within two rounds
of the commit), however busy the machine is."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from papertide.catalog import Paper
from papertide.search import IndexBusy
from papertide.services import open_services
from tests.helpers import DEMO, HANG, load, make_settings

FOLLOW = 0.3  # seconds between two rounds, in these tests


def _found(services, query: str) -> list[str]:
    return [h.paper.title for h in services.search.search(query, mode="keyword").hits]


class Rounds:
    """The follower's rounds as they end: (whether this process was the indexer, counts)."""

    def __init__(self) -> None:
        self.ended: list[tuple[bool, dict[str, int]]] = []
        self._changed = threading.Condition()

    def __call__(self, indexer: bool, counts: dict[str, int]) -> None:
        with self._changed:
            self.ended.append((indexer, counts))
            self._changed.notify_all()

    def next(self, count: int = 2) -> list[tuple[bool, dict[str, int]]]:
        """Wait for `count` more rounds to end (two: one that began after this call) and
        return them; fails only on a hang."""
        with self._changed:
            target = len(self.ended) + count
            assert self._changed.wait_for(lambda: len(self.ended) >= target, HANG), \
                "the follower hung"
            return self.ended[target - count:target]


@contextmanager
def following(services) -> Iterator[Rounds]:
    follower, rounds = services.search.follower(), Rounds()
    follower.start(on_round=rounds)
    try:
        yield rounds
    finally:
        follower.stop()


def _machine(tmp_path: Path, name: str, database_url: str):
    return open_services(make_settings(tmp_path / name, database_url,
                                       index_follow_seconds=FOLLOW))


def test_a_paper_ingested_on_one_machine_is_found_on_another(tmp_path, database_url):
    here, there = _machine(tmp_path, "here", database_url), _machine(tmp_path, "there",
                                                                     database_url)
    load(here, DEMO)
    with following(there) as rounds:
        # A new machine builds its index (and mines its acronyms) from the database on its
        # first round.
        assert rounds.next(1) == [(True, {"keyword": 255, "acronyms": 255})]
        assert there.search.keyword.num_docs() == 255
        here.catalog.upsert([Paper(title="Penrose tilings in a second catalog",
                                   abstract="Aperiodic order.")])
        rounds.next()
        assert _found(there, "penrose") == ["Penrose tilings in a second catalog"]
        # A changed paper is re-indexed there too, not added twice.
        here.catalog.upsert([Paper(title="Penrose tilings in a second catalog",
                                   abstract="Aperiodic order, quasicrystals.")])
        rounds.next()
        assert _found(there, "quasicrystals") == ["Penrose tilings in a second catalog"]
        assert _found(there, "penrose") == ["Penrose tilings in a second catalog"]
        assert there.search.index_lag()["keyword"] == 0


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
    with following(there) as rounds:
        # `there` never loaded its semantic side: the vectors in the database are reason
        # enough to build a vector index, on its first round.
        rounds.next(1)
        assert there.search.semantic_ready()
        hits = there.search.semantic.search_vector(vectors[1], 1)
        assert [pid for pid, _ in hits] == [ids[1]]


HOLD = """
import fcntl, sys
f = open(sys.argv[1], "a+")
fcntl.flock(f.fileno(), fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()  # held until killed
"""


def test_one_indexer_per_folder_and_another_takes_over(tmp_path, database_url):
    settings = make_settings(tmp_path / "data", database_url, index_follow_seconds=FOLLOW)
    services = open_services(settings)
    load(services, DEMO)
    folder = settings.resolved_index_dir
    # Another process (an indexer that is not this one) holds the folder.
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(folder / "indexer.lock")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        services.catalog.upsert([Paper(title="Tessellations held back", abstract="Tiles.")])
        assert services.search.catch_up() == {"keyword": 0}  # left to the indexer
        assert _found(services, "tessellations") == []
        with pytest.raises(IndexBusy, match="another process indexes"):
            services.search.rebuild()
        with following(services) as rounds:
            assert [indexer for indexer, _ in rounds.next(3)] == [False] * 3  # standing by
            assert _found(services, "tessellations") == []
            holder.kill()  # the indexer dies: its lock goes with it
            holder.wait()
            taking_over = rounds.next()
            assert taking_over[-1][0], "no round took the folder over"
            assert sum(counts.get("keyword", 0) for _, counts in taking_over) == 1
            assert _found(services, "tessellations") == ["Tessellations held back"]
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
