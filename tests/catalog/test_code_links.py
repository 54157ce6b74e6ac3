"""Code links: the repository a source names, else the first GitHub or GitLab repository in
a paper's abstract or comment; only http(s) links are ever kept."""

import json

import pytest

from papertide.catalog import Paper, code_url, find_urls, web_url
from tests.helpers import load


@pytest.mark.parametrize("text,repo", [
    ("Code is available at https://github.com/manasgupta-1/GlobalMP.",
     "https://github.com/manasgupta-1/GlobalMP"),
    ("(see https://github.com/org/repo/tree/main/src), thanks", "https://github.com/org/repo"),
    ("clone https://github.com/org/repo.git", "https://github.com/org/repo"),
    (r"Code: \url{https://github.com/a-b/c_d}", "https://github.com/a-b/c_d"),
    ("at https://gitlab.com/group/sub/project/-/tree/main", "https://gitlab.com/group/sub/project"),
    ("project page https://org.github.io/site and http://github.com/x/y",
     "http://github.com/x/y"),
    ("https://github.com/topics/llm and https://github.com/orgname", None),
    ("no links at all", None),
])
def test_the_first_repository_named_in_a_text_is_the_code_link(text, repo):
    assert code_url(text) == (repo and repo.replace("http://", "https://"))


def test_addresses_lose_the_punctuation_a_sentence_put_after_them():
    assert find_urls("See https://x.org/a_(b). Or (https://y.org/c), and https://z.org/d!") == [
        "https://x.org/a_(b)", "https://y.org/c", "https://z.org/d"]


def test_only_http_and_https_are_web_addresses():
    assert web_url(" https://github.com/a/b ") == "https://github.com/a/b"
    for bad in ("javascript:alert(1)", "data:text/html,x", "/papers/1", "ftp://x.org/y", ""):
        assert web_url(bad) is None


def test_ingested_papers_get_the_code_link_their_abstract_names(demo):
    paper = demo.catalog.get(demo.search.search("Global MP magnitude pruning", mode="keyword")
                             .hits[0].paper.id)
    assert paper.title.startswith("Is Complexity Required for Neural Network Pruning")
    assert paper.url_code == "https://github.com/manasgupta-1/GlobalMP"
    assert paper.links["code"] == paper.url_code


def test_a_source_s_repository_wins_over_the_abstract_s_and_re_ingest_changes_nothing(services):
    catalog = services.catalog
    first = catalog.upsert([Paper(title="T", abstract="Code: https://github.com/text/repo.",
                                  arxiv_id="2501.00001", url_code="https://github.com/src/repo")])
    assert first.added == 1
    assert catalog.get("2501.00001").url_code == "https://github.com/src/repo"
    # A later record without a code link (an OAI harvest) keeps the source's link.
    again = catalog.upsert([Paper(title="T", abstract="Code: https://github.com/text/repo.",
                                  arxiv_id="2501.00001")])
    assert (again.updated, again.unchanged) == (0, 1)
    assert catalog.get("2501.00001").url_code == "https://github.com/src/repo"


def test_an_imported_file_cannot_smuggle_in_a_script_link(services, tmp_path):
    path = tmp_path / "papers.jsonl"
    path.write_text(json.dumps({"title": "Evil", "abstract": "x", "url_code": "javascript:alert(1)",
                                "url_abs": "data:text/html,<script>", "id": "evil-1"}) + "\n")
    load(services, path)
    paper = services.catalog.get("evil-1")
    assert (paper.url_code, paper.url_abs, paper.links) == (None, None, {})
