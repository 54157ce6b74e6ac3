"""Property tests over the query language: any text parses into clauses, any clauses
become an index query (or none), and any search, with any filters, answers a page,
never an exception."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papertide.search import Filters, parse
from papertide.search._query import Clause, positive_text
from tests.strategies import any_text

pytestmark = pytest.mark.fuzz

PIECES = ['"', "-", "+", "ti:", "au:", "abs:", "cat:", "id:", "C:", "http:", "*", "(", ")",
          "NEAR(", "~", "^", ":", "cs.LG", "cat:cs", "cat:.", "id:hep-th/9901001", "multi-agent",
          " ", "\t", "\x00", "x" * 60, "İ", "ﬁ", "２０２４", "-\"a b\"", "+\"\""]
queries = st.lists(st.sampled_from(PIECES) | any_text, max_size=8).map("".join)
moments = st.one_of(st.none(), st.datetimes(min_value=datetime(1, 1, 1),
                                            max_value=datetime(9999, 12, 31)))


@given(text=queries)
def test_any_text_parses_into_clauses(text):
    clauses = parse(text)
    assert all(isinstance(c, Clause) and c.text.strip() for c in clauses)
    assert isinstance(positive_text(text), str)


@given(text=queries)
def test_any_clauses_become_an_index_query_or_none(text, demo_services):
    demo_services.search.keyword.text_query(parse(text))


@given(text=queries, since=moments, until=moments, category=st.one_of(st.none(), any_text),
       author=st.one_of(st.none(), any_text),
       sort=st.sampled_from(["relevance", "new", "trending"]), offset=st.integers(0, 300))
def test_any_search_answers_a_page(text, since, until, category, author, sort, offset,
                                   demo_services):
    page = demo_services.search.search(text, Filters(since, until, category, author), sort,
                                       "keyword", 10, offset)
    assert len(page.hits) <= 10
    if since and until and since > until:
        assert page.hits == [] and page.note
