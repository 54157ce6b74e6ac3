"""What a hostile trial sent the web app, and what it answers now: dates any part of the
system can take, strict numbers, capped offsets, bodies counted as they stream, methods
answered with a true `Allow`, a schema that declares every error, and a server that
starts and serves with a row the index cannot take."""

from datetime import datetime

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from papertide.catalog import Paper
from papertide.db.tables import papers
from papertide.web import create_app
from tests.helpers import LiveServer, add_reader


@pytest.fixture
def client(settings, demo):
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize("url", [
    "/api/search?since=0208-05-23", "/api/search?until=2262-04-11",
    "/api/search?q=x&since=0001-01-01&until=9999-12-31", "/api/search?since=9999-12-31&sort=new",
    "/search?q=x&since=9999-12-31", "/search?q=x&since=0001-01-01&until=2262-04-12",
])
def test_dates_beyond_what_the_index_represents_are_clamped_not_a_500(client, url):
    assert client.get(url).status_code == 200


def test_clamping_keeps_every_paper_inside_the_range(client, demo):
    demo.catalog.upsert([Paper(title=f"Quasar survey {year}", published=datetime(year, 6, 1))
                         for year in (1700, 1999, 2199)])
    demo.search.catch_up()
    found = client.get("/api/search?q=quasar&since=0001-01-01&until=9999-12-31").json()
    assert len(found["items"]) == 3


@pytest.mark.parametrize("url", [
    "/?offset=%C2%B2", "/?offset=%E2%91%A0", "/?offset=%EF%BC%91", "/?offset=%D9%A1",
    "/?offset=+5", "/?offset=1" + "0" * 5000, "/search?q=x&offset=%C2%B2",
    "/api/papers?limit=%C2%B2", "/api/papers?offset=%D9%A1", "/api/search?limit=5.0",
    "/api/search?offset=1_0", "/api/trending?limit=%EF%BC%95", "/api/search?since=0",
    "/api/search?since=2024-05-31T00:00:00", "/search?since=20240531",
])
def test_numbers_and_dates_are_ascii_digits_only_and_a_bad_one_is_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "digits 0-9" in response.text or "2024-05-31" in response.text \
        or "whole number" in response.text


def test_since_after_until_answers_no_papers_with_a_note(client):
    body = client.get("/api/search?q=learning&since=2024-02-01&until=2024-01-01").json()
    assert body["items"] == [] and body["note"] == "since is after until: no paper can match"
    page = client.get("/search?q=learning&since=2024-02-01&until=2024-01-01")
    assert page.status_code == 200 and "since is after until" in page.text


@pytest.mark.parametrize("url", ["/api/papers?sort=trending&offset=10001",
                                 "/api/papers?sort=new&offset=100000",
                                 "/api/trending?offset=10001", "/?offset=10001"])
def test_offsets_past_the_cap_are_refused(client, url):
    response = client.get(url)
    assert response.status_code == 400 and "10" in response.text


def test_the_deepest_allowed_offset_answers(client):
    body = client.get("/api/papers?sort=trending&offset=10000").json()
    assert body["items"] == [] and body["offset"] == 10000


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "OPTIONS"])
def test_other_methods_on_the_vote_answer_405_allowing_post_and_delete(client, method):
    response = client.request(method, "/api/papers/2401.99999/vote")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST, DELETE"
    assert response.json() == {"error": "use POST to vote and DELETE to take a vote back",
                               "status": 405}


def test_a_method_a_route_does_not_take_lists_those_it_takes(client):
    response = client.options("/api/search")
    assert response.status_code == 405 and "GET" in response.headers["allow"]


