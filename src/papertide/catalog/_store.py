"""All storage access for papers and their engagement (votes, views, saves).

Upserts run one batch per transaction: a batch is either written whole or not at all, so
an interrupted ingest never leaves half a record behind. Every batch that changes
something takes the next value of the `seq` counter; the counter row is locked until the
batch commits, so batches commit in `seq` order and a derived index that remembers the
highest `seq` it has seen can always catch up by reading what lies above it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time
from typing import Any, TypedDict

from sqlalchemy import Connection, Engine, Row, bindparam, case, func, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from papertide.catalog import _signals
from papertide.catalog._identity import normalize_doi, paper_id, parse_arxiv_id, title_key
from papertide.catalog._links import code_url, web_url
from papertide.catalog._paper import Paper
from papertide.catalog._signals import Signal
from papertide.catalog._valid import identity_problems, problems, scrub
from papertide.db import chunked, next_seq
from papertide.db.tables import events, papers

_PAPER_FIELDS = [f.name for f in fields(Paper)]
_STORED = [name for name in _PAPER_FIELDS if name in papers.c]
# What an update rewrites: content and bookkeeping, never identity, counters or first sight.
_UPDATED_COLUMNS: dict[str, Any] = {
    name: bindparam(f"b_{name}")
    for name in [*_STORED, "title_key", "listed", "content_hash", "text_hash", "seq"]
    if name not in ("id", "votes", "views", "saves", "first_seen")}
# What a result card (page, API, feed) shows of a paper: not its provenance, comment,
# journal reference or listing hint, which a search page would read and drop.
CARD_FIELDS = ("id", "title", "abstract", "authors", "categories", "arxiv_id", "doi",
               "published", "updated", "announced", "version", "url_abs", "url_pdf",
               "url_code", "votes", "views", "saves", "first_seen")
_CARDS = select(*(papers.c[name] for name in CARD_FIELDS)).where(
    papers.c.id.in_(bindparam("ids", expanding=True)))
log = logging.getLogger("papertide.catalog")
_COUNTERS = {"vote": papers.c.votes, "view": papers.c.views, "save": papers.c.saves}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def listing_time(paper: Paper) -> datetime | None:
    """When a listing shows the paper: its announcement day, else its publication time;
    None for a paper from a file without dates (such papers sort after dated ones)."""
    if paper.announced is not None:
        return datetime.combine(paper.announced, time.min)
    return paper.published


class CatalogStats(TypedDict):
    papers: int
    votes: int
    views: int
    saves: int
    oldest: str | None  # first and last publication day, ISO dates
    newest: str | None


@dataclass(frozen=True)
class DayEntry:
    """A paper of an announcement day, as the daily view ranks and filters it."""

    id: str
    categories: list[str]
    rank_hint: int | None
    published: datetime | None


@dataclass
class UpsertResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    changed: list[Paper] = field(default_factory=list)  # as stored, with their `seq`
    seq: int | None = None
    ids: list[str] = field(default_factory=list)  # the stored id of each record kept, in order
    retitled: list[tuple[str, str, str]] = field(default_factory=list)  # (id, old title, new title)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (position given, why)


def _row_to_paper(row: Row) -> Paper:
    mapping = row._mapping
    return Paper(**{name: mapping[name] for name in _STORED})


def _paper_to_row(paper: Paper) -> dict[str, object]:
    row = {name: getattr(paper, name) for name in _STORED}
    row["title_key"] = title_key(paper.title)
    row["listed"] = listing_time(paper)
    row["content_hash"] = paper.content_hash()
    row["text_hash"] = paper.text_hash()
    return row


def _normalise(record: Paper) -> Paper:
    """Identity fields in canonical form (in place: records come fresh from a source)."""
    parsed = parse_arxiv_id(record.arxiv_id) if record.arxiv_id else None
    record.arxiv_id = parsed[0] if parsed else None
    record.version = record.version or (parsed[1] if parsed else None)
    record.doi = normalize_doi(record.doi)
    record.authors = [a for a in record.authors if a]
    record.categories = list(dict.fromkeys(c for c in record.categories if c))
    # Links are shown as links: only http(s) addresses are kept.
    record.url_abs, record.url_pdf, record.url_code = (
        web_url(record.url_abs), web_url(record.url_pdf), web_url(record.url_code))
    return record


def _with_code_link(paper: Paper) -> Paper:
    """The paper with its code link: the source's, else a repository its text names."""
    if not paper.url_code:
        paper.url_code = code_url(paper.abstract, paper.comment)
    return paper


