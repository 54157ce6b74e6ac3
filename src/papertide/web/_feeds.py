"""Atom 1.0 feeds, built with feedgen (which writes the XML with lxml, so every text is
escaped: a `<script>` in an abstract arrives as text, never as markup).

    GET /feeds/trending.atom?window=week
    GET /feeds/daily.atom?category=cs.LG        the latest announcement day (or ?day=…)
    GET /feeds/search.atom?q=…&category=…&author=…   a saved search: its newest matches
    GET /feeds/private/{secret}.atom   a reader's own: For you, a tag, a saved search
                                       (`_private_feeds.py`)

Entry ids are the papers' addresses on this site (`PAPERTIDE_BASE_URL/papers/<id>`), the
same in every feed and on every request, so a reader shows a paper once however often
it is fetched; an entry's `updated` is the paper's last version date (else its
publication, announcement, or first sight), and a feed's is its newest entry's.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from feedgen.feed import FeedGenerator
from lxml import etree
from starlette.responses import Response

from papertide import __version__, trending
from papertide.catalog import Paper
from papertide.daily import day_listing
from papertide.mathtext import to_plain
from papertide.options import WINDOW_LABELS, Window
from papertide.search import Filters
from papertide.services import Services
from papertide.web._deps import DayQuery, services, settings
from papertide.web._errors import error_responses

# Any route may be sent a body over the limit (the middleware answers 413 before routing).
router = APIRouter(tags=["feeds"], responses=error_responses(400, 413))
FEED_SIZE = 50
ATOM = "application/atom+xml"
ATOM_NS = "http://www.w3.org/2005/Atom"
_ATOM_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {ATOM: {}}, "description": "An Atom 1.0 feed"}}
# Sorting by seconds from here, not `.timestamp()`, which fails on 0001-01-01 (a row stored
# before the catalog checked dates).
# Characters XML 1.0 cannot carry (control characters other than tab and newlines).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", to_plain(value))


def _xml(value: str) -> str:
    """Any string that goes into the feed (a title naming the query's category, a link, a
    category term) without what XML cannot carry: the feed library refuses it (a 500)."""
    return _NOT_XML.sub("", value)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def entry_updated(paper: Paper) -> datetime:
    """When the paper last changed, as far as its record says (stable across requests)."""
    if paper.updated or paper.published:
        return _utc(paper.updated or paper.published)  # type: ignore[arg-type]
    if paper.announced:
        return _utc(datetime.combine(paper.announced, time.min))
    return _utc(paper.first_seen or datetime(1970, 1, 1))


def atom_feed(request: Request, path: str, params: dict[str, str], title: str, subtitle: str,
          page_url: str, papers: list[Paper]) -> Response:
    base = settings(request).base_url.rstrip("/")
    query = urlencode({k: v for k, v in params.items() if v})
    self_url = f"{base}{path}" + (f"?{query}" if query else "")
    feed = FeedGenerator()
    feed.id(_xml(self_url))
    feed.title(_xml(title))
    feed.subtitle(_xml(subtitle))
    feed.link(href=_xml(self_url), rel="self", type=ATOM)
    feed.link(href=_xml(f"{base}{page_url}"), rel="alternate", type="text/html")
    feed.author({"name": "papertide"})
    feed.generator("papertide", version=__version__)
    updated = [entry_updated(p) for p in papers]
    feed.updated(max(updated) if updated else datetime(1970, 1, 1, tzinfo=UTC))
    for paper, when in zip(papers, updated, strict=True):
        url = _xml(f"{base}/papers/{paper.id}")
        entry = feed.add_entry(order="append")
        entry.id(url)
        entry.title(_text(paper.title))
        entry.link(href=url, rel="alternate", type="text/html")
        if paper.url_abs:
            entry.link(href=_xml(paper.url_abs), rel="related", type="text/html")
        entry.updated(when)
        if paper.published:
            entry.published(_utc(paper.published))
        for name in paper.authors[:50]:
            entry.author({"name": _NOT_XML.sub("", name)})
        if not paper.authors:
            entry.author({"name": "unknown"})
        for category in filter(None, map(_xml, paper.categories)):
            entry.category(term=category)
        entry.summary(_text(paper.abstract) or _text(paper.title), type="text")
    return Response(_with_link_relations(feed.atom_str(pretty=True)),
                    media_type=f"{ATOM}; charset=utf-8")


def _with_link_relations(body: bytes) -> bytes:
    """feedgen (1.0) writes an entry's links without their `rel` and `type`, which makes the
    arXiv link a second `alternate`: Atom allows one. Each entry's first link is its page
    here, the next the paper's arXiv page (`related`)."""
    root = etree.fromstring(body, parser=etree.XMLParser(resolve_entities=False))
    for entry in root.iter(f"{{{ATOM_NS}}}entry"):
        for n, link in enumerate(entry.iterfind(f"{{{ATOM_NS}}}link")):
            link.set("rel", "alternate" if n == 0 else "related")
            link.set("type", "text/html")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True))