def test_the_schema_declares_every_error_answer_in_the_error_shape(client):
    schema = client.get("/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert "413" in responses, f"{method} {path}"
            for status, response in responses.items():
                if status.startswith("4"):
                    assert response["content"]["application/json"]["schema"] == error
            assert ("422" in responses) == ("requestBody" in operation), f"{method} {path}"
    assert "400" in schema["paths"]["/api/search"]["get"]["responses"]
    assert "404" in schema["paths"]["/api/papers/{paper_id}"]["get"]["responses"]
    email = schema["components"]["schemas"]["SubscribeIn"]["properties"]["email"]
    assert (email["minLength"], email["maxLength"], email["format"]) == (3, 254, "idn-email")
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/papers"]["get"]["parameters"]}
    assert (params["offset"]["minimum"], params["offset"]["maximum"]) == (0, 10_000)
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    vote = schema["paths"]["/api/papers/{paper_id}/vote"]["post"]["responses"]
    assert {"401", "403", "404", "413", "429"} <= set(vote)  # sign-in, CSRF, limits
    assert "429" not in schema["paths"]["/api/papers/{paper_id}"]["get"]["responses"]


def test_an_empty_address_is_a_422_as_its_schema_says(client):
    response = client.post("/api/subscribe", json={"email": ""})
    assert response.status_code == 422 and response.json()["details"][0]["field"] == "email"


def test_an_address_at_a_test_domain_is_taken(client):
    assert client.post("/api/subscribe", json={"email": "ada@lab.test"}).status_code == 202


def test_ids_no_paper_can_have_are_a_404(client):
    for paper_id in ("a%00b", "x" * 300, "%ED%A0%80"):
        assert client.get(f"/api/papers/{paper_id}").status_code == 404


def test_the_preferences_form_takes_only_ascii_digits(client, demo):
    reader = add_reader(demo, "ada@example.org", "model merging")
    token = demo.readers.links(reader)["manage"].split("token=")[1]
    form = {"token": token, "frequency": "daily", "weekday": "0", "send_hour": "٨",
            "timezone": "UTC", "per_digest": "6"}
    response = client.post("/preferences", data=form)
    assert response.status_code == 400 and "Numbers only" in response.text
    assert demo.readers.store.get(reader.id).send_hour == reader.send_hour


def test_bodies_over_the_limit_are_413_whether_announced_or_streamed(settings, services):
    def chunks():
        for _ in range(70):
            yield b"x" * 1024

    with LiveServer(settings) as server:
        url = f"{server.url}/api/subscribe"
        headers = {"Content-Type": "application/json"}
        streamed = httpx.post(url, content=chunks(), headers=headers)
        announced = httpx.post(url, content=b"x" * 70 * 1024, headers=headers)
        small = httpx.post(url, content=iter([b'{"email": ', b'"ada@example.org"}']),
                           headers=headers)
    assert (streamed.status_code, announced.status_code) == (413, 413)
    assert streamed.json() == announced.json() == {
        "error": "request body larger than 65,536 bytes", "status": 413}
    assert small.status_code == 202  # a small chunked body goes through whole


def test_the_server_starts_and_serves_with_a_row_the_index_cannot_take(settings, demo):
    """The reproduction of issue 1: a stored year-one date used to stop the server from
    starting; now that paper is skipped (and listed) and everything else is served."""
    bad = demo.catalog.newest(1)[0].id
    with demo.catalog.engine.begin() as conn:
        conn.execute(update(papers).where(papers.c.id == bad)
                     .values(published=datetime(1, 1, 1), seq=demo.catalog.max_seq() + 1))
    with LiveServer(settings) as server:
        health = httpx.get(f"{server.url}/healthz").json()
        found = httpx.get(f"{server.url}/api/search", params={"q": "learning"}).json()
    assert health["status"] == "ok" and health["keyword_index_seq"] == demo.catalog.max_seq()
    assert found["items"]
    assert list(demo.search.skipped()["keyword"]) == [bad]


def test_feeds_carry_no_character_xml_cannot_hold(client):
    response = client.get("/feeds/daily.atom", params={"category": "cs\x1e.LG\x0c"})
    assert response.status_code == 200 and b"\x1e" not in response.content
    search = client.get("/feeds/search.atom", params={"q": "learning\x01", "author": "\x1f"})
    assert search.status_code == 200


def test_a_feed_with_a_bad_day_is_a_400_in_json(client):
    response = client.get("/feeds/daily.atom?day=yesterday")
    assert response.status_code == 400 and response.json()["status"] == 400


def test_a_body_that_is_not_json_at_all_is_a_documented_400(client):
    response = client.post("/api/auth/login", content=b"\xff\x0e",
                           headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422) and response.json()["status"] == response.status_code
    documented = client.get("/openapi.json").json()["paths"]["/api/auth/login"]["post"]
    assert str(response.status_code) in documented["responses"]