def _merge(old: Paper, new: Paper) -> Paper:
    """`old` updated by `new`: new non-empty values win, unless `new` is an older version."""
    merged = replace(old, sources=sorted(set(old.sources) | set(new.sources)))
    if new.rank_hint is not None:
        merged.rank_hint = new.rank_hint
    # The first announcement is what counts: a later listing (a daily-papers page, a new
    # version) never moves a paper's announcement date forward.
    merged.announced = _earliest(old.announced, new.announced)
    if old.version and new.version and new.version < old.version:
        return merged
    for name in Paper.CONTENT_FIELDS:
        value = getattr(new, name)
        if name != "announced" and value not in (None, "", []):
            setattr(merged, name, value)
    return merged


def _earliest(a: date | None, b: date | None) -> date | None:
    return min(a, b) if a and b else a or b


def _compatible(a: Paper, b: Paper) -> bool:
    """Same title is only the same paper if no id, arXiv id or DOI says otherwise."""
    if a.id and b.id and a.id != b.id:
        return False
    if a.arxiv_id and b.arxiv_id and a.arxiv_id != b.arxiv_id:
        return False
    return not (a.doi and b.doi and a.doi != b.doi)


class _KeyIndex:
    """Finds a paper by id, arXiv id, DOI or normalised title among a set of papers."""

    def __init__(self) -> None:
        self.by: dict[str, dict[str, Paper]] = {"id": {}, "arxiv": {}, "doi": {}, "title": {}}
        self.hashes: dict[str, str] = {}  # content hash as stored, by paper id

    def add(self, paper: Paper) -> None:
        for kind, key in self._keys(paper):
            self.by[kind][key] = paper

    def find(self, paper: Paper) -> Paper | None:
        for kind, key in self._keys(paper):
            found = self.by[kind].get(key)
            if found is not None and (kind != "title" or _compatible(found, paper)):
                return found
        return None

    @staticmethod
    def _keys(paper: Paper) -> list[tuple[str, str]]:
        keys = [("id", paper.id), ("arxiv", paper.arxiv_id), ("doi", paper.doi),
                ("title", title_key(paper.title))]
        return [(kind, key) for kind, key in keys if key]


