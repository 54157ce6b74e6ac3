"""All storage access for readers' libraries: saved papers with their notes (`library`),
tags (`library_tags`), dismissed papers (`dismissals`) and follows (`follows`).

    store = LibraryStore(engine)
    store.save(reader_id, "2503.11731", tags=["gaussian splatting"], note="read §3")
    store.saved(reader_id, tag="gaussian splatting")     # [Saved, …], latest first
    store.dismiss(reader_id, "2503.12049")

Writes are idempotent: saving a saved paper, dismissing a dismissed one or following twice
changes nothing and says so (False). A paper's tags go with it when it leaves the library
(the foreign key cascades).

Writes hold up under races from one reader (a double click, a script sending 20 at once):
tags are inserted "on conflict do nothing", every transaction writes before it reads (on
SQLite a read-then-write transaction fails at once when another writer came in between),
and a write that loses a race anyway — a tag whose paper another request just unsaved, a
deadlock or serialization failure — is tried again from the start, a few times.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Connection, Engine, Table, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from papertide.catalog import utcnow
from papertide.db import chunked
from papertide.db.tables import dismissals, follows, library, library_tags

MAX_TAG = 60
MAX_NOTE = 10_000
ATTEMPTS = 5
T = TypeVar("T")


def retrying(write: Callable[[], T]) -> T:
    """Run a write, again from the start when it lost a race (an integrity error from a row
    another transaction removed, a deadlock, a serialization failure, a busy SQLite)."""
    for attempt in range(ATTEMPTS):
        try:
            return write()
        except (IntegrityError, OperationalError):
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # let the other one finish
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Saved:
    """A paper in a reader's library."""

    paper_id: str
    saved_at: datetime
    note: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Follow:
    kind: str  # author | category
    value: str
    created_at: datetime


class LibraryStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ---- saved papers -----------------------------------------------------------------

    def save(self, reader_id: int, paper_id: str, tags: Iterable[str] = (),
             note: str | None = None, saved_at: datetime | None = None) -> bool:
        """Save a paper (with tags added, and the note when one is given); True if it was
        not saved before."""
        tags = list(tags)

        def write() -> bool:
            with self.engine.begin() as conn:
                statement = self._insert(library).values(
                    reader_id=reader_id, paper_id=paper_id, saved_at=saved_at or utcnow(),
                    note=note or None).on_conflict_do_nothing()
                new = bool(conn.execute(statement).rowcount)
                if not new and note is not None:  # saved already, maybe at this moment
                    self._set_note(conn, reader_id, paper_id, note)
                self._add_tags(conn, reader_id, paper_id, tags)
            return new

        return retrying(write)

    def _insert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def remove(self, reader_id: int, paper_id: str) -> bool:
        def write() -> bool:
            with self.engine.begin() as conn:
                # Tags first: SQLite enforces the cascade only with its foreign keys on.
                conn.execute(delete(library_tags).where(
                    (library_tags.c.reader_id == reader_id)
                    & (library_tags.c.paper_id == paper_id)))
                return bool(conn.execute(delete(library).where(
                    (library.c.reader_id == reader_id)
                    & (library.c.paper_id == paper_id))).rowcount)

        return retrying(write)

    def get(self, reader_id: int, paper_id: str) -> Saved | None:
        found = self.saved(reader_id, among=[paper_id])
        return found[0] if found else None

    def saved(self, reader_id: int, tag: str | None = None,
              among: Sequence[str] | None = None) -> list[Saved]:
        """The reader's saved papers, latest first (only those tagged `tag`, or `among`)."""
        query = (select(library).where(library.c.reader_id == reader_id)
                 .order_by(library.c.saved_at.desc(), library.c.paper_id))
        if tag is not None:
            query = query.where(library.c.paper_id.in_(
                select(library_tags.c.paper_id).where(
                    (library_tags.c.reader_id == reader_id) & (library_tags.c.tag == tag))))
        with self.engine.connect() as conn:
            if among is None:
                rows = list(conn.execute(query))
            else:
                rows = [row for chunk in chunked(list(among))
                        for row in conn.execute(query.where(library.c.paper_id.in_(chunk)))]
            tags = self._tags_of(conn, reader_id, [r.paper_id for r in rows] if among else None)
        return [Saved(r.paper_id, r.saved_at, r.note, tuple(tags.get(r.paper_id, ())))
                for r in rows]

    def saved_ids(self, reader_id: int, tag: str | None = None) -> list[str]:
        return [s.paper_id for s in self.saved(reader_id, tag)]

    def count(self, reader_id: int) -> int:
        with self.engine.connect() as conn:
            total: int = conn.execute(select(func.count()).select_from(library)
                                      .where(library.c.reader_id == reader_id)).scalar_one()
        return total

    def is_saved(self, reader_id: int, ids: Sequence[str]) -> set[str]:
        """Which of these papers the reader has saved."""
        found: set[str] = set()
        with self.engine.connect() as conn:
            for chunk in chunked(list(ids)):
                found.update(conn.execute(select(library.c.paper_id).where(
                    (library.c.reader_id == reader_id) & library.c.paper_id.in_(chunk))).scalars())
        return found

    # ---- tags and notes ---------------------------------------------------------------

    def set_tags(self, reader_id: int, paper_id: str, tags: Iterable[str]) -> bool:
        """Replace the paper's tags; False if the paper is not in the library."""
        tags = list(tags)

        def write() -> bool:
            with self.engine.begin() as conn:
                # The write first: it takes SQLite's lock before anything is read.
                conn.execute(delete(library_tags).where(
                    (library_tags.c.reader_id == reader_id)
                    & (library_tags.c.paper_id == paper_id)))
                if not self.is_saved_on(conn, reader_id, paper_id):
                    return False
                self._add_tags(conn, reader_id, paper_id, tags)
            return True

        return retrying(write)

    def set_note(self, reader_id: int, paper_id: str, note: str | None) -> bool:
        """Replace the paper's note (None or empty clears it); False if it is not saved."""
        def write() -> bool:
            with self.engine.begin() as conn:
                return self._set_note(conn, reader_id, paper_id, note)

        return retrying(write)

    def tags(self, reader_id: int) -> list[tuple[str, int]]:
        """The reader's tags with how many papers carry each, by name."""
        query = (select(library_tags.c.tag, func.count()).where(
            library_tags.c.reader_id == reader_id).group_by(library_tags.c.tag)
            .order_by(library_tags.c.tag))
        with self.engine.connect() as conn:
            return [(tag, count) for tag, count in conn.execute(query)]

    @staticmethod
    def is_saved_on(conn: Connection, reader_id: int, paper_id: str) -> bool:
        """Whether the paper is saved, read on the caller's connection (inside its
        transaction)."""
        return conn.execute(select(library.c.paper_id).where(
            (library.c.reader_id == reader_id) & (library.c.paper_id == paper_id))).first() \
            is not None

    @staticmethod
    def _set_note(conn: Connection, reader_id: int, paper_id: str, note: str | None) -> bool:
        changed = conn.execute(update(library).where(
            (library.c.reader_id == reader_id) & (library.c.paper_id == paper_id))
            .values(note=note or None)).rowcount
        return bool(changed)

    def _add_tags(self, conn: Connection, reader_id: int, paper_id: str,
                  tags: Iterable[str]) -> None:
        new = [t for t in dict.fromkeys(tags) if t]
        if new:  # a tag another request added meanwhile is no error
            conn.execute(self._insert(library_tags).on_conflict_do_nothing(), [
                {"reader_id": reader_id, "paper_id": paper_id, "tag": t} for t in new])

    @staticmethod
    def _tags_of(conn: Connection, reader_id: int,
                 among: list[str] | None) -> dict[str, list[str]]:
        query = (select(library_tags.c.paper_id, library_tags.c.tag)
                 .where(library_tags.c.reader_id == reader_id).order_by(library_tags.c.tag))
        rows = (list(conn.execute(query)) if among is None else
                [r for chunk in chunked(among)
                 for r in conn.execute(query.where(library_tags.c.paper_id.in_(chunk)))])
        tags: dict[str, list[str]] = {}
        for paper_id, tag in rows:
            tags.setdefault(paper_id, []).append(tag)
        return tags

    # ---- dismissals -------------------------------------------------------------------

    def dismiss(self, reader_id: int, paper_id: str) -> bool:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(dismissals).values(
                    reader_id=reader_id, paper_id=paper_id, dismissed_at=utcnow()))
        except IntegrityError:
            return False
        return True

    def undismiss(self, reader_id: int, paper_id: str) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(dismissals).where(
                (dismissals.c.reader_id == reader_id)
                & (dismissals.c.paper_id == paper_id))).rowcount)

    def dismissed(self, reader_id: int) -> list[tuple[str, datetime]]:
        """(paper id, when) of the reader's dismissed papers, latest first."""
        query = (select(dismissals.c.paper_id, dismissals.c.dismissed_at)
                 .where(dismissals.c.reader_id == reader_id)
                 .order_by(dismissals.c.dismissed_at.desc(), dismissals.c.paper_id))
        with self.engine.connect() as conn:
            return [(pid, at) for pid, at in conn.execute(query)]

    # ---- follows ----------------------------------------------------------------------

    def follow(self, reader_id: int, kind: str, value: str) -> bool:
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(follows).values(reader_id=reader_id, kind=kind, value=value,
                                                    created_at=utcnow()))
        except IntegrityError:
            return False
        return True

    def unfollow(self, reader_id: int, kind: str, value: str) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(follows).where(
                (follows.c.reader_id == reader_id) & (follows.c.kind == kind)
                & (follows.c.value == value))).rowcount)

    def follows(self, reader_id: int) -> list[Follow]:
        query = (select(follows).where(follows.c.reader_id == reader_id)
                 .order_by(follows.c.kind, follows.c.value))
        with self.engine.connect() as conn:
            return [Follow(r.kind, r.value, r.created_at) for r in conn.execute(query)]

    # ---- across readers -----------------------------------------------------------------

    def readers_with_signals(self) -> set[int]:
        """Readers who saved, dismissed or follow anything: the only ones a digest's "For
        you" section and dismissals concern (a fan-out skips the others without a query
        each)."""
        with self.engine.connect() as conn:
            found = set(conn.execute(select(library.c.reader_id).distinct()).scalars())
            found.update(conn.execute(select(follows.c.reader_id).distinct()).scalars())
            found.update(conn.execute(select(dismissals.c.reader_id).distinct()).scalars())
        return found
