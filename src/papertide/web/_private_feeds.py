"""Private feeds on the web: the secret Atom URLs a feed reader fetches, and where a
signed-in reader makes and revokes them (the library page, and the JSON API).

    GET    /feeds/private/{secret}.atom      For you, a tag's papers or a saved search
    POST   /library/feeds                    kind=for-you|tag|search, value=…  (form)
    POST   /library/feeds/{id}/revoke
    GET    /api/me/feeds   POST /api/me/feeds {"kind", "value"}   DELETE /api/me/feeds/{id}

The URL is shown once, when the feed is made (only a hash of its secret is kept); a
revoked or unknown secret is a 404, the same for both.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from pydantic import AfterValidator, BaseModel, Field
from starlette.responses import Response

from papertide.library import LibraryError, PrivateFeed
from papertide.search import Filters
from papertide.web._deps import UTCDateTime, is_whole_number, services, settings
from papertide.web._errors import error_responses
from papertide.web._feeds import _ATOM_RESPONSE, FEED_SIZE, atom_feed, newest_matches
from papertide.web._identity import require_reader
from papertide.web._library import library_view
from papertide.web._me import VISIBLE, Tag, visible

feeds = APIRouter(tags=["feeds"], responses=error_responses(404, 413))
api = APIRouter(prefix="/api/me", tags=["library"], responses=error_responses(413))
pages = APIRouter(include_in_schema=False)
PATH = "/feeds/private/{secret}.atom"


def feed_url(request: Request, secret: str) -> str:
    return f"{settings(request).base_url.rstrip('/')}{PATH.format(secret=secret)}"


@feeds.get(PATH, response_class=Response, responses=_ATOM_RESPONSE)
def private_feed(request: Request, secret: str) -> Response:
    """A reader's private feed, by the secret in its URL (404 once revoked)."""
    svc = services(request)
    feed = svc.library.feeds.by_secret(secret)
    if feed is None:
        raise HTTPException(404, "No such feed: it may have been revoked.")
    path = PATH.format(secret=secret)
    if feed.kind == "for-you":
        papers = [s.paper for s in svc.library.for_you(feed.reader_id, limit=FEED_SIZE).items]
        title, subtitle, page = ("papertide — for you", "Papers recommended from your "
                                 "library and follows.", "/for-you")
    elif feed.kind == "tag":
        papers = [i.paper for i in svc.library.papers(feed.reader_id, feed.value, "saved",
                                                      FEED_SIZE)]
        title, subtitle = (f"papertide — your library: {feed.value}",
                           "Your saved papers with this tag, latest saved first.")
        page = "/library?" + urlencode({"tag": feed.value})
    else:
        papers = newest_matches(svc, feed.value, Filters())
        title, subtitle = (f"papertide — search: {feed.value}",
                           "The newest papers matching a saved search.")
        page = "/search?" + urlencode({"q": feed.value, "sort": "new"})
    response = atom_feed(request, path, {}, title, subtitle, page, papers)
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# ---- the library page's forms -----------------------------------------------------------


@pages.post("/library/feeds")
def create_from_page(request: Request, kind: str = Form(..., max_length=12),
                     value: str = Form("", max_length=500)) -> Response:
    reader = require_reader(request, "make private feeds")
    try:
        _, secret = services(request).library.create_feed(reader.id, kind, value)
    except LibraryError as exc:
        return library_view(request, reader, notice=str(exc), status_code=400)
    return library_view(request, reader, new_feed_url=feed_url(request, secret))


@pages.post("/library/feeds/{feed_id}/revoke")
def revoke_from_page(request: Request, feed_id: str) -> Response:
    reader = require_reader(request, "revoke private feeds")
    if is_whole_number(feed_id):
        services(request).library.feeds.revoke(reader.id, int(feed_id))
    return library_view(request, reader, notice="The feed is revoked: its URL answers 404.")


# ---- the JSON API -----------------------------------------------------------------------


class ForYouFeedIn(BaseModel):
    kind: Literal["for-you"]
    value: str = Field("", max_length=500, description="not used: empty")


class TagFeedIn(BaseModel):
    kind: Literal["tag"]
    value: Tag = Field(..., description="one of your library's tags")


class SearchFeedIn(BaseModel):
    kind: Literal["search"]
    value: Annotated[str, Field(min_length=1, max_length=500, json_schema_extra={
        "pattern": VISIBLE}, description="the search query (the search query language)"),
        AfterValidator(visible)]


FeedIn = Annotated[ForYouFeedIn | TagFeedIn | SearchFeedIn, Field(discriminator="kind")]


class FeedOut(BaseModel):
    id: int
    kind: str
    value: str
    created_at: UTCDateTime
    last_used_at: UTCDateTime | None

    @classmethod
    def of(cls, feed: PrivateFeed) -> FeedOut:
        return cls(id=feed.id, kind=feed.kind, value=feed.value, created_at=feed.created_at,
                   last_used_at=feed.last_used_at)


class NewFeedOut(FeedOut):
    url: Annotated[str, Field(description="the feed's secret URL: shown only this once")]


@api.get("/feeds", responses=error_responses(401))
def list_feeds(request: Request) -> list[FeedOut]:
    """Your private feeds (their URLs were shown once, when made)."""
    reader = require_reader(request, "see your private feeds")
    return [FeedOut.of(f) for f in services(request).library.feeds.of(reader.id)]


@api.post("/feeds", status_code=201, responses=error_responses(400, 401))
def create_feed(request: Request, body: FeedIn) -> NewFeedOut:
    """Make a private Atom feed: `for-you`, one `tag` of your library, or a saved
    `search`. Its URL holds a random secret (never your address); keep it private."""
    reader = require_reader(request, "make private feeds")
    try:
        feed, secret = services(request).library.create_feed(reader.id, body.kind, body.value)
    except LibraryError as exc:
        raise HTTPException(400, str(exc)) from None
    return NewFeedOut(**FeedOut.of(feed).model_dump(), url=feed_url(request, secret))


@api.delete("/feeds/{feed_id}", status_code=204, responses=error_responses(401, 404))
def revoke_feed(request: Request, feed_id: str) -> Response:
    """Revoke a private feed: its URL answers 404 from now on."""
    reader = require_reader(request, "revoke private feeds")
    if not is_whole_number(feed_id) or not services(request).library.feeds.revoke(
            reader.id, int(feed_id)):
        raise HTTPException(404, "You have no feed with that id.")
    return Response(status_code=204)


def _refuse_other_methods(path: str, *allowed: str) -> None:
    """405 with the true `Allow` for a path several routes share (Starlette would name only
    the first route's method)."""
    @api.api_route(path, methods=[m for m in METHODS if m not in allowed],
                   include_in_schema=False)
    def other_methods() -> None:
        raise HTTPException(405, f"/api/me{path} takes {', '.join(allowed)}",
                            headers={"Allow": ", ".join(allowed)})


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
_refuse_other_methods("/feeds", "GET", "POST")
_refuse_other_methods("/feeds/{feed_id}", "DELETE")