class Catalog:
    """The paper catalog over one SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Bumped by each write through this object: what this process caches of the
        # catalog (the trending scores) keys on it, so that its own writes show at once.
        self.changes = 0

    # ---- writing -------------------------------------------------------------------

    def upsert(self, records: Iterable[Paper],
               signals: Sequence[Iterable[Signal]] | None = None) -> UpsertResult:
        """Insert new papers and update changed ones, in one transaction. `signals`, one
        entry per record, are stored under the paper each record became, in the same
        transaction (a later signal for the same paper, source and name wins).

        A record the catalog cannot store (see `_valid`: dates, numbers, links, text) is
        left out, listed in `result.rejected` with its position and why; the rest go in."""
        result = UpsertResult()
        self.changes += 1
        records, signals = self._checked(list(records), signals, result)
        batch = _KeyIndex()
        pending: list[Paper] = []
        # Each record's place in `pending`: records of one paper in the batch share one.
        slot_of: dict[int, int] = {}
        slots: list[int] = []
        for record in records:  # normalised by _checked
            twin = batch.find(record)
            if twin is None:
                slot = slot_of[id(record)] = len(pending)
                batch.add(record)
                pending.append(record)
            else:
                # The twin found may be an earlier state of the paper (found by a key it
                # has since lost); merge onto the paper as it stands now.
                slot = slot_of[id(twin)]
                merged = _merge(pending[slot], record)
                slot_of[id(merged)] = slot
                pending[slot] = merged
                batch.add(merged)
            slots.append(slot)
        if not pending:
            return result
        stored_ids: list[str] = [""] * len(pending)
        with self.engine.begin() as conn:
            stored = self._load_matches(conn, pending)
            inserts, updates = [], []
            now = utcnow()
            for slot, record in enumerate(pending):
                old = stored.find(record)
                if old is None:
                    _with_code_link(record)
                    record.id = record.id or paper_id(
                        record.arxiv_id, record.doi, title_key(record.title)
                    )
                    record.first_seen = record.first_seen or now
                    inserts.append(record)
                    stored.add(record)
                    stored_ids[slot] = record.id
                    continue
                stored_ids[slot] = old.id
                new = _with_code_link(_merge(old, record))
                if (new.content_hash() == stored.hashes[old.id] and new.sources == old.sources
                        and new.rank_hint == old.rank_hint):
                    result.unchanged += 1
                else:
                    updates.append(new)
                    if new.title != old.title:
                        result.retitled.append((old.id, old.title, new.title))
            seq = next_seq(conn, "seq") if inserts or updates else None
            if inserts:
                conn.execute(papers.insert(), [{**_paper_to_row(p), "seq": seq} for p in inserts])
            if updates:
                rows = [{**{f"b_{k}": v for k, v in _paper_to_row(p).items()}, "b_seq": seq}
                        for p in updates]
                conn.execute(papers.update().where(papers.c.id == bindparam("b_id"))
                             .values(_UPDATED_COLUMNS), rows)
            if signals is not None:
                observed = {(stored_ids[slot], s.source, s.name): s.value
                            for slot, given in zip(slots, signals, strict=True) for s in given}
                _signals.store(conn, observed, now)
        result.added, result.updated, result.seq = len(inserts), len(updates), seq
        result.changed = inserts + updates
        result.ids = [stored_ids[slot] for slot in slots]
        return result

    @staticmethod
    def _checked(records: list[Paper], signals: Sequence[Iterable[Signal]] | None,
                 result: UpsertResult) -> tuple[list[Paper], Sequence[Iterable[Signal]] | None]:
        """The records that pass the catalog's checks (and their signals); the others are
        noted in `result.rejected`. Sources check first, with file and line: this is the
        last guard, so that no record can fail a whole batch."""
        kept = []
        for position, record in enumerate(records):
            scrub(record)
            found = problems(record) or identity_problems(_normalise(record))
            if found:
                result.rejected.append((position, "; ".join(found)))
                log.warning("catalog: record %d (%.60r) refused: %s", position,
                            getattr(record, "title", ""), "; ".join(found))
            else:
                kept.append(position)
        if len(kept) == len(records):
            return records, signals
        return [records[i] for i in kept], None if signals is None else [signals[i] for i in kept]

    def _load_matches(self, conn: Connection, pending: list[Paper]) -> _KeyIndex:
        """The stored papers that any pending record may be: looked up by id, then arXiv id,
        DOI and title for the records not found yet (one indexed IN query per key)."""
        found = _KeyIndex()
        lookups = (
            (papers.c.id, lambda p: p.id),
            (papers.c.arxiv_id, lambda p: p.arxiv_id),
            (papers.c.doi, lambda p: p.doi),
            (papers.c.title_key, lambda p: title_key(p.title)),
        )
        for column, key_of in lookups:
            keys = sorted({key for p in pending if (key := key_of(p)) and found.find(p) is None})
            for chunk in chunked(keys):
                for row in conn.execute(select(papers).where(column.in_(chunk))):
                    paper = _row_to_paper(row)
                    found.add(paper)
                    found.hashes[paper.id] = row.content_hash
        return found

    # ---- reading -------------------------------------------------------------------

    def get(self, key: str) -> Paper | None:
        """A paper by its id, its arXiv id (any version) or its DOI."""
        candidates = [papers.c.id == key]
        parsed = parse_arxiv_id(key)
        if parsed:
            candidates.append(papers.c.arxiv_id == parsed[0])
        doi = normalize_doi(key)
        if doi:
            candidates.append(papers.c.doi == doi)
        with self.engine.connect() as conn:
            for condition in candidates:
                row = conn.execute(select(papers).where(condition)).first()
                if row is not None:
                    return _row_to_paper(row)
        return None

    def get_many(self, ids: list[str]) -> list[Paper]:
        """The papers with these ids, in the order given (unknown ids are left out)."""
        found: dict[str, Paper] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(ids):
                for row in conn.execute(select(papers).where(papers.c.id.in_(chunk))):
                    found[row.id] = _row_to_paper(row)
        return [found[i] for i in ids if i in found]

    def get_cards(self, ids: list[str]) -> list[Paper]:
        """A page of papers as a result card shows them (`CARD_FIELDS` filled, the rest
        left at their defaults), in the order given, in one statement: a search page reads
        its papers with this."""
        if not ids:
            return []
        found: dict[str, Paper] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(list(dict.fromkeys(ids))):  # one chunk for any page
                for row in conn.execute(_CARDS, {"ids": list(chunk)}):
                    found[row.id] = Paper(**row._mapping)
        return [found[i] for i in ids if i in found]

    def newest(self, limit: int = 20, offset: int = 0,
               exclude: Iterable[str] = ()) -> list[Paper]:
        """Newest listing first (the announcement day, else the publication time; see
        `listing_time`); papers without a date after all dated ones, in their source's
        listing order (a ranked listing such as the trending page keeps its order).

        Only the ids go through the sort and past the offset; the page's rows are read
        after (sorting whole rows, abstracts and all, cost 3× at offset 10,000: see
        `bench/bench_offsets.py`)."""
        query = select(papers.c.id).order_by(
            papers.c.listed.desc().nulls_last(), papers.c.published.desc().nulls_last(),
            papers.c.rank_hint.asc().nulls_last(), papers.c.first_seen.desc(), papers.c.id)
        excluded = set(exclude)
        with self.engine.connect() as conn:
            if not excluded:
                ids = list(conn.execute(query.limit(limit).offset(offset)).scalars())
            else:
                # Excluded in Python, not by `NOT IN`: the trending fill excludes every scored
                # paper, more than a statement may bind. At most len(excluded) of the first
                # offset + limit + len(excluded) ids are excluded, so that many suffice.
                head = conn.execute(query.limit(offset + limit + len(excluded))).scalars()
                ids = [pid for pid in head if pid not in excluded][offset:offset + limit]
        return self.get_many(ids)

    def ids_by_title(self, keys: Iterable[str]) -> dict[str, list[str]]:
        """The ids of the papers whose normalised title (`title_key`) is each of `keys`."""
        found: dict[str, list[str]] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(sorted(set(keys))):
                query = select(papers.c.title_key, papers.c.id).where(
                    papers.c.title_key.in_(chunk)).order_by(papers.c.id)
                for key, pid in conn.execute(query):
                    found.setdefault(key, []).append(pid)
        return found

    # ---- announcement days ------------------------------------------------------------

    def announced_on(self, day: date) -> list[DayEntry]:
        """The papers announced on `day`, lightly (what ranking and filtering need)."""
        query = (select(papers.c.id, papers.c.categories, papers.c.rank_hint, papers.c.published)
                 .where(papers.c.announced == day))
        with self.engine.connect() as conn:
            return [DayEntry(row.id, list(row.categories or []), row.rank_hint, row.published)
                    for row in conn.execute(query)]

    def latest_announcement(self, upto: date | None = None) -> date | None:
        """The latest day any paper was announced on (on or before `upto`)."""
        query = select(func.max(papers.c.announced))
        if upto is not None:
            query = query.where(papers.c.announced <= upto)
        with self.engine.connect() as conn:
            latest: date | None = conn.execute(query).scalar_one()
        return latest

    def neighbour_days(self, day: date) -> tuple[date | None, date | None]:
        """The announcement days with papers just before and just after `day`."""
        with self.engine.connect() as conn:
            before = conn.execute(select(func.max(papers.c.announced))
                                  .where(papers.c.announced < day)).scalar_one()
            after = conn.execute(select(func.min(papers.c.announced))
                                 .where(papers.c.announced > day)).scalar_one()
        return before, after

    def iter_papers(self, after_seq: int = 0, upto_seq: int | None = None,
                    batch_size: int = 1000) -> Iterator[Paper]:
        """Every paper changed after `after_seq` (up to `upto_seq`), in seq order, read in
        keyset-paged batches so that memory stays constant."""
        last: tuple[int, str] | None = None
        while True:
            # The first page starts above `after_seq` (not at its batch's first id: that
            # batch was already seen), later pages right after the last row read.
            after = (papers.c.seq > after_seq if last is None
                     else tuple_(papers.c.seq, papers.c.id) > tuple_(*last))
            query = (select(papers).where(after).order_by(papers.c.seq, papers.c.id)
                     .limit(batch_size))
            if upto_seq is not None:
                query = query.where(papers.c.seq <= upto_seq)
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            for row in rows:
                yield _row_to_paper(row)
            last = (rows[-1].seq, rows[-1].id)

    def max_seq(self) -> int:
        with self.engine.connect() as conn:
            top: int = conn.execute(select(func.coalesce(func.max(papers.c.seq), 0))).scalar_one()
        return top

    def count(self, after_seq: int = 0, upto_seq: int | None = None) -> int:
        query = select(func.count()).select_from(papers).where(papers.c.seq > after_seq)
        if upto_seq is not None:
            query = query.where(papers.c.seq <= upto_seq)
        with self.engine.connect() as conn:
            total: int = conn.execute(query).scalar_one()
        return total

    def stats(self) -> CatalogStats:
        # SQLite's sum() fails on a total past 2**63 (counts another tool wrote near the
        # top of the column); its total() does not, in floating point. PostgreSQL sums
        # 64-bit columns exactly, as NUMERIC.
        add = func.total if self.engine.dialect.name == "sqlite" else func.sum
        with self.engine.connect() as conn:
            row = conn.execute(
                select(
                    func.count(),
                    func.coalesce(add(papers.c.votes), 0),
                    func.coalesce(add(papers.c.views), 0),
                    func.coalesce(add(papers.c.saves), 0),
                    func.min(papers.c.published),
                    func.max(papers.c.published),
                ).select_from(papers)
            ).one()
        # PostgreSQL sums 64-bit columns as NUMERIC (a Decimal): the counts are whole.
        return CatalogStats(papers=row[0], votes=int(row[1]), views=int(row[2]),
                            saves=int(row[3]),
                            oldest=row[4].date().isoformat() if row[4] else None,
                            newest=row[5].date().isoformat() if row[5] else None)

    def signals(self, ids: Iterable[str]) -> dict[str, list[Signal]]:
        """The external signals (upvotes, GitHub stars, …) of these papers, by paper id;
        papers without any are left out."""
        return _signals.read(self.engine, ids)

    def signals_since(self, since: datetime | None,
                      among: Sequence[str] | None = None) -> list[tuple[str, Signal]]:
        """(paper id, signal) of every signal observed since `since` (of the papers `among`)."""
        return _signals.read_since(self.engine, since, among)

    # ---- engagement ----------------------------------------------------------------

    def record_event(self, paper_id: str, kind: str, actor: str, day: str = "") -> bool:
        """Count a vote, view or save once per actor (and day); False if already counted."""
        counter = _COUNTERS[kind]
        self.changes += 1
        try:
            with self.engine.begin() as conn:
                conn.execute(events.insert().values(
                    paper_id=paper_id, kind=kind, actor=actor, day=day, created_at=utcnow()))
                conn.execute(update(papers).where(papers.c.id == paper_id)
                             .values({counter: counter + 1}))
        except IntegrityError:
            return False
        return True

    def settle_event(self, paper_id: str, kind: str, actor: str,
                     present: Callable[[Connection], bool]) -> bool:
        """Make the event (a save) exist exactly when `present(conn)` says so, and the count
        with it; returns what it said. The paper's row is locked first (a write: SQLite's
        lock, PostgreSQL's row lock) and `present` is read after, on the same connection, so
        that of racing calls the last to take the lock sees the last word, and the count
        ends in agreement with what it counts (a save and an unsave at the same moment)."""
        counter = _COUNTERS[kind]
        self.changes += 1
        with self.engine.begin() as conn:
            conn.execute(update(papers).where(papers.c.id == paper_id)
                         .values({counter: counter}))
            wanted = present(conn)
            mine = ((events.c.paper_id == paper_id) & (events.c.kind == kind)
                    & (events.c.actor == actor) & (events.c.day == ""))
            held = conn.execute(select(events.c.id).where(mine)).first() is not None
            if wanted and not held:
                conn.execute(events.insert().values(paper_id=paper_id, kind=kind, actor=actor,
                                                    day="", created_at=utcnow()))
                conn.execute(update(papers).where(papers.c.id == paper_id)
                             .values({counter: counter + 1}))
            elif held and not wanted:
                conn.execute(events.delete().where(mine))
                conn.execute(update(papers).where(papers.c.id == paper_id)
                             .values({counter: case((counter > 0, counter - 1), else_=0)}))
        return wanted

    def remove_event(self, paper_id: str, kind: str, actor: str, day: str = "") -> bool:
        counter = _COUNTERS[kind]
        self.changes += 1
        with self.engine.begin() as conn:
            gone = conn.execute(events.delete().where(
                (events.c.paper_id == paper_id) & (events.c.kind == kind)
                & (events.c.actor == actor) & (events.c.day == day))).rowcount
            if gone:
                conn.execute(update(papers).where(papers.c.id == paper_id)
                             .values({counter: case((counter > 0, counter - 1), else_=0)}))
        return bool(gone)

    def has_event(self, paper_id: str, kind: str, actor: str, day: str = "") -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(events.c.id).where(
                (events.c.paper_id == paper_id) & (events.c.kind == kind)
                & (events.c.actor == actor) & (events.c.day == day))).first() is not None

    def events_since(self, since: datetime | None,
                     among: Sequence[str] | None = None) -> list[tuple[str, str, datetime]]:
        """(paper id, kind, time) of every event since `since` (of the papers `among`)."""
        query = select(events.c.paper_id, events.c.kind, events.c.created_at)
        if since is not None:
            query = query.where(events.c.created_at >= since)
        with self.engine.connect() as conn:
            if among is None:
                return [(row.paper_id, row.kind, row.created_at) for row in conn.execute(query)]
            return [(row.paper_id, row.kind, row.created_at) for chunk in chunked(list(among))
                    for row in conn.execute(query.where(events.c.paper_id.in_(chunk)))]

    def listing_times(self, ids: Iterable[str]) -> dict[str, datetime]:
        """Each dated paper's `listing_time` (papers without a date are left out)."""
        dates = self._dates(ids, papers.c.listed)
        return {pid: when for pid, when in dates.items() if when is not None}

    def freshness_dates(self, ids: Iterable[str]) -> dict[str, datetime]:
        """What a paper's age counts from: its listing time, else when the catalog first
        saw it."""
        return self._dates(ids, func.coalesce(papers.c.listed, papers.c.first_seen))

    def first_seen(self, ids: Iterable[str]) -> dict[str, datetime]:
        """When the catalog first saw each paper (what "new to a reader" counts from)."""
        return self._dates(ids, papers.c.first_seen)

    def _dates(self, ids: Iterable[str], column: Any) -> dict[str, datetime]:
        dates: dict[str, datetime] = {}
        with self.engine.connect() as conn:
            for chunk in chunked(list(ids)):
                query = select(papers.c.id, column).where(papers.c.id.in_(chunk))
                dates.update((pid, when) for pid, when in conn.execute(query))
        return dates
