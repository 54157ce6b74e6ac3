"""Search among a given set of papers (a reader's library): the same query language and
modes as the catalog's search, ranked among those papers only.

    ranked, mode = rank_among(service, '"gaussian splatting" -survey', saved_ids, "hybrid")

Keyword: BM25 with the set as a condition of the query, so the scores are the catalog's.
By meaning: the exact nearest among the set's vectors that satisfy what the query demands
(phrases, +words, field prefixes, exclusions), above the similarity floor, as in search.
Hybrid fuses the two as search does. A set holds a library's papers (hundreds or
thousands), so every step reads the whole set at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tantivy import Occur, Query

from papertide.options import Mode
from papertide.search._hybrid import fuse
from papertide.search._keyword import Filters
from papertide.search._query import parse, positive_text, valid_text

if TYPE_CHECKING:
    from papertide.search import SearchService


def rank_among(service: SearchService, query: str, ids: Sequence[str],
               mode: Mode) -> tuple[list[tuple[str, float]], Mode]:
    """(paper id, score) of the papers of `ids` that match `query`, best first, and the
    mode that ran (keyword when there is nothing to embed or no index for meaning)."""
    among = list(dict.fromkeys(ids))
    clauses = parse(valid_text(query or ""))
    keyword = service.keyword
    text_query = keyword.text_query(clauses)
    if not among or not clauses or text_query is None:
        return [], "keyword"
    text = positive_text(query)
    if mode != "keyword" and (not text.strip() or not service.semantic_ready()):
        mode = "keyword"
    restricted = Query.boolean_query([
        (Occur.Must, text_query),
        (Occur.Must, Query.term_set_query(keyword.schema, "id", among))])
    by_words = keyword.search(restricted, Filters(), len(among))
    if mode == "keyword":
        return by_words, mode
    allowed = keyword.filter_keys(Filters(), among,
                                  [c for c in clauses if c.occur == "must_not"],
                                  keyword.constraint_query(clauses))
    settings = service.settings
    floor = settings.search_floor if by_words else settings.search_floor_alone
    semantic = service.semantic
    semantic.vectors.refresh(every=1.0)
    nearest = semantic.vectors.search(semantic.query_vector(text), len(allowed),
                                      rows=semantic.vectors.rows_for_keys(allowed))
    by_meaning = [(pid, score) for pid, score in nearest if score >= floor]
    if mode == "semantic":
        return by_meaning, mode
    return fuse(by_words, by_meaning, semantic_low=floor), mode
