"""The keyword index: BM25 over title, abstract, authors and categories with tantivy.

Why tantivy and not SQLite FTS5: over 1,046,192 real arXiv abstracts an FTS5 OR-query
ranked by `bm25()` took p50 424 ms / p95 1,181 ms, tantivy p50 5.3 ms / p95 16 ms — it
prunes with block-max WAND where FTS5 scores every match.

The index is derived data: a folder on this machine, filled from the catalog. It keeps
the catalog's highest `seq` it has indexed in `papertide-state.json`, written only after
tantivy has committed; on open (and after every ingest) it indexes whatever lies above
that mark, so a crash between the catalog's commit and the index's is repaired by the
next `catch_up`. Re-indexing a paper replaces it (delete by id, then add).

A paper the index cannot take (a row stored before the catalog checked dates, say) is
logged with its id and skipped, and never holds up the papers after it: the state file
lists it under `skipped` with the reason (`papertide stats` shows them) until a later
version of it indexes. The list is this machine's, like the index: it lives in the state
file, not in the database.

Query dates are clamped to the catalog's range (`catalog.clamp`), so any date a reader
types filters without error.

Pseudo-relevance feedback (RM3, `rerank`) re-orders the best 100 matches. It used to read
the ten feedback abstracts from the database and tokenise them per query (45 % of a
keyword search's time in a profile); now a feedback index beside this one (its `feedback`
folder) keeps each paper's ranking terms with their counts, and the database is not read.
Does feedback pay for its cost? SciFact train split in halves by sorted query id: A (its
settings were chosen on the whole set, A included) and B (held out here). nDCG@10 with /
without feedback: keyword A 0.7295 / 0.7196, B 0.6980 / 0.6863; hybrid A 0.7517 / 0.7515,
B 0.7313 / 0.7271; semantic unaffected. It gains on B as on A (+1.2 pt keyword, +0.4
hybrid), so it stays. The whole set with feedback, before and after the move to the index:
keyword 0.7137 / 0.7137, semantic 0.6618 / 0.6618, hybrid 0.7415 / 0.7415 (on A and B alike).
Measured again on the halves by numeric id (bench/bench_heldout.py), as feedback costs
3.4 ms of a 19 ms hybrid search on a 2-core AVX2 server: nDCG@10 tune / held without
feedback, keyword 0.7074 / 0.6994 (with it 0.7182 / 0.7104), hybrid 0.7418 / 0.7376 (with
it 0.7374 / 0.7462; held Δ −0.009 [−0.018, +0.001]). Hybrid without feedback wins on tune
and loses 0.9 pt on held: it stays in both modes.
"""

from __future__ import annotations

import logging
import math
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import tantivy
from markupsafe import Markup
from tantivy import Filter, Occur, Query, TextAnalyzerBuilder, Tokenizer

from papertide.catalog import (
    Catalog,
    Paper,
    UpsertResult,
    clamp,
    listing_time,
    paper_key,
    parse_arxiv_id,
)
from papertide.mathtext import to_plain
from papertide.search._acronyms import Acronyms
from papertide.search._names import bare_words, key, name_keys, query_text, spelled
from papertide.search._query import Clause, valid_text
from papertide.search._snippet import make_snippet
from papertide.search._state import StateFile

log = logging.getLogger(__name__)

