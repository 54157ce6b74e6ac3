"""A search page costs one database statement: the page's papers. Feedback re-ranking,
totals and snippets come from the index."""

from sqlalchemy import event

from papertide.search import parse


def statements_during(services, action):
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = services.catalog.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        result = action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return result, [s for s in seen if s.lstrip().upper().startswith("SELECT")]


def test_a_keyword_page_reads_its_papers_in_one_statement(demo_services):
    search = demo_services.search
    query = "language models reasoning alignment"  # plain words: feedback re-ranks them
    assert any(c.occur == "should" for c in parse(query))
    search.search("warm up", mode="keyword")
    page, selects = statements_during(
        demo_services, lambda: search.search(query, mode="keyword", limit=10))
    assert len(page.hits) == 10 and page.total > 10
    assert all("<b>" in h.snippet for h in page.hits)
    assert len(selects) == 1, selects
    assert "abstract" in selects[0] and "comment" not in selects[0]
