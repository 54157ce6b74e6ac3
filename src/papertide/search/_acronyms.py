"""Acronyms and their expansions, mined from the catalog's own abstracts, so that `VLA`
also finds the papers that write "vision-language-action" and the other way round.

Mining: the Schwartz–Hearst algorithm (the `abbreviations` package) finds each
"long form (SHORT)" an abstract defines. Its rule picks the shortest definition whose
letters spell the short form, which cuts words in half ("self-supervised learning (SSL)"
gives "supervised learning", "Proximal Policy Optimization (PPO)" "Policy Optimization"),
so a definition is widened to its whole hyphenated word and then by whole words while
that spells more of the short form from word initials. A short form counts if it is one
word of letters and digits with two capitals or more (`LLMs`, `ViT`, `mAP`, `3DGS`: not
`(i)` or `(see)`); a trailing `s` after a capital is a plural (`VLAs` is `VLA`).
A long form is kept as its index terms (stemmed, stop words kept: "Vision-Language-Action
models" and "vision language action model" are one form).

What counts: a pair seen in at least `MIN_SUPPORT` papers (a one-off pairing, or the
Schwartz–Hearst rule misfiring on one abstract, never reaches a query). An acronym with
several expansions (`ASR`: automatic speech recognition, attack success rate) keeps the
ones with at least `SHARE` of its best one's support, `MAX_EXPANSIONS` at most; an
expansion names at most `MAX_ACRONYMS` acronyms, by the same rule.

At query time (`Acronyms.queries`, called by the keyword index's `text_query`), a plain
query word that is a known acronym adds its expansions as phrases, and a run of plain
query words that spells an expansion adds its acronym (singular and plural), each as an
optional clause weighted `WEIGHT` times what the literal would weigh (the boost divides
out the difference in inverse document frequency), so a paper that writes what the reader
typed ranks above one that writes only the other form. Words a reader demands (`+VLA`,
`"VLA"`, `ti:VLA`) match only as written.

Where the pairs live: a SQLite file in their own folder beside the keyword index
(`<index dir>/acronyms`), not a catalog table. They are derived from the abstracts like
the index is, rebuilt from the catalog at will, and each machine keeps its own: a table
in the catalog would need a migration and writes to the shared database for what any
machine can compute, and would go stale where the index is rebuilt. The file keeps each
paper's pairs (a new version of a paper replaces them, so support counts stay exact),
the support per pair, and the catalog `seq` it has caught up to: `catch_up` mines what
changed above it, as the index does, so a crash before the mark is written is repaired by
the next one. Readers in other processes reload the pairs when the file's `generation`
changes, looked at no more than once a second.
"""

from __future__ import annotations

import logging
import math
import re
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from tantivy import Query, Schema, Searcher

from papertide.catalog import Catalog, Paper
from papertide.mathtext import to_plain

log = logging.getLogger(__name__)

# The mining rules' version: a file mined by other rules is mined again (derived data).
RULES = 1
MIN_SUPPORT = 3
SHARE = 0.1
MAX_EXPANSIONS = 3
MAX_ACRONYMS = 2
WEIGHT = 0.5
LONGEST = 10  # index terms in a long form, at most
BATCH = 2000  # papers mined per transaction

Tokens = Callable[[str, str], list[str]]  # (analyzer, text) → index terms


def _schwartz_hearst() -> ModuleType:
    """The `abbreviations` module, imported without its import-time side effect: it calls
    `logging.basicConfig(level=INFO)`, which would configure the root logger of whatever
    program imports papertide. A handler present while it runs makes that a no-op."""
    root = logging.getLogger()
    guard = logging.NullHandler()
    root.addHandler(guard)
    try:
        from abbreviations import schwartz_hearst
    finally:
        root.removeHandler(guard)
    return schwartz_hearst


_sh = _schwartz_hearst()

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")
_QUOTED = re.compile(r"([(])['\"\u2018\u201c]|['\"\u2019\u201d]([);:])")
_SHORT = re.compile(r"[A-Za-z0-9]{2,10}")
# What a sentence must hold for a short form to count: " (" then a word with two capitals
# up to `)`, `;` or `:` (the package's rule runs only there: it is most of the cost).
_DEFINES = re.compile(r" \(['\"\u2018\u201c]?[a-z0-9]*[A-Z][a-z0-9]*[A-Z][A-Za-z0-9]*"
                      r"['\"\u2019\u201d]?[);:]")
_SPLIT = re.compile(r"[\s\-]+")


def short_key(short: str) -> str:
    """An acronym as the table keys it: lower case, a plural `s` after a capital dropped."""
    if len(short) > 2 and short.endswith("s") and short[-2].isupper():
        short = short[:-1]
    return short.lower()