# The schema's version, kept in the state file: an index written with another version is
# deleted on open and rebuilt from the catalog by the next `catch_up` (it is derived data),
# so an upgrade needs no manual step. 3: `listed`, what newest-first orders by. 4: math
# indexed as Unicode. 5: `text`, one ranking field over title + abstract, stop words.
# 6: the feedback index, each paper's ranking terms with their counts (feedback reads
# them, not the database). 7: names as typed (`_names`: scripts written on the line, the
# bare words, `names` for exact look-up of a short name or a title).
SCHEMA_VERSION = 7
# Plain words rank by one combined `text` field (title twice + abstract, stemmed, English
# stop words dropped) plus the authors; the per-field `title` and `abstract` (stop words
# kept, so phrases match word for word) serve `ti:`, `abs:` and quoted phrases. Measured on
# SciFact train, keyword nDCG@10 (bm25s, the plain baseline: 0.6964): separate title and
# abstract fields 0.666 (a boost on the title field made it worse: ×1.5 0.635, ×2 0.612);
# one combined field with stop words, hyphenated words split 0.6985; + RM3 re-ranking
# 0.7068; + the title twice in the combined field 0.7137 (hybrid 0.7405 → 0.7427).
WORD_FIELDS = ("text", "authors")
# Pseudo-relevance feedback (RM3) re-ranking the best `RERANKED` matches. SciFact train
# nDCG@10, keyword / hybrid, measured over all matches: none 0.6985 / 0.7358; 10 papers,
# 10 terms, weight 0.3: 0.7079 / 0.7413; weight 0.2 0.7055 / 0.7383; 0.4 0.7038 / 0.7396;
# 5 papers 0.7085 / 0.7402; 20 terms 0.7082 / 0.7383. Re-ranking only the best 100 keeps
# block-max WAND for the first pass: the figures in bench/bench_relevance.py are that.
# Whether it pays on queries it was not tuned on: see the module docstring. Chosen on one
# half (claims by numeric id, bench/bench_heldout.py: papers 3/5/10 × terms 10/20 × weight
# 0.2/0.3/0.5), the best on `tune` gains nothing on `held`: keyword −0.001 [−0.004, +0.000],
# hybrid +0.000 [−0.003, +0.004] (paired, 95 %). These settings stay.
# Scoring the feedback terms over the 100 costs more CPU than the first pass (the ten
# terms are common words, and tantivy walks their postings in windows around each paper);
# over only the best 30 it cost half, and SciFact train barely moved (nDCG@10 keyword
# 0.7137 → 0.7128, hybrid 0.7415 → 0.7412), but a paper that writes only an acronym then
# no longer rose into the first page for its expansion (tests/search/test_acronyms.py):
# feedback scores all 100. Fewer feedback terms would cut that query's cost in proportion
# (ten look-ups in each of the 100 papers, about 0.8 µs each), but cost relevance: SciFact
# train nDCG@10 keyword / hybrid, all claims, 10 terms 0.7143 / 0.7421 (hybrid re-fused on
# the same candidates); 7 terms 0.7114 / 0.7406; 5 terms 0.7119 / 0.7395; 3 terms 0.7089 /
# 0.7415. Ten is also the best on the tune half, so ten it stays.
RERANKED = 100
FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 10
FEEDBACK_WEIGHT = 0.3
PHRASE_FIELDS = ("title", "abstract")
# Known-item search (bench/bench_known_item.py): a query that is a paper's short name or
# whole title (`names`), or a run of its title's words in order (a phrase in `title`),
# adds these weights to that paper's score when the query is a look-up (it names a few
# papers: `SearchService._look_up`). See `title_match`. Chosen on the tune half of the
# draws (500 of each kind), success@1 short name / 4-word span, keyword over 74,728
# papers, the boost then on every query: none 0.81 / 0.56; name 3, phrase 1: 0.954 /
# 0.938; 1 and 0.5: 0.956 / 0.942; 10 and 3: 0.954 / 0.940 (a plateau). SciFact train
# nDCG@10 unchanged in every mode and on both halves (claims are sentences: no title
# holds one).
NAME_BOOST = 3.0
PHRASE_BOOST = 1.0


def _analyzers() -> dict[str, tantivy.TextAnalyzer]:
    words = TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.remove_long(40))
    words = words.filter(Filter.lowercase()).filter(Filter.ascii_fold())
    names = (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.lowercase())
        .filter(Filter.ascii_fold())
    )
    ranking = TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.remove_long(40))
    ranking = ranking.filter(Filter.lowercase()).filter(Filter.ascii_fold())
    return {
        "pt_english": words.filter(Filter.stemmer("english")).build(),
        "pt_text": ranking.filter(Filter.stopword("english"))
        .filter(Filter.stemmer("english")).build(),
        "pt_name": names.build(),
        "pt_code": TextAnalyzerBuilder(Tokenizer.raw()).filter(Filter.lowercase()).build(),
    }


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_unsigned_field("key", fast=True)  # catalog.paper_key(id): ids without doc fetches
    builder.add_text_field("arxiv", tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name="pt_english")
    # The title's and its short name's keys (`_names.name_keys`): a query naming a paper.
    builder.add_text_field("names", tokenizer_name="raw")
    builder.add_text_field("abstract", tokenizer_name="pt_english")
    builder.add_text_field("text", tokenizer_name="pt_text")  # title + abstract: ranking
    builder.add_text_field("authors", tokenizer_name="pt_name")
    builder.add_text_field("categories", tokenizer_name="pt_code")
    builder.add_date_field("published", indexed=True, fast=True)
    # The listing time (`catalog.listing_time`): newest first orders by it, and papers
    # without one (files without dates) come after all dated ones.
    builder.add_date_field("listed", fast=True)
    return builder.build()