def newest_matches(svc: Services, q: str, filters: Filters) -> list[Paper]:
    """A saved search's entries: its matches newest announcement first, as search lists
    them sorted by date (only papers on its topic: with all its words, or very close in
    meaning), or the newest papers of all without a query."""
    if not q.strip():
        return [h.paper for h in svc.search.search("", filters, "new", "keyword",
                                                    FEED_SIZE).hits]
    newest = [pid for pid, _ in svc.search.ranked_ids(
        q, filters, mode=svc.settings.search_mode, depth=FEED_SIZE, sort="new")]
    return svc.catalog.get_many(newest)


@router.get("/feeds/trending.atom", response_class=Response, responses=_ATOM_RESPONSE)
def trending_feed(request: Request, window: Window = "week") -> Response:
    """The trending papers of a window, best first."""
    ranked = trending.trending(services(request).catalog, window, FEED_SIZE)
    return atom_feed(request, "/feeds/trending.atom", {"window": window},
                 f"papertide — trending papers ({WINDOW_LABELS[window].lower()})",
                 "What readers are voting for, saving and reading now.",
                 f"/?window={window}", [paper for paper, _ in ranked])


@router.get("/feeds/daily.atom", response_class=Response, responses=_ATOM_RESPONSE)
def daily_feed(request: Request,
               category: str | None = Query(None, max_length=40,
                                            description="cs.LG, or an archive: cs"),
               day: DayQuery = None) -> Response:
    """The papers of an arXiv announcement day (the latest by default), trending first."""
    wanted: date | None = day
    category = (category or "").strip() or None
    listing = day_listing(services(request).catalog, wanted, category, FEED_SIZE)
    shown = listing.day.isoformat() if listing.day else "no day yet"
    page = f"/daily/{listing.day.isoformat()}" if listing.day else "/daily"
    if category:
        page += "?" + urlencode({"category": category})
    return atom_feed(request, "/feeds/daily.atom",
                 {"category": category or "", "day": day.isoformat() if day else ""},
                 f"papertide — papers announced {shown}" + (f" in {category}" if category else ""),
                 "The day's new papers, trending first.", page,
                 [paper for paper, _ in listing.items])


@router.get("/feeds/search.atom", response_class=Response, responses=_ATOM_RESPONSE)
def search_feed(request: Request,
                q: str = Query("", max_length=500, description="Query text, as in search"),
                category: str | None = Query(None, max_length=40),
                author: str | None = Query(None, max_length=200)) -> Response:
    """A saved search as a feed: its matches newest announcement first, as the search
    sorted by date lists them (only papers on its topic). Without q, category or author
    it is the newest papers of all (every request the schema allows is answered)."""
    filters = Filters(category=(category or "").strip() or None,
                      author=(author or "").strip() or None)
    papers = newest_matches(services(request), q, filters)
    params = {"q": q, "category": category or "", "author": author or ""}
    return atom_feed(request, "/feeds/search.atom", params,
                 f"papertide — search: {_NOT_XML.sub('', q) or 'all papers'}",
                 "The newest papers matching a saved search.",
                 "/search?" + urlencode({**params, "sort": "new"}),
                 papers)
