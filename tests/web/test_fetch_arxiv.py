"""A pasted arXiv id the catalog lacks: the search page offers to fetch it, and the form's
POST looks it up through the arXiv API (served here from recorded answers) and adds it."""

import pytest
from fastapi.testclient import TestClient

from papertide.web import create_app
from tests.sources.conftest import API, Reply, live_settings

RECORDED = API / "new_format_2025-11"


@pytest.fixture
def client(settings, server):
    def answer(params):
        name = {"2206.06921": "query_id_list_2206.06921.xml",
                "1201.56789": "query_id_list_1201.56789_empty.xml"}.get(params.get("id_list"))
        if name is None:
            return Reply(404, b"no such thing", content_type="text/plain")
        return Reply(body=(RECORDED / name).read_bytes(), content_type="application/atom+xml")

    server.route("/api/query", answer)
    with TestClient(create_app(live_settings(settings, server))) as client:
        yield client


def test_the_search_page_offers_a_missing_arxiv_id_and_the_post_adds_it(client, server):
    page = client.get("/search", params={"q": "arXiv:2206.06921v1"}).text
    assert "arXiv:2206.06921 is not in the catalog" in page
    assert '<form class="fetch notice" method="post" action="/fetch/arxiv">' in page
    response = client.post("/fetch/arxiv", data={"arxiv_id": "2206.06921"},
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("/papers/2206.06921")
    assert "Attainable forms of Assouad spectra" in client.get(response.headers["location"]).text
    assert server.requests_to("/api/query")[0]["id_list"] == "2206.06921"
    # Now in the catalog: no offer, and posting again asks arXiv nothing.
    assert "is not in the catalog" not in client.get("/search?q=2206.06921").text
    client.post("/fetch/arxiv", data={"arxiv_id": "2206.06921"}, follow_redirects=False)
    assert len(server.requests_to("/api/query")) == 1


def test_an_id_arxiv_does_not_know_a_failing_arxiv_and_a_non_id_get_clear_answers(client):
    unknown = client.post("/fetch/arxiv", data={"arxiv_id": "1201.56789"})
    assert unknown.status_code == 404 and "arXiv has no paper with the id 1201.56789" in \
        unknown.text
    queued = client.app.state.jobs.queue_depth()
    down = client.post("/fetch/arxiv", data={"arxiv_id": "2401.00001"})
    assert down.status_code == 202 and "arXiv did not answer" in down.text
    assert "we will fetch 2401.00001" in down.text
    assert client.app.state.jobs.queue_depth() == queued + 1  # a worker keeps asking
    assert client.post("/fetch/arxiv", data={"arxiv_id": "not an id"}).status_code == 400
    assert "is not in the catalog" not in client.get("/search?q=graph neural networks").text


def test_a_silent_arxiv_is_not_waited_for_and_the_page_says_so(settings, server):
    """arXiv takes the connection and never answers: the page answers first (the look-up
    has a budget of a few seconds), honestly, and a queued job will fetch the paper."""
    import threading

    release = threading.Event()

    def silent(params):
        release.wait(120)
        return Reply(404, b"late", content_type="text/plain")

    server.route("/api/query", silent)
    try:
        with TestClient(create_app(live_settings(settings, server))) as client:
            answers = []
            asking = threading.Thread(target=lambda: answers.append(client.post(
                "/fetch/arxiv", data={"arxiv_id": "2401.00002"})))
            asking.start()
            asking.join(60)  # a bound for a broken build, far above the budget
            assert answers, "the page waited for arXiv"
            assert not release.is_set() and answers[0].status_code == 202
            assert "arXiv did not answer in time" in answers[0].text
            assert "has no paper" not in answers[0].text
    finally:
        release.set()