def _feedback_schema() -> tantivy.Schema:
    """The feedback index beside the keyword index (its `feedback` folder): per paper, the
    ranking terms of title + abstract with their counts ("term count term count …"; terms
    are alphanumeric), which feedback (`rerank`) weighs. A folder of its own keeps the
    keyword index's stored documents small: every search reads the ids of its best 100
    matches from them, and 1 KB of terms beside each id made that 4× slower."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_bytes_field("bag", stored=True)
    return builder.build()


def _heaviest(bags: list[bytes], weights: list[float],
              asked: set[str]) -> list[tuple[str, float]]:
    """The `FEEDBACK_TERMS` terms that weigh most in these feedback papers' term bags (each
    paper's term frequencies times its share of the weight; ties by term), leaving out
    the asked ones. Terms stay bytes until chosen, and the cut is a sort of the masses
    alone, not a keyed heap over every term: half the CPU of decoding each of a query's
    thousand terms, with the same sums in the same order."""
    norm = sum(weights)
    mass: dict[bytes, float] = {}
    get = mass.get
    for bag, weight in zip(bags, weights, strict=True):
        parts = bag.split()
        counts = list(map(int, parts[1::2]))
        share = weight / norm / max(sum(counts), 1)
        for term, n in zip(parts[::2], counts, strict=True):
            mass[term] = get(term, 0.0) + n * share
    for word in asked:
        mass.pop(word.encode(), None)
    if not mass:
        return []
    masses = sorted(mass.values(), reverse=True)
    least = masses[min(FEEDBACK_TERMS, len(masses)) - 1]
    heaviest = sorted((-m, t) for t, m in mass.items() if m >= least)[:FEEDBACK_TERMS]
    return [(t.decode(), -m) for m, t in heaviest]


@dataclass
class Filters:
    since: datetime | None = None
    until: datetime | None = None
    category: str | None = None
    author: str | None = None

    def __bool__(self) -> bool:
        return any((self.since, self.until, self.category, self.author))


class _Writers:
    """The keyword index's writer and the feedback index's, used as one. The feedback
    index commits first: a crash between the two leaves papers with terms and no
    document, never a document without its terms (and the mark, written after both,
    re-indexes them)."""

    def __init__(self, main: tantivy.IndexWriter, feedback: tantivy.IndexWriter) -> None:
        self.main, self.feedback = main, feedback

    def delete(self, paper_id: str) -> None:
        self.main.delete_documents_by_term("id", paper_id)
        self.feedback.delete_documents_by_term("id", paper_id)

    def add(self, document: tantivy.Document, bag: tantivy.Document) -> None:
        self.feedback.add_document(bag)
        self.main.add_document(document)

    def delete_all_documents(self) -> None:
        self.feedback.delete_all_documents()
        self.main.delete_all_documents()

    def commit(self) -> None:
        self.feedback.commit()
        self.main.commit()

    def wait_merging_threads(self) -> None:
        self.feedback.wait_merging_threads()
        self.main.wait_merging_threads()

    def rollback(self) -> None:
        self.feedback.rollback()
        self.main.rollback()


@dataclass
class Matches:
    """The best matches of a query: (id, score) pairs, their addresses in `searcher`, and
    how many papers match in all."""

    searcher: tantivy.Searcher
    hits: list[tuple[str, float]]
    addresses: list[tantivy.DocAddress]
    count: int


class IndexBusy(RuntimeError):
    """Another process holds the index writer (it is catching the index up itself)."""


class KeywordIndex:
    def __init__(self, path: Path, catalog: Catalog) -> None:
        self.path = Path(path)
        self.catalog = catalog
        self.schema = _schema()
        self.analyzers = _analyzers()
        self._write_lock = threading.Lock()
        self._reloaded_at = 0.0
        self._stems: dict[str, str | None] = {}  # word → its ranking term (snippets)
        self.acronyms: Acronyms | None = None  # the mined pairs (`_acronyms`), when kept
        self.state = StateFile(self.path)
        self._open()

    def _open(self) -> None:
        if self.state.read().get("schema") not in (None, SCHEMA_VERSION):
            shutil.rmtree(self.path, ignore_errors=True)  # derived data: rebuild on new schema
        self.path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, str(self.path), reuse=True)
        for name, analyzer in self.analyzers.items():
            self.index.register_tokenizer(name, analyzer)
        (self.path / "feedback").mkdir(exist_ok=True)
        self.feedback_schema = _feedback_schema()
        self.feedback = tantivy.Index(self.feedback_schema, str(self.path / "feedback"),
                                      reuse=True)

    # ---- high-water mark -------------------------------------------------------------

    @property
    def indexed_seq(self) -> int:
        return int(self.state.read().get("seq", 0))

    @property
    def skipped(self) -> dict[str, str]:
        """The papers this index could not take, by id, with the reason."""
        skipped = self.state.read().get("skipped", {})
        return skipped if isinstance(skipped, dict) else {}

    def _write_state(self, seq: int, skipped: dict[str, str]) -> None:
        self.state.write(seq=seq, schema=SCHEMA_VERSION, skipped=skipped)

    def _index(self, writer: _Writers, paper: Paper, skipped: dict[str, str],
               replace: bool = True) -> bool:
        """Add (or replace) one paper; a paper the index cannot take is logged, noted in
        `skipped` and left out, so that it never holds up the others."""
        try:
            document, bag = self._document(paper)
            if replace:
                writer.delete(paper.id)
            writer.add(document, bag)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"[:300]
            log.error("keyword index: paper %s skipped: %s", paper.id, reason)
            skipped[paper.id] = reason
            return False
        skipped.pop(paper.id, None)
        return True

    # ---- writing ---------------------------------------------------------------------

    def _document(self, paper: Paper) -> tuple[tantivy.Document, tantivy.Document]:
        """The paper's document in the keyword index and in the feedback index."""
        doc = tantivy.Document()
        doc.add_text("id", paper.id)
        doc.add_unsigned("key", paper_key(paper.id))
        if paper.arxiv_id:
            doc.add_text("arxiv", paper.arxiv_id)
        plain_title = to_plain(paper.title)  # "Ω(n²d)", not "$…$"
        # Scripts on the line (`D²LoRA` → `D2LoRA`), as queries are written (`_names`).
        title, abstract = spelled(plain_title), spelled(to_plain(paper.abstract))
        doc.add_text("title", title)
        doc.add_text("abstract", abstract)
        # The title twice: a word in it counts double (a BM25F-style title weight). Its
        # scripted words also bare (`GSBAKᴷ` is found as `GSBAK`).
        bare = " ".join(bare_words(plain_title))
        doc.add_text("text", f"{title}\n{title}\n{abstract}" + (f"\n{bare}" if bare else ""))
        for name in name_keys(plain_title):
            doc.add_text("names", name)
        for name in paper.authors:
            doc.add_text("authors", name)
        for category in paper.categories:
            doc.add_text("categories", category)
        if paper.published:
            doc.add_date("published", paper.published)
        listed = listing_time(paper)
        if listed:
            doc.add_date("listed", listed)
        bag = tantivy.Document()
        bag.add_text("id", paper.id)
        counts = Counter(self.analyzers["pt_text"].analyze(f"{title}\n{abstract}"))
        bag.add_bytes("bag", " ".join(f"{term} {n}" for term, n in counts.items()).encode())
        return doc, bag

    def _writers(self) -> _Writers:
        try:
            return _Writers(self.index.writer(heap_size=128_000_000, num_threads=1),
                            self.feedback.writer(heap_size=32_000_000, num_threads=1))
        except ValueError as exc:
            raise IndexBusy(str(exc)) from exc

    def catch_up(self, on_progress: Callable[[int, int], None] | None = None, *,
                 rebuild: bool = False) -> int:
        """Index every paper the catalog changed above the high-water mark; returns how
        many. `on_progress(done, total)` is called as it goes."""
        with self._write_lock:
            start = 0 if rebuild else self.indexed_seq
            # Batches commit in seq order, so everything up to `top` is committed now;
            # what commits later lies above the new mark and is picked up next time.
            top = self.catalog.max_seq()
            total = self.catalog.count(after_seq=start, upto_seq=top)
            if total == 0 and not rebuild:
                return 0
            writer = self._writers()
            done = 0
            skipped = {} if rebuild else self.skipped
            try:
                if rebuild:
                    writer.delete_all_documents()
                for paper in self.catalog.iter_papers(after_seq=start, upto_seq=top):
                    done += self._index(writer, paper, skipped, replace=not rebuild)
                    if on_progress and done % 2000 == 0:
                        on_progress(done, total)
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
            # The mark moves only after tantivy's commit: a crash before it re-indexes.
            self._write_state(top, skipped)
            self.reload()
            if on_progress:
                on_progress(done, total)
            return done

    @contextmanager
    def feeding(self) -> Iterator[Callable[[UpsertResult], None] | None]:
        """While an ingest runs: index each committed batch straight from memory (tantivy
        indexes on its own threads meanwhile). On exit, commit; the mark moves to the last
        batch's seq only if the batches fed were exactly the ones above the old mark (no
        other writer slipped in between). Yields None if another process holds the writer."""
        with self._write_lock:
            try:
                writer = self._writers()
            except IndexBusy:
                yield None
                return
            start = self.indexed_seq
            skipped = self.skipped
            seqs: list[int] = []

            def feed(result: UpsertResult) -> None:
                for paper in result.changed:
                    self._index(writer, paper, skipped)
                if result.seq is not None:
                    seqs.append(result.seq)

            try:
                yield feed
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
            contiguous = seqs == list(range(start + 1, start + 1 + len(seqs)))
            self._write_state(seqs[-1] if seqs and contiguous else start, skipped)
            self.reload()

    def rebuild(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        return self.catch_up(on_progress, rebuild=True)

    # ---- querying --------------------------------------------------------------------

    def tokens(self, analyzer: str, text: str) -> list[str]:
        """A query's terms: its text written as the index writes titles (`_names`)."""
        return self.analyzers[analyzer].analyze(query_text(text))

    def title_match(self, clauses: list[Clause]) -> Query | None:
        """The papers a query names: its words (in order, exclusions and other fields left
        out) are a paper's short name or whole title (`names`), or a phrase of its title.
        None when the query has no such words."""
        text = " ".join(c.text for c in clauses
                        if c.occur != "must_not" and c.field in (None, "title"))
        if not text.strip():
            return None
        parts = []
        name = key(query_text(text))
        if name:
            parts.append(Query.boost_query(Query.term_query(self.schema, "names", name),
                                           NAME_BOOST))
        words = self.tokens("pt_english", text)
        if len(words) >= 2:
            parts.append(Query.boost_query(Query.phrase_query(
                self.schema, "title", list[str | tuple[int, str]](words)), PHRASE_BOOST))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Query.boolean_query(
            [(Occur.Should, q) for q in parts])

    def _field_query(self, field: str, text: str) -> Query | None:
        if field == "id":
            parsed = parse_arxiv_id(text)
            queries = [Query.term_query(self.schema, "id", text)]
            if parsed:
                queries.append(Query.term_query(self.schema, "arxiv", parsed[0]))
            return Query.boolean_query([(Occur.Should, q) for q in queries])
        if field == "categories":
            code = text.lower()
            if not re.fullmatch(r"[a-z][a-z\-]*(\.[a-z\-]+)?", code):
                return None
            if "." in code:
                return Query.term_query(self.schema, "categories", code)
            return Query.regex_query(self.schema, "categories", re.escape(code) + r"(\..+)?")
        analyzer = "pt_name" if field == "authors" else "pt_english"
        words = self.tokens(analyzer, text)
        if not words:
            return None
        if len(words) == 1:
            return Query.term_query(self.schema, field, words[0])
        # A quoted phrase, a name, or a hyphenated word (`multi-agent`): words in order.
        return Query.phrase_query(self.schema, field, list[str | tuple[int, str]](words))

    def _field_queries(self, clause: Clause, stop_words: bool = True) -> list[Query]:
        """One query per field the clause searches (a field prefix names just one). A plain
        word searches the combined `text` field (stop words dropped, unless `stop_words` is
        False: a query of nothing but stop words) and the authors; a phrase or a hyphenated
        word matches word for word in the title or the abstract."""
        if clause.field:
            query = self._field_query(clause.field, clause.text)
            return [query] if query is not None else []
        fields: tuple[str, ...] = WORD_FIELDS
        if clause.phrase or not stop_words or (
                self.required(clause) and len(self.tokens("pt_english", clause.text)) > 1):
            fields = PHRASE_FIELDS + ("authors",)  # `+multi-agent`: the words in order
        queries = []
        for field in fields:
            if field == "text":
                # A hyphenated word (`IL-6`, `multi-agent`) ranks by each of its parts (a
                # bonus for the parts in order measured worse on SciFact: 0.7137 → 0.7064).
                # (The title field as well, for a title bonus: 0.7137 → 0.6687.)
                queries += [Query.term_query(self.schema, "text", word)
                            for word in dict.fromkeys(self.tokens("pt_text", clause.text))]
                continue
            query = self._field_query(field, clause.text)
            if query is not None:
                queries.append(query)
        if "." in clause.text and not clause.phrase:
            query = self._field_query("categories", clause.text)
            if query is not None:
                queries.append(query)
        return queries

    def _clause_query(self, clause: Clause) -> Query | None:
        # `+the`: a demanded stop word is matched word for word, not dropped.
        stop_words = bool(clause.field or self.tokens("pt_text", clause.text))
        queries = self._field_queries(clause, stop_words)
        if len(queries) <= 1:
            return queries[0] if queries else None
        return Query.boolean_query([(Occur.Should, q) for q in queries])

    @staticmethod
    def required(clause: Clause) -> bool:
        """Whether every result must satisfy the clause: `+word`, a quoted phrase and a field
        prefix are what a reader demands, in every mode; plain words only rank."""
        return clause.occur == "must" or (
            clause.occur == "should" and (clause.phrase or clause.field is not None))

    def text_query(self, clauses: list[Clause]) -> Query | None:
        """The BM25 query for parsed clauses; None when nothing in them is searchable.
        No clauses at all means every paper (browsing by filters)."""
        if not clauses:
            return Query.all_query()
        plain = [c for c in clauses if c.occur == "should" and not self.required(c)]
        # A query of stop words alone ("the who") still searches for them.
        stop_words = not plain or any(self.tokens("pt_text", c.text) for c in plain)
        parts = []
        seen: set[str] = set()
        for clause in clauses:
            if not self.required(clause) and clause.occur == "should":
                # Flat: a union of plain term queries is what block-max WAND can prune;
                # the score is the same sum as a nested "any field" query would give. A
                # word said twice counts once (as in plain BM25 over the query's terms).
                for word in self._field_queries(clause, stop_words):
                    if repr(word) not in seen:
                        seen.add(repr(word))
                        parts.append((Occur.Should, word))
                continue
            demand = self._clause_query(clause)
            if demand is None and self.required(clause):
                return None  # a demand nothing can meet: no paper matches
            if demand is not None:
                occur = Occur.MustNot if clause.occur == "must_not" else Occur.Must
                parts.append((occur, demand))
        if self.acronyms is not None and plain:  # `VLA` ↔ "vision-language-action", weighted less
            parts += [(Occur.Should, q) for q in self.acronyms.queries(
                [c.text for c in plain], self.schema, self.searcher())]
        if not any(occur != Occur.MustNot for occur, _ in parts):
            if not parts:
                return None
            parts.append((Occur.Must, Query.all_query()))
        return Query.boolean_query(parts)

    def constraint_query(self, clauses: list[Clause]) -> Query | None:
        """Only what the clauses demand (required clauses and exclusions), no ranking words:
        the papers a semantic candidate must be among. None when nothing is demanded."""
        demanded = [c for c in clauses if self.required(c) or c.occur == "must_not"]
        if not any(self.required(c) for c in demanded):
            return None
        return self.text_query(demanded) or Query.empty_query()

    def term_weights(self, clauses: list[Clause]) -> list[tuple[str, int, float]]:
        """(term, document frequency, idf) of the plain words' terms in the ranking field."""
        searcher = self.searcher()
        n = max(searcher.num_docs, 1)
        out = []
        seen = set()
        for clause in clauses:
            if clause.occur == "must_not" or clause.field or clause.phrase:
                continue
            for term in self.tokens("pt_text", clause.text):
                if term in seen:
                    continue
                seen.add(term)
                df = searcher.doc_freq("text", term)
                out.append((term, df, math.log(1 + (n - df + 0.5) / (df + 0.5))))
        return out

    def rerank(self, query: Query, clauses: list[Clause], top: Matches) -> list[tuple[str, float]]:
        """These best matches of the query, re-ordered by pseudo-relevance feedback (RM3):
        the words that weigh most in the first `FEEDBACK_DOCS` of them (each paper's term
        frequencies weighted by its softmaxed BM25 score) join the query as optional terms
        with `FEEDBACK_WEIGHT` of the weight. Only their order changes: no paper joins or
        leaves, and papers below `top` keep their BM25 order. Measured on SciFact train in
        bench/bench_relevance.py (see `FEEDBACK_WEIGHT`).

        Everything comes from the indexes, nothing from the database: the feedback papers'
        term counts from the feedback index (`_feedback_schema`), and the feedback terms'
        BM25 over the top papers from one query restricted to them (the first pass's scores
        are kept, not computed again)."""
        hits = top.hits
        if len(hits) < 2:
            return hits
        asked = {t for c in clauses for t in self.tokens("pt_text", c.text)}
        searcher = top.searcher
        feedback = hits[:FEEDBACK_DOCS]
        best = max(score for _, score in feedback)
        weights = [math.exp(score - best) for _, score in feedback]
        bags = self._bags([pid for pid, _ in feedback])
        terms = _heaviest([bags.get(pid, b"") for pid, _ in feedback], weights, asked)
        if not terms:
            return hits
        heaviest = terms[0][1]
        among = self._among([pid for pid, _ in hits])
        expanded = Query.boolean_query(
            [(Occur.Must, Query.const_score_query(among, 0.0))]
            + [(Occur.Should, Query.boost_query(Query.term_query(self.schema, "text", w),
                                                FEEDBACK_WEIGHT * m / heaviest))
               for w, m in terms])
        extra = {(a.segment_ord, a.doc): float(score)
                 for score, a in searcher.search(expanded, len(hits), count=False).hits}
        # The expanded query's score: the id set's constant 1, the query at 1 - weight and
        # the feedback terms; equal scores keep the first pass's order.
        scored = [(1.0 + (1 - FEEDBACK_WEIGHT) * score
                   + extra.get((a.segment_ord, a.doc), 0.0), i, pid)
                  for i, ((pid, score), a) in enumerate(zip(hits, top.addresses, strict=True))]
        scored.sort(key=lambda x: (-x[0], x[1]))
        return [(pid, score) for score, _, pid in scored]

    def _among(self, ids: Sequence[str]) -> Query:
        """The papers with these ids, at a constant score. For a few hundred ids a union of
        term queries (one dictionary lookup each) took half the time of a term-set query,
        which walks the id dictionary (100 ids over 100,000 papers: 0.65 vs 1.14 ms)."""
        if len(ids) > 500:
            return Query.term_set_query(self.schema, "id", list(ids))
        return Query.const_score_query(Query.boolean_query(
            [(Occur.Should, Query.term_query(self.schema, "id", pid)) for pid in ids]), 1.0)

    def _bags(self, ids: list[str]) -> dict[str, bytes]:
        """The feedback index's term counts of these papers, by id (one search)."""
        searcher = self.feedback.searcher()
        query = Query.boolean_query([(Occur.Should, Query.term_query(self.feedback_schema, "id",
                                                                     pid)) for pid in ids])
        out = {}
        for _, address in searcher.search(query, len(ids), count=False).hits:
            doc = searcher.doc(address)
            out[doc["id"][0]] = doc["bag"][0]
        return out

    def filter_query(self, filters: Filters) -> list[Query]:
        queries = []
        if filters.since or filters.until:
            since = clamp(filters.since) if filters.since else None
            until = clamp(filters.until) if filters.until else None
            queries.append(Query.range_query(
                self.schema, "published", tantivy.FieldType.Date, since, until))
        if filters.category:
            query = self._field_query("categories", valid_text(filters.category).strip())
            queries.append(query if query is not None else Query.empty_query())
        if filters.author:
            query = self._field_query("authors", valid_text(filters.author))
            queries.append(query if query is not None else Query.empty_query())
        return queries

    def reload(self) -> None:
        """Pick up what another process committed."""
        self.index.reload()
        self.feedback.reload()
        self._reloaded_at = time.monotonic()

    def searcher(self) -> tantivy.Searcher:
        if time.monotonic() - self._reloaded_at > 1.0:  # pick up commits by other processes
            self.reload()
        return self.index.searcher()

    def _filtered(self, query: Query, filters: Filters) -> Query:
        filter_queries = self.filter_query(filters)
        if not filter_queries:
            return query
        return Query.boolean_query(
            [(Occur.Must, query)]
            + [(Occur.Must, Query.const_score_query(q, 0.0)) for q in filter_queries])

    def search(self, query: Query, filters: Filters, limit: int, offset: int = 0,
               newest_first: bool = False) -> list[tuple[str, float]]:
        """(paper id, BM25 score) pairs, best first (or newest listing first, undated last).
        Equal scores keep the index's own order, which is fixed while the index is."""
        query = self._filtered(query, filters)
        searcher = self.searcher()
        if limit <= 0:
            return []
        if newest_first:
            result = searcher.search(query, limit, count=False, offset=offset,
                                     order_by_field="listed")
        else:
            result = searcher.search(query, limit, count=False, offset=offset)
        # Ordered by date, the key is nanoseconds since the epoch (None for undated papers).
        return [(searcher.doc(address)["id"][0], float(key or 0.0)) for key, address in result.hits]

    def top(self, query: Query, filters: Filters, limit: int,
            bonus: dict[str, float] | None = None) -> Matches:
        """The best `limit` matches by BM25 and how many match in all, in one pass (a
        count beside the top matches costs little more than the top matches alone, and a
        second pass to count cost as much again).

        `bonus` adds to some papers' scores (a look-up's title match, `title_match`): the
        order is the one of the query with those scores added, without a costlier query."""
        searcher = self.searcher()
        filtered = self._filtered(query, filters)
        result = searcher.search(filtered, max(limit, 1), count=True)
        found = [(searcher.doc(a)["id"][0], float(s), a) for s, a in result.hits[:limit]]
        if bonus:
            found = self._with_bonus(searcher, filtered, found, bonus)[:limit]
        return Matches(searcher, [(pid, score) for pid, score, _ in found],
                       [a for _, _, a in found],
                       int(result.count))  # type: ignore[attr-defined]  # (missing from stubs)

    def _with_bonus(self, searcher: tantivy.Searcher, query: Query,
                    found: list[tuple[str, float, tantivy.DocAddress]],
                    bonus: dict[str, float]) -> list[tuple[str, float, tantivy.DocAddress]]:
        """These matches and the bonus papers that match the query too, each with its bonus
        added, best first (equal scores in the index's order, as tantivy orders them)."""
        shown = {pid for pid, _, _ in found}
        missing = [pid for pid in bonus if pid not in shown]
        if missing:
            only = Query.boolean_query([(Occur.Must, query), (Occur.Must, Query.const_score_query(
                self._among(missing), 0.0))])
            found = found + [(searcher.doc(a)["id"][0], float(s), a)
                             for s, a in searcher.search(only, len(missing), count=False).hits]
        found = [(pid, score + bonus.get(pid, 0.0), a) for pid, score, a in found]
        found.sort(key=lambda x: (-x[1], x[2].segment_ord, x[2].doc))
        return found

    def count(self, query: Query, filters: Filters) -> int:
        """How many papers match the query and the filters."""
        result = self.searcher().search(self._filtered(query, filters), 1, count=True)
        return int(result.count)  # type: ignore[attr-defined]  # (missing from the stubs)

    def matching(self, query: Query, among: list[str]) -> set[str]:
        """Those of these paper ids that match the query."""
        return self.matching_each([query], among)[0]

    def matching_each(self, queries: list[Query], among: list[str]) -> list[set[str]]:
        """For each query, those of these paper ids that match it: one search for them all
        (each query scores a power of two, so a match's score says which it matches), as
        finding the ids costs more than matching them."""
        if not among or not queries:
            return [set() for _ in queries]
        searcher = self.searcher()
        both = Query.boolean_query(
            [(Occur.Must, Query.const_score_query(self._among(among), 0.0))]
            + [(Occur.Should, Query.const_score_query(q, float(2 ** i)))
               for i, q in enumerate(queries)])
        hits = searcher.search(both, len(among), count=False).hits
        # The matches' keys from the fast field, not their ids from the stored documents
        # (a document read each).
        keys = searcher.fast_field_values("key", [a for _, a in hits])
        found: list[set[int]] = [set() for _ in queries]
        for (score, _), paper in zip(hits, keys, strict=True):
            bits = round(score)
            for i, keys_of in enumerate(found):
                if bits >> i & 1:
                    keys_of.add(int(paper or 0))
        keyed = [(pid, paper_key(pid)) for pid in among]
        return [{pid for pid, key in keyed if key in keys_of} for keys_of in found]

    def filter_keys(self, filters: Filters, among: list[str] | None = None,
                    excluded: Sequence[Clause] = (), required: Query | None = None) -> set[int]:
        """`paper_key`s of the papers that pass the filters, match none of the excluded
        clauses and match the `required` query (only those `among` these ids, when given)."""
        if among is not None and not among:
            return set()
        parts = [(Occur.Must, q) for q in self.filter_query(filters)]
        for clause in excluded:
            query = self._clause_query(clause)
            if query is not None:
                parts.append((Occur.MustNot, query))
        if required is not None:
            parts.append((Occur.Must, required))
        if among is not None:
            parts.append((Occur.Must, self._among(among)))
        if not any(occur == Occur.Must for occur, _ in parts):
            parts.append((Occur.Must, Query.all_query()))
        searcher = self.searcher()
        limit = len(among) if among is not None else max(searcher.num_docs, 1)
        result = searcher.search(Query.boolean_query(parts), limit, count=False,
                                 order_by_field="key")
        return {int(key) for key, _ in result.hits}

    def snippets(self, clauses: list[Clause], papers: list[Paper],
                 max_chars: int = 320) -> list[Markup]:
        """Snippets of the abstracts with the query's words in <b> (see `_snippet`)."""
        terms = {term for clause in clauses
                 if clause.occur != "must_not" and clause.field in (None, "title", "abstract")
                 for term in self.tokens("pt_text", clause.text)}
        if self.acronyms is not None:  # `VLA` lights up "vision-language-action" too
            terms |= self.acronyms.terms([c.text for c in clauses if c.occur == "should"
                                          and not self.required(c)], self.searcher())

        stems = self._stems
        if len(stems) > 200_000:  # words repeat across abstracts: a bounded memo
            stems.clear()

        def stem(word: str) -> str | None:
            if word not in stems:
                found = self.tokens("pt_text", word)
                stems[word] = found[0] if found else None
            return stems[word]

        return [make_snippet(to_plain(p.abstract), terms, stem, max_chars) for p in papers]

    def num_docs(self) -> int:
        return self.searcher().num_docs
