"""Following the database: one indexer per index folder, readers everywhere else.

Every machine keeps its own keyword and vector index (derived data) and brings them level
with the catalog by the `seq` high-water marks. Only one process may write an index folder
at a time — two writers would interleave rows of `vectors.f32` — so writing is done under
an exclusive file lock on `<index dir>/indexer.lock` (`fcntl.flock`: released by the
kernel when the process dies, so a crashed indexer never leaves the folder locked).

    lock = IndexLock.of(settings.resolved_index_dir)
    with lock.writing() as mine:      # False: another process is this folder's indexer
        ...
    lock.keep()                       # this process becomes the folder's indexer for good

The follower (`Follower`) runs in `papertide index --follow`, in `papertide worker` and in
each `papertide serve` process: each round it tries to keep the lock; the process that has
it catches the indexes up, the others only re-open what the indexer wrote (the keyword
searcher reloads, the vector files are re-mapped when their state file changes). If the
indexer exits, another follower takes the lock within one round. A paper committed on any
machine is searchable on every machine within `PAPERTIDE_INDEX_FOLLOW_SECONDS` (plus the
catch-up itself and, in another process, the keyword searcher's reload, at most 1 s).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, ClassVar

from papertide._filelock import try_lock, unlock

log = logging.getLogger(__name__)
LOCK_NAME = "indexer.lock"


class IndexLock:
    """The exclusive right to write one index folder, shared by every caller in a process
    (one instance per folder), so that threads of the indexer process wait for each other
    while other processes are told no."""

    _instances: ClassVar[dict[Path, IndexLock]] = {}
    _guard = threading.Lock()

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._thread = threading.RLock()
        self._file: IO[str] | None = None
        self._depth = 0
        self.kept = False

    @classmethod
    def of(cls, folder: Path) -> IndexLock:
        key = Path(os.path.abspath(folder))
        with cls._guard:
            if key not in cls._instances:
                cls._instances[key] = cls(key)
            return cls._instances[key]

    @property
    def held(self) -> bool:
        return self._file is not None

    def _take(self) -> bool:
        if self._file is None:
            self._file = try_lock(self.folder / LOCK_NAME)
        return self._file is not None

    def _drop(self) -> None:
        if self._file is not None:
            unlock(self._file)
            self._file = None

    @contextmanager
    def writing(self) -> Iterator[bool]:
        """Hold the folder for a write: yields True, or False at once when another process
        holds it (threads of this process wait for each other)."""
        self._thread.acquire()
        if not self._take():
            self._thread.release()
            yield False
            return
        self._depth += 1
        try:
            yield True
        finally:
            self._depth -= 1
            if self._depth == 0 and not self.kept:
                self._drop()
            self._thread.release()

    def keep(self) -> bool:
        """Become this folder's indexer until the process ends (or `release`); False while
        another process is."""
        with self._thread:
            if not self._take():
                return False
            self.kept = True
            return True

    def release(self) -> None:
        with self._thread:
            self.kept = False
            if self._depth == 0:
                self._drop()


class Follower:
    """Keeps this machine's indexes level with the database, round after round.

    `catch_up` writes (the indexer's job), `refresh` re-opens what another process wrote;
    both are the search service's. `on_round(indexer, counts)` sees every round."""

    def __init__(self, lock: IndexLock, catch_up: Callable[[], dict[str, int]],
                 refresh: Callable[[], None], every: float) -> None:
        self.lock, self._catch_up, self._refresh, self.every = lock, catch_up, refresh, every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def round(self) -> tuple[bool, dict[str, int]]:
        """One round: (whether this process is the indexer, what it indexed)."""
        if self.lock.keep():
            return True, self._catch_up()
        self._refresh()
        return False, {}

    def run(self, on_round: Callable[[bool, dict[str, int]], None] | None = None) -> None:
        """Follow until `stop()`; a failed round is logged and the next one retries."""
        while not self._stop.is_set():
            try:
                indexer, counts = self.round()
                if on_round is not None:
                    on_round(indexer, counts)
            except Exception:
                log.exception("following the catalog failed; retrying")
            self._stop.wait(self.every)

    def start(self, on_round: Callable[[bool, dict[str, int]], None] | None = None) -> None:
        """Follow in a daemon thread (the worker and the web processes)."""
        self._thread = threading.Thread(target=self.run, args=(on_round,),
                                        name="index-follower", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.lock.release()
