"""Private feeds: a signed-in reader makes secret Atom URLs (For you, a tag, a saved
search) on the library page or through the API; a feed reader without cookies reads them
(valid Atom, math as Unicode, links to the paper page and arXiv); revoking one makes it a
404. The URLs never carry the reader's address."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

import feedparser
from fastapi.testclient import TestClient

from papertide.catalog import Paper
from papertide.services import Services
from tests.helpers import sign_in

EMAIL = "ada.lovelace@example.org"
MATH_TITLE = r"Di$\mathtt{[M]}$O: Distilling Masked Diffusion Models into One-step Generator"
FEED_URL = re.compile(r"http://testserver/feeds/private/[A-Za-z0-9_-]+\.atom")


def add_math_paper(services: Services) -> Paper:
    services.catalog.upsert([Paper(
        title=MATH_TITLE, abstract=r"We reach $\alpha \leq 0.5$ with 90\% fewer steps.",
        arxiv_id="2503.15457", url_abs="https://arxiv.org/abs/2503.15457",
        authors=["Yuanzhi Zhu"], categories=["cs.LG"], announced=date(2025, 3, 20),
        published=datetime(2025, 3, 19, 17))])
    services.search.catch_up()
    paper = services.catalog.get("2503.15457")
    assert paper is not None
    return paper


def read(anonymous: TestClient, url: str) -> feedparser.FeedParserDict:
    response = anonymous.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_a_for_you_feed_made_on_the_library_page_validates_and_dies_when_revoked(
        client: TestClient, make_client: Callable[..., TestClient], services: Services) -> None:
    csrf = sign_in(client, services, EMAIL)
    reader = services.readers.store.by_email(EMAIL)
    assert reader is not None
    services.library.follow(reader.id, "category", "cs.LG")
    add_math_paper(services)

    page = client.post("/library/feeds", data={"kind": "for-you", "csrf_token": csrf})
    assert page.status_code == 200 and "shown only this once" in page.text
    found = FEED_URL.search(page.text)
    assert found, "the new feed's URL is on the page"
    url = found.group(0)
    assert "ada" not in url and "lovelace" not in url

    anonymous = make_client(ip="127.0.0.2")  # a feed reader: no cookie
    feed = read(anonymous, url)
    assert feed.feed.title == "papertide — for you"
    entry = next(e for e in feed.entries if e.id.endswith("/papers/2503.15457"))
    assert entry.title == "Di[M]O: Distilling Masked Diffusion Models into One-step Generator"
    assert "α ≤ 0.5" in entry.summary and "90%" in entry.summary
    links = {link.rel: link.href for link in entry.links}
    assert links["alternate"] == "http://testserver/papers/2503.15457"
    assert links["related"] == "https://arxiv.org/abs/2503.15457"

    listed = client.get("/library")
    assert "For you" in listed.text and url not in listed.text  # the URL was shown once
    feed_id = re.search(r'action="/library/feeds/(\d+)/revoke"', listed.text)
    assert feed_id
    revoked = client.post(f"/library/feeds/{feed_id.group(1)}/revoke",
                          data={"csrf_token": csrf})
    assert revoked.status_code == 200 and "revoked" in revoked.text
    assert anonymous.get(url.removeprefix("http://testserver")).status_code == 404


def test_tag_and_search_feeds_through_the_api(make_client: Callable[..., TestClient],
                                              services: Services) -> None:
    from tests.helpers import add_reader, sign_in

    reader = add_reader(services, EMAIL)
    paper = add_math_paper(services)
    services.library.save(reader.id, paper.id, tags=["Diffusion"])
    api = make_client()
    api.headers["X-CSRF-Token"] = sign_in(api, services, EMAIL)

    made = api.post("/api/me/feeds", json={"kind": "tag", "value": "diffusion"})
    assert made.status_code == 201, made.text
    tag_feed = made.json()
    assert FEED_URL.fullmatch(tag_feed["url"]) and tag_feed["value"] == "diffusion"
    search = api.post("/api/me/feeds", json={"kind": "search", "value": "masked diffusion"})
    assert search.status_code == 201
    assert api.post("/api/me/feeds", json={"kind": "tag", "value": "unknown tag"}
                    ).status_code == 400
    assert api.post("/api/me/feeds", json={"kind": "everything"}).status_code == 422

    anonymous = make_client(ip="127.0.0.3")
    tagged = read(anonymous, tag_feed["url"])
    assert [e.id for e in tagged.entries] == ["http://testserver/papers/2503.15457"]
    assert "$" not in tagged.entries[0].title
    assert EMAIL not in str(tagged)
    matches = read(anonymous, search.json()["url"])
    assert matches.entries[0].id == "http://testserver/papers/2503.15457"

    listed = api.get("/api/me/feeds").json()
    assert [(f["kind"], f["value"]) for f in listed] == [("tag", "diffusion"),
                                                          ("search", "masked diffusion")]
    assert all("url" not in f for f in listed) and listed[0]["last_used_at"]
    assert api.delete(f"/api/me/feeds/{tag_feed['id']}").status_code == 204
    assert anonymous.get(tag_feed["url"].removeprefix("http://testserver")).status_code == 404
    assert api.delete(f"/api/me/feeds/{tag_feed['id']}").status_code == 404
    assert anonymous.get("/feeds/private/not-a-secret.atom").status_code == 404


def test_an_api_token_can_list_feeds_but_not_make_or_revoke_them(
        make_client: Callable[..., TestClient], services: Services) -> None:
    """A feed URL would outlive the revocation of a leaked token that made it."""
    from tests.helpers import add_reader

    reader = add_reader(services, EMAIL)
    feed, _ = services.library.create_feed(reader.id, "for-you")
    token = services.readers.accounts.create_api_token(reader.id, "feeds",
                                                       ["read", "library"])
    api = make_client()
    api.headers["Authorization"] = f"Bearer {token}"
    assert api.post("/api/me/feeds", json={"kind": "for-you"}).status_code == 403
    assert api.delete(f"/api/me/feeds/{feed.id}").status_code == 403
    assert [f["id"] for f in api.get("/api/me/feeds").json()] == [feed.id]
    assert [f.id for f in services.library.feeds.of(reader.id)] == [feed.id]


def test_another_reader_cannot_revoke_a_feed(make_client: Callable[..., TestClient],
                                             services: Services) -> None:
    from tests.helpers import add_reader

    owner, other = add_reader(services, EMAIL), add_reader(services, "bob@example.org")
    feed, secret = services.library.create_feed(owner.id, "for-you")
    assert not services.library.feeds.revoke(other.id, feed.id)
    assert services.library.feeds.by_secret(secret) == feed
