"""A web request never waits on arXiv for papers the catalog lacks: an import or the
onboarding form answers at once, says which ids are being fetched, and a queued job
fetches them (here from recorded answers) and adds them to the reader's library."""

import pytest
from fastapi.testclient import TestClient

from papertide.web import create_app
from tests.helpers import sign_in
from tests.sources.conftest import API, Reply, live_settings

KNOWN_TO_ARXIV = "2206.06921"


@pytest.fixture
def client(settings, server):
    def answer(params):
        if params.get("id_list") == KNOWN_TO_ARXIV:
            body = (API / "new_format_2025-11" / "query_id_list_2206.06921.xml").read_bytes()
            return Reply(body=body, content_type="application/atom+xml")
        return Reply(404, b"no such thing", content_type="text/plain")

    server.route("/api/query", answer)
    with TestClient(create_app(live_settings(settings, server))) as client:
        yield client


def _work_the_queue(client):
    huey = client.app.state.jobs.huey
    while (task := huey.dequeue()) is not None:
        huey.execute(task)


def _library(client):
    return [i["paper"]["id"] for i in client.get("/api/me/library").json()["items"]]


def test_an_import_queues_unknown_arxiv_ids_instead_of_waiting(client, server):
    services = client.app.state.services
    csrf = sign_in(client, services, "ada@example.org")
    bib = f"@article{{a, title = {{Assouad}}, eprint = {{{KNOWN_TO_ARXIV}}}, " \
          "archivePrefix = {arXiv}}\n"
    answer = client.post("/library/import", data={"csrf_token": csrf},
                         files={"file": ("refs.bib", bib.encode(), "application/x-bibtex")})
    assert answer.status_code == 200 and "1 being fetched from arXiv" in answer.text
    assert server.requests_to("/api/query") == []  # the request asked arXiv nothing
    assert _library(client) == []
    _work_the_queue(client)  # a worker
    assert _library(client) == [KNOWN_TO_ARXIV]


def test_onboarding_queues_the_readers_own_papers_instead_of_waiting(client, server):
    services = client.app.state.services
    csrf = sign_in(client, services, "ada@example.org")
    done = client.post("/onboarding", data={"csrf_token": csrf, "papers": KNOWN_TO_ARXIV})
    assert done.status_code == 200
    assert f"Fetching {KNOWN_TO_ARXIV} from arXiv" in done.text
    assert "has no paper" not in done.text
    assert server.requests_to("/api/query") == []
    _work_the_queue(client)
    assert _library(client) == [KNOWN_TO_ARXIV]
