"""Acronyms and their expansions, mined from the catalog's own abstracts, so that `VLA`
also finds the papers that write "vision-language-action" and the other way round.

Mining: `_schwartz_hearst.mine` finds each "long form (SHORT)" a title or abstract
defines. A long form is kept as its index terms (stemmed, stop words kept:
"Vision-Language-Action models" and "vision language action model" are one form), an
acronym as its lower case without a plural `s` (`VLAs` and `vla` are one).

What counts: a pair seen in at least `MIN_SUPPORT` papers (a one-off pairing, or the
Schwartz–Hearst rule misfiring on one abstract, never reaches a query). An acronym with
several expansions (`ASR`: automatic speech recognition, attack success rate) keeps the
ones with at least `SHARE` of its best one's support, `MAX_EXPANSIONS` at most; an
expansion names at most `MAX_ACRONYMS` acronyms, by the same rule.

At query time (`Acronyms.queries`, called by the keyword index's `text_query`), a plain
query word that is a known acronym adds its expansions as phrases, and a run of plain
query words that spells an expansion adds its acronym (singular and plural). Each is an
optional clause that scores only the papers which write the other form and not the typed
one, `WEIGHT` times what the typed form would weigh (the boost divides out the difference
in inverse document frequency): a paper that writes what the reader typed scores as it did
without expansion, above one that writes only the other form. (Scoring every paper that
writes the other form, both forms included, counted the topic twice against the query's
other words: SciFact train keyword nDCG@10 0.7137 → 0.7035 at weight 0.5.) Words a reader
demands (`+VLA`, `"VLA"`, `ti:VLA`) match only as written; a lower-case word only where
the catalog uses it mostly as the acronym (`vla` yes, `map` no: see `Acronyms._found`).

Where the pairs live: a SQLite file in their own folder beside the keyword index
(`<index dir>/acronyms`), not a catalog table. They are derived data, like the index: what
any machine computes from the abstracts, rebuilt from the catalog at will, and kept per
machine, so no migration and no writes to the shared database (on PostgreSQL, a table
written by every indexing machine) are needed for them; rebuilding them is `papertide
index --rebuild`, as for the indexes. The file keeps each paper's pairs (a new version of
a paper replaces them, so support counts stay exact), the support per pair, and the
catalog `seq` it has caught up to: `catch_up` mines what changed above it, as the index
does, so a crash before the mark is written is repaired by the next one. Its own mark,
not the index's, so that a keyword index rebuilt for a new schema, or a table mined by
older rules (`RULES`), each catch up alone. Readers in other processes reload the pairs
when the file's `generation` changes, looked at no more than once a second.

Cost: mining takes about as long as building a paper's index documents (bench/
bench_acronyms.py), in its own pass over the changed papers after the index's.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tantivy import Occur, Query, Schema, Searcher

from papertide.catalog import Catalog, Paper
from papertide.mathtext import to_plain
from papertide.search._schwartz_hearst import SHORT, mine, short_key

# The mining rules' version: a file mined by other rules is mined again (derived data).
RULES = 1
MIN_SUPPORT = 3  # papers that define a pair before it counts
SHARE = 0.1  # of an acronym's best-supported expansion, for another one to count
MAX_EXPANSIONS = 3  # per acronym
MAX_ACRONYMS = 2  # per expansion
# The other form's weight, as a share of what the typed form would weigh. SciFact train
# keyword nDCG@10 on half A (claims sorted by id, the first half; without expansion 0.7170):
# 0.2 0.7182, 0.3 0.7182, 0.4 0.7183, 0.5 0.7174; 0.3, the middle of the plateau, is the
# choice. Its figures on B, held out: see bench/bench_acronyms.py and the README.
WEIGHT = 0.3
# A word typed without two capitals counts as an acronym only if at most this many times
# as many papers use it as define it (see `Acronyms._found`).
COMMON = 10
LONGEST = 10  # index terms in a long form, at most
BATCH = 2000  # papers mined per transaction

Tokens = Callable[[str, str], list[str]]  # (analyzer, text) → index terms


def paper_pairs(paper: Paper, tokens: Tokens) -> set[tuple[str, str]]:
    """A paper's (acronym key, expansion's index terms joined by spaces) pairs."""
    out = set()
    for text in (paper.title, paper.abstract):
        for short, long in mine(to_plain(text or "")):
            key = short_key(short)
            terms = tokens("pt_english", long)
            if 2 <= len(terms) <= LONGEST and key not in terms:
                out.add((key, " ".join(terms)))
    return out


@dataclass
class Table:
    """The pairs that count, both ways: acronym key → expansions (index terms), and
    expansion → acronym keys."""

    expansions: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    acronyms: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    support: dict[str, int] = field(default_factory=dict)  # papers defining each acronym
    longest: int = 0

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, int]]) -> Table:
        by_short: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for short, long, support in rows:
            if support >= MIN_SUPPORT:
                by_short[short].append((support, long))
        by_long: dict[tuple[str, ...], list[tuple[int, str]]] = defaultdict(list)
        table = cls()
        for short, pairs in by_short.items():
            pairs.sort(key=lambda p: (-p[0], p[1]))
            kept = [p for p in pairs if p[0] >= SHARE * pairs[0][0]][:MAX_EXPANSIONS]
            table.expansions[short] = [tuple(long.split()) for _, long in kept]
            table.support[short] = sum(n for n, _ in pairs)
            for support, long in kept:
                by_long[tuple(long.split())].append((support, short))
        for long_terms, shorts in by_long.items():
            shorts.sort(key=lambda p: (-p[0], p[1]))
            table.acronyms[long_terms] = [s for n, s in shorts
                                          if n >= SHARE * shorts[0][0]][:MAX_ACRONYMS]
            table.longest = max(table.longest, len(long_terms))
        return table


class Acronyms:
    """The pair table of this machine (see the module docstring)."""

    NAME = "acronyms.sqlite3"

    def __init__(self, folder: Path, catalog: Catalog, tokens: Tokens) -> None:
        self.folder = Path(folder)
        self.catalog = catalog
        self.tokens = tokens
        self._lock = threading.Lock()
        self._table = Table()
        self._generation: int | None = None
        self._checked_at = 0.0
        self.folder.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.folder / self.NAME, check_same_thread=False,
                                   isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript("""
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS found (paper TEXT NOT NULL, short TEXT NOT NULL,
                long TEXT NOT NULL, PRIMARY KEY (paper, short, long)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS pairs (short TEXT NOT NULL, long TEXT NOT NULL,
                support INTEGER NOT NULL, PRIMARY KEY (short, long)) WITHOUT ROWID;
        """)
        if self._meta("rules") not in (None, RULES):  # mined by other rules: start over
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("DELETE FROM found")
                self._db.execute("DELETE FROM pairs")
                self._db.execute("DELETE FROM meta")
                self._db.execute("COMMIT")

    def _meta(self, name: str) -> int | None:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else int(row[0])

    @property
    def indexed_seq(self) -> int:
        with self._lock:
            return self._meta("seq") or 0

    # ---- mining ----------------------------------------------------------------------

    def catch_up(self, on_progress: Callable[[int, int], None] | None = None, *,
                 rebuild: bool = False) -> int:
        """Mine every paper the catalog changed above the mark; returns how many."""
        start = 0 if rebuild else self.indexed_seq
        top = self.catalog.max_seq()
        total = self.catalog.count(after_seq=start, upto_seq=top)
        if total == 0 and not rebuild:
            return 0
        done = 0
        batch: list[Paper] = []
        with self._lock:
            if rebuild:
                self._write([], clear=True)
            for paper in self.catalog.iter_papers(after_seq=start, upto_seq=top):
                batch.append(paper)
                if len(batch) >= BATCH:
                    self._write(batch)
                    done += len(batch)
                    batch = []
                    if on_progress:
                        on_progress(done, total)
            self._write(batch, seq=top)
            done += len(batch)
        if on_progress:
            on_progress(done, total)
        self._check(force=True)
        return done

    def rebuild(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        return self.catch_up(on_progress, rebuild=True)

    def _write(self, papers: Sequence[Paper], seq: int | None = None,
               clear: bool = False) -> None:
        """Replace these papers' pairs (one transaction), and move the mark to `seq`."""
        mined = {p.id: paper_pairs(p, self.tokens) for p in papers}
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if clear:
                db.execute("DELETE FROM found")
                db.execute("DELETE FROM pairs")
            for paper_id, pairs in mined.items():
                old = set(db.execute("SELECT short, long FROM found WHERE paper = ?",
                                     (paper_id,)).fetchall())
                for short, long in old - pairs:
                    db.execute("DELETE FROM found WHERE paper = ? AND short = ? AND long = ?",
                               (paper_id, short, long))
                    db.execute("UPDATE pairs SET support = support - 1 "
                               "WHERE short = ? AND long = ?", (short, long))
                for short, long in pairs - old:
                    db.execute("INSERT INTO found VALUES (?, ?, ?)", (paper_id, short, long))
                    db.execute("INSERT INTO pairs VALUES (?, ?, 1) ON CONFLICT (short, long) "
                               "DO UPDATE SET support = support + 1", (short, long))
            db.execute("DELETE FROM pairs WHERE support <= 0")
            if seq is not None:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('seq', ?)", (seq,))
                db.execute("INSERT OR REPLACE INTO meta VALUES ('rules', ?)", (RULES,))
            db.execute("INSERT INTO meta VALUES ('generation', 1) ON CONFLICT (name) "
                       "DO UPDATE SET value = value + 1")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # ---- reading ---------------------------------------------------------------------

    @property
    def generation(self) -> int | None:
        """Which version of the pairs queries use (it changes when they are mined again)."""
        self._check()
        return self._generation

    def table(self) -> Table:
        """The pairs that count, reloaded when the file changed (checked once a second)."""
        self._check()
        return self._table

    def _check(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked_at < 1.0:
            return
        # While this process mines (minutes, for a whole catalog) its searches go on with
        # the pairs they have rather than wait for the connection.
        if not self._lock.acquire(blocking=force):
            return
        try:
            self._checked_at = now
            generation = self._meta("generation")
            if generation == self._generation:
                return
            rows = self._db.execute("SELECT short, long, support FROM pairs "
                                    "WHERE support >= ?", (MIN_SUPPORT,)).fetchall()
            self._table, self._generation = Table.of(rows), generation
        finally:
            self._lock.release()

    # ---- querying --------------------------------------------------------------------

    def _found(self, words: Sequence[str], table: Table, searcher: Searcher) -> tuple[
            list[tuple[str, str]], list[tuple[tuple[str, ...], list[str]]]]:
        """The known acronyms among the words ((word, key) pairs), and the expansions their
        runs spell, the longest from each word on, left to right ((terms, acronym keys)).
        A word typed without two capitals (`vla`, `map`, `Act`) is an acronym only where
        the catalog uses it mostly as one: in at most `COMMON` times as many papers as
        define it (`vla`, `rag`, `llm`: 1-2; `map` 52, `ai` 11)."""
        acronyms = []
        for word in dict.fromkeys(words):
            key = word.lower()
            if key not in table.expansions and key.endswith("s"):
                key = key[:-1]  # `VLAs`
            if not SHORT.fullmatch(word) or key not in table.expansions:
                continue
            if sum(c.isupper() for c in word) < 2:
                literal = self.tokens("pt_text", word)
                if not literal or searcher.doc_freq("text", literal[0]) > (
                        COMMON * table.support[key]):
                    continue
            acronyms.append((word, key))
        expansions: list[tuple[tuple[str, ...], list[str]]] = []
        terms = [t for word in words for t in self.tokens("pt_english", word)]
        i = 0
        while i < len(terms):
            for length in range(min(table.longest, len(terms) - i), 1, -1):
                long_terms = tuple(terms[i:i + length])
                if long_terms in table.acronyms:
                    if all(long_terms != seen for seen, _ in expansions):
                        expansions.append((long_terms, table.acronyms[long_terms]))
                    i += length - 1
                    break
            i += 1
        return acronyms, expansions

    def queries(self, words: Sequence[str], schema: Schema, searcher: Searcher) -> list[Query]:
        """Optional clauses for the plain query words `words` (in query order) that score
        only the papers writing the other form and not the one typed: each known acronym's
        expansions (as phrases), each spelled-out expansion's acronym. A paper that writes
        both scores as it did without them. Nothing when no word is a known acronym or
        expansion."""
        table = self.table()
        if not table.expansions:
            return []
        acronyms, expansions = self._found(words, table, searcher)
        if not acronyms and not expansions:
            return []
        n = max(searcher.num_docs, 1)

        def idf(term: str) -> float:
            df = searcher.doc_freq("text", term)
            return math.log(1 + (n - df + 0.5) / (df + 0.5))

        def only(other: Query, typed: Query, boost: float) -> Query:
            return Query.boost_query(Query.boolean_query(
                [(Occur.Must, other), (Occur.MustNot, typed)]), boost)

        out: list[Query] = []
        for word, key in acronyms:
            literal = self.tokens("pt_text", word)
            if not literal:  # a stop word (`OR`, `ALL`) searches as one
                continue
            typed = Query.term_query(schema, "text", literal[0])
            weight = WEIGHT * idf(literal[0])
            for long_terms in table.expansions[key]:
                phrase, total = self._phrase(long_terms, schema, idf)
                if phrase is not None:
                    out.append(only(phrase, typed, weight / total))
            for form in self._forms(key):
                if form != literal[0]:  # `VLA` also finds `VLAs`, and the other way round
                    out.append(only(Query.term_query(schema, "text", form), typed, WEIGHT))
        for long_terms, keys in expansions:
            phrase, total = self._phrase(long_terms, schema, idf)
            if phrase is None:
                continue
            for key in keys:
                for form in self._forms(key):
                    out.append(only(Query.term_query(schema, "text", form), phrase,
                                    WEIGHT * total / idf(form)))
        return out

    def terms(self, words: Sequence[str], searcher: Searcher) -> set[str]:
        """The ranking terms the words stand for besides their own (what a snippet lights
        up: "vision", "language", "action" for `VLA`; `vla` for the expansion)."""
        table = self.table()
        acronyms, expansions = (self._found(words, table, searcher) if table.expansions
                                else ([], []))
        out = set()
        for _, key in acronyms:
            out.update(self._forms(key))
            for long_terms in table.expansions[key]:
                out.update(t for t in long_terms if self.tokens("pt_text", t))
        for _, keys in expansions:
            for key in keys:
                out.update(self._forms(key))
        return out

    def _forms(self, key: str) -> list[str]:
        """An acronym's terms in the ranking field, singular and plural (`vla`, `vlas`)."""
        return list(dict.fromkeys(self.tokens("pt_text", key) + self.tokens("pt_text", key + "s")))

    def _phrase(self, long_terms: tuple[str, ...], schema: Schema,
                idf: Callable[[str], float]) -> tuple[Query | None, float]:
        """The expansion as a phrase of the ranking field (which drops stop words, leaving
        gaps in the positions: "chain of thought" is `chain` then `thought` two on) and the
        sum of its terms' idf."""
        words = [(i, t) for i, t in enumerate(long_terms) if self.tokens("pt_text", t)]
        total = sum(idf(t) for _, t in words) or 1.0
        if not words:
            return None, total
        if len(words) == 1:
            return Query.term_query(schema, "text", words[0][1]), total
        first = words[0][0]
        return Query.phrase_query(schema, "text", [(i - first, t) for i, t in words]), total
