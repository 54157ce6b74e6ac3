"""The arXiv API (Atom) in its legacy and its current response format: the same five
recorded queries each, id lookups with unknown ids, the API's error answer, and the
`arxiv-api` live source."""

from datetime import date, datetime

import pytest

from papertide.sources import fetch
from papertide.sources.arxiv_api import ArxivApiError, category_query, lookup, query
from tests.sources.conftest import API, Reply

FORMATS = ["old_format_2025-08", "new_format_2025-11"]
QUERIES = {  # the query each recorded file answers
    "query_all_electron_AND_all_proton.xml": {"search_query": "all:electron AND all:proton"},
    "query_cat_math.CA_AND_ti_diffuse.xml": {"search_query": "cat:math.CA AND ti:diffuse"},
    "query_id_list_2206.06921.xml": {"id_list": "2206.06921"},
    "query_id_list_2201.13452-13455_missing_ids.xml": {
        "id_list": "2201.13455,2201.13452,2201.13453,2201.13454"
    },
    "query_id_list_1201.56789_empty.xml": {"id_list": "1201.56789"},
}
# (papers, id-less entries, totalResults) per format, as recorded.
EXPECTED = {
    "old_format_2025-08": [(10, 0, 7370), (10, 0, 96), (1, 0, 1), (1, 3, 4), (0, 0, 1)],
    "new_format_2025-11": [(10, 0, 7432), (10, 0, 100), (1, 0, 1), (1, 0, 1), (0, 0, 0)],
}


def serve_recorded(server, fmt: str) -> None:
    def handle(params):
        for name, wanted in QUERIES.items():
            if all(params.get(k) == v for k, v in wanted.items()):
                return Reply(
                    body=(API / fmt / name).read_bytes(), content_type="application/atom+xml"
                )
        return Reply(400, b"unexpected query", content_type="text/plain")
    server.route("/api/query", handle)


@pytest.mark.parametrize("fmt", FORMATS)
def test_all_five_recorded_queries_parse_in_both_formats(server, client, fmt):
    serve_recorded(server, fmt)
    url = f"{server.url}/api/query"
    feeds = [query(client, url, search_query="all:electron AND all:proton"),
             query(client, url, search_query="cat:math.CA AND ti:diffuse"),
             query(client, url, id_list=["2206.06921"]),
             query(client, url, id_list=["2201.13455", "2201.13452", "2201.13453", "2201.13454"]),
             query(client, url, id_list=["1201.56789"])]
    assert [(len(f.papers), f.empty_entries, f.total) for f in feeds] == EXPECTED[fmt]
    assert all(not f.rejected for f in feeds)
    electrons = feeds[0].papers  # the two captures rank differently; this paper is in both
    [mirror] = [p for p in electrons if p.arxiv_id == "1602.03411"]
    assert (
        mirror.title
        == "Effects of electron temperature anisotropy on proton mirror instability evolution"
    )
    assert mirror.categories == ["physics.plasm-ph", "physics.space-ph"]
    assert mirror.authors == ["Narges Ahmadi", "Kai Germaschewski", "Joachim Raeder"]
    assert all(
        p.title and p.abstract and p.authors and p.published and p.announced for p in electrons
    )
    assert all("\n" not in p.title and not p.abstract.startswith(" ") for p in electrons)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_entry_carries_doi_comment_journal_ref_and_primary_category(server, client, fmt):
    serve_recorded(server, fmt)
    [paper] = query(client, f"{server.url}/api/query", id_list=["2206.06921"]).papers
    assert (paper.arxiv_id, paper.version) == ("2206.06921", 3)
    assert paper.title == "Attainable forms of Assouad spectra"
    assert paper.authors == ["Alex Rutar"]
    assert paper.doi == "10.1512/iumj.2024.73.9928"
    assert paper.journal_ref == "Indiana Univ. Math. J. 73 (2024), 1331-1356"
    assert paper.comment.startswith(
        "25 pages, 5 figures. v3: Many typo fixes and substantially improved exposition"
    )
    # The primary category first; the legacy feed's MSC classes are no categories.
    assert paper.categories == ["math.CA", "math.DS", "math.MG"]
    assert (
        paper.abstract.startswith("Let $d\\in\\mathbb{N}$ and let") and "\n" not in paper.abstract
    )
    assert paper.published == datetime(2022, 6, 14, 15, 35, 46)
    assert paper.announced == date(2022, 6, 15)  # Tuesday 11:35 EDT: Tuesday evening's announcement
    assert paper.url_abs == "https://arxiv.org/abs/2206.06921"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_lookup_says_which_ids_arxiv_does_not_know(server, client, fmt):
    serve_recorded(server, fmt)
    url = f"{server.url}/api/query"
    papers, missing = lookup(client, url, ["2201.13455", "2201.13452", "2201.13453", "2201.13454"])
    assert [p.arxiv_id for p in papers] == ["2201.13452"]
    assert missing == ["2201.13455", "2201.13453", "2201.13454"]
    assert lookup(client, url, ["1201.56789"]) == ([], ["1201.56789"])


def test_the_apis_error_answer_raises_with_its_message(server, client):
    body = (API / "error_incorrect_id_format.xml").read_bytes()
    server.route("/api/query", lambda p: Reply(400, body, content_type="application/atom+xml"))
    with pytest.raises(ArxivApiError, match="incorrect id format for 1234.12345"):
        query(client, f"{server.url}/api/query", id_list=["1234.12345"])
    assert len(server.requests) == 1  # a 400 is not retried


def test_a_category_query_spells_out_archives_and_dates():
    assert category_query(("cs.CL", "cs.LG")) == "cat:cs.CL OR cat:cs.LG"
    assert "cat:econ.EM OR cat:econ.GN OR cat:econ.TH" in category_query(("econ",))
    assert category_query(("hep-th",), date(2025, 3, 17), date(2025, 3, 18)) == \
        "(cat:hep-th) AND submittedDate:[202503170000 TO 202503182359]"


def test_the_api_source_reads_the_newest_papers_and_stops_at_what_it_has_seen(server, live, client):
    serve = (API / "new_format_2025-11" / "query_cat_math.CA_AND_ti_diffuse.xml").read_bytes()
    server.route("/api/query", lambda p: Reply(body=serve, content_type="application/atom+xml"))
    first = fetch(live.catalog, "arxiv-api:math.CA,max=20", live.settings, client=client)
    assert (first.status, first.added, first.pages) == ("ok", 10, 1)
    request = server.requests_to("/api/query")[0]
    assert request["search_query"] == "cat:math.CA"
    assert (request["sortBy"], request["sortOrder"], request["max_results"]) == (
        "submittedDate",
        "descending",
        "20",
    )
    again = fetch(live.catalog, "arxiv-api:math.CA,max=20", live.settings, client=client)
    assert (again.status, again.added, again.skipped) == ("ok", 0, 10)
