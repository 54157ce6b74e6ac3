"""The API's schema allows no value its server refuses: a follow's category is one of
arXiv's codes (the schema lists them), a tag, an author or a search feed's query needs a
visible character; each value the schema refuses is refused with a plain message, and each
it allows is taken."""

from __future__ import annotations

import re

import pytest

from tests.helpers import sign_in


@pytest.fixture
def api(client):
    client.headers["X-CSRF-Token"] = sign_in(client, client.app.state.services, "ada@example.org")
    return client


def _schema(client, name):
    return client.get("/openapi.json").json()["components"]["schemas"][name]


def test_the_schema_names_every_category_a_follow_takes_and_only_those(api):
    codes = _schema(api, "FollowCategoryIn")["properties"]["value"]["enum"]
    assert {"cs.LG", "cs", "hep-th", "math.IT", "stat.ML"} <= set(codes) and "0" not in codes
    for code in ("cs.LG", "hep-th", "math.IT"):  # every listed value is taken
        answer = api.post("/api/me/follows", json={"kind": "category", "value": code})
        assert answer.status_code == 200, answer.text
    for bad in ("0", "cs.XY", "", " cs.LG"):
        answer = api.post("/api/me/follows", json={"kind": "category", "value": bad})
        assert answer.status_code == 422, (bad, answer.text)
        assert "not an arXiv category" in answer.json()["error"] and "'astro-ph'" not in (
            answer.json()["error"])


@pytest.mark.parametrize("blank", [" ", "\t \n", "\x01\x02", "\u2028", "\u3000"])
def test_blank_tags_authors_and_search_feeds_are_refused_by_the_schema(api, blank):
    pattern = _schema(api, "SaveIn")["properties"]["tags"]["items"]["pattern"]
    assert not re.search(pattern, blank)
    for path, body in (("/api/me/library", {"id": "t6585e84c9ec5f39", "tags": [blank]}),
                       ("/api/me/follows", {"kind": "author", "value": blank}),
                       ("/api/me/feeds", {"kind": "search", "value": blank}),
                       ("/api/me/feeds", {"kind": "search", "value": ""}),
                       ("/api/me/feeds", {"kind": "tag", "value": blank})):
        answer = api.post(path, json=body)
        assert answer.status_code == 422, (path, body, answer.text)
    assert api.get("/api/me/library", params={"tag": blank}).status_code == 400
    assert api.get("/api/me/library").json()["total"] == 0  # nothing was saved


def test_values_the_schema_allows_are_taken(api):
    saved = api.post("/api/me/library", json={"id": "t6585e84c9ec5f39", "tags": ["!!!", "rl"]})
    assert saved.status_code == 200 and saved.json()["tags"] == ["!!!", "rl"]
    assert api.get("/api/me/library", params={"tag": ""}).json()["total"] == 1
    assert api.get("/api/me/library", params={"tag": "!!!"}).json()["total"] == 1
    assert api.post("/api/me/follows", json={"kind": "author", "value": "Ada Lovelace"}
                    ).status_code == 200
    for body in ({"kind": "search", "value": "masked diffusion"}, {"kind": "tag", "value": "rl"},
                 {"kind": "for-you"}):
        made = api.post("/api/me/feeds", json=body)
        assert made.status_code == 201, (body, made.text)