def _spelled(definition: str, letters: str) -> int:
    """How many of the short form's letters the definition's word initials spell, in
    order (the longest common subsequence)."""
    initials = [w[0].lower() for w in _SPLIT.split(definition) if w]
    row = [0] * (len(letters) + 1)
    for initial in initials:
        previous = 0
        for j, letter in enumerate(letters, start=1):
            keep = row[j]
            row[j] = previous + 1 if initial == letter else max(row[j], row[j - 1])
            previous = keep
    return row[-1]


def _widened(sentence: str, start: int, stop: int, short: str) -> str:
    """The definition `sentence[start:stop]`, widened to its whole first word when it
    starts inside a hyphenated one, then by whole preceding words (within the clause) while
    that spells more of the short form from word initials."""
    if start > 0 and sentence[start - 1] == "-":
        while start > 0 and (sentence[start - 1].isalnum() or sentence[start - 1] == "-"):
            start -= 1
    letters = short_key(short)
    best = sentence[start:stop]
    spelled = _spelled(best, letters)
    words = len(_SPLIT.split(best))
    limit = min(len(letters) + 5, 2 * len(letters))
    before = sentence[:start].rstrip().split(" ")
    for word in reversed(before[-3:]):
        if not word or not word[0].isalnum() or word[-1] in ",;:.!?)]":
            break
        candidate = f"{word} {best}"
        words += len(_SPLIT.split(word))
        more = _spelled(candidate, letters)
        if words > limit or more <= spelled:
            break
        best, spelled = candidate, more
    return best


def mine(text: str) -> set[tuple[str, str]]:
    """The (short form, long form) pairs a text defines, as written."""
    found: set[tuple[str, str]] = set()
    text = " ".join(text.split())
    if not _DEFINES.search(text):
        return found
    for sentence in _SENTENCE.split(text):
        if not _DEFINES.search(sentence):
            continue
        sentence = _QUOTED.sub(r"\1\2", sentence)
        try:
            candidates = list(_sh.best_candidates(sentence))
        except (ValueError, IndexError):  # unbalanced parentheses: nothing to read
            continue
        for short in candidates:
            if not _SHORT.fullmatch(short) or sum(c.isupper() for c in short) < 2:
                continue
            try:
                definition = _sh.select_definition(_sh.get_definition(short, sentence), short)
            except (ValueError, IndexError):
                continue
            stop = definition.stop
            found.add((str(short), _widened(sentence, stop - len(definition), stop, short)))
    return found


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
        with self._lock:
            self._checked_at = now
            generation = self._meta("generation")
            if generation == self._generation:
                return
            rows = self._db.execute("SELECT short, long, support FROM pairs "
                                    "WHERE support >= ?", (MIN_SUPPORT,)).fetchall()
            self._table, self._generation = Table.of(rows), generation

    # ---- querying --------------------------------------------------------------------

    def queries(self, words: Sequence[str], schema: Schema, searcher: Searcher) -> list[Query]:
        """Optional, down-weighted clauses for the plain query words `words` (in query
        order): each known acronym's expansions as phrases, each expansion's acronyms.
        Nothing when no word is a known acronym or expansion."""
        table = self.table()
        if not table.expansions:
            return []
        n = max(searcher.num_docs, 1)

        def idf(term: str) -> float:
            df = searcher.doc_freq("text", term)
            return math.log(1 + (n - df + 0.5) / (df + 0.5))

        out: list[Query] = []
        for word in dict.fromkeys(words):
            key = word.lower()
            if key not in table.expansions and key.endswith("s"):
                key = key[:-1]  # `VLAs`
            if not _SHORT.fullmatch(word) or key not in table.expansions:
                continue
            literal = self.tokens("pt_text", word)
            if not literal:
                continue
            weight = WEIGHT * idf(literal[0])
            for long_terms in table.expansions[key]:
                phrase, total = self._phrase(long_terms, schema, idf)
                if phrase is not None:
                    out.append(Query.boost_query(phrase, weight / total))
            for form in self._forms(key):
                if form != literal[0]:  # `VLA` also finds `VLAs`, and the other way round
                    out.append(Query.boost_query(Query.term_query(schema, "text", form),
                                                 WEIGHT))
        terms = [t for word in words for t in self.tokens("pt_english", word)]
        i = 0
        while i < len(terms):  # the longest expansion starting at each word, left to right
            for length in range(min(table.longest, len(terms) - i), 1, -1):
                long_terms = tuple(terms[i:i + length])
                if long_terms in table.acronyms:
                    _, total = self._phrase(long_terms, schema, idf)
                    for key in table.acronyms[long_terms]:
                        for form in self._forms(key):
                            out.append(Query.boost_query(
                                Query.term_query(schema, "text", form),
                                WEIGHT * total / idf(form)))
                    i += length - 1
                    break
            i += 1
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
