"""arXiv's query API (Atom): searches (`search_query`), lookups by id (`id_list`), paging
(`start`, `max_results`) and order (`sortBy`, `sortOrder`), parsed in both the legacy
response format and the current one (2025: `https://arxiv.org/api/…` feed ids, the
opensearch namespace on the feed, unwrapped summaries, `<link rel="related">` DOIs).

Quirks handled: the legacy API answers an unknown id with an entry that has no id (it is
counted and dropped), and can announce `totalResults` 1 for an empty answer (the entries
are what counts); an error comes back as an entry whose id is an `/api/errors` URL (it
raises ArxivApiError with arXiv's message). Requests go through the polite client, so at
least `PAPERTIDE_FETCH_INTERVAL` (3 s) passes between two of them.

    feed = query(client, url, search_query="cat:cs.LG AND ti:diffusion", max_results=50,
                 sort_by="submittedDate", sort_order="descending")
    papers, missing = lookup(client, url, ["2206.06921", "1201.56789"])

As a live source (`arxiv-api:cs.LG,cs.CL`), each run reads the newest submissions of
those categories, newest first, until it reaches papers the previous run had already seen
(or `max` papers).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal
from xml.etree.ElementTree import Element

import httpx

from papertide.catalog import Paper, parse_arxiv_id
from papertide.catalog.arxiv_taxonomy import CATEGORIES, archive_of
from papertide.sources._arxiv_records import announced_for
from papertide.sources._common import BadRecord, Rejected, checked, parse_date, unexpected
from papertide.sources._errors import MalformedResponse, SourceError
from papertide.sources._harvest import Harvest
from papertide.sources._http import PoliteClient, refuse_html
from papertide.sources._spec import SourceSpec
from papertide.sources._xml import iterparse, text

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
SOURCE = "arxiv-api"
PAGE_SIZE = 100
SortBy = Literal["relevance", "lastUpdatedDate", "submittedDate"]
SortOrder = Literal["ascending", "descending"]
# A category term as arXiv writes them (`cs.LG`, `hep-th`, `cond-mat.str-el`); MSC and
# ACM classes (`28A80 (Primary)`, `35`) that legacy feeds list as categories are not.
_CATEGORY = re.compile(r"^[a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?$")


class ArxivApiError(SourceError):
    """The API's own error answer (a malformed query or id)."""


@dataclass
class AtomFeed:
    total: int | None = None
    start: int | None = None
    per_page: int | None = None
    papers: list[Paper] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    empty_entries: int = 0  # the legacy API's answer for an id it does not know


def _int(element: Element | None) -> int | None:
    value = text(element)
    return int(value) if value.isascii() and value.isdigit() else None


def _entry(entry: Element) -> Paper | None:
    """The entry's paper; None for an id-less entry; BadRecord if it cannot be read."""
    raw_id = text(entry.find(f"{{{ATOM}}}id"))
    if not raw_id:
        return None
    if "/api/errors" in raw_id:
        raise ArxivApiError(f"arXiv API error: {text(entry.find(f'{{{ATOM}}}summary')) or raw_id}")
    parsed = parse_arxiv_id(raw_id)
    if not parsed:
        raise BadRecord(f"not an arXiv id: {raw_id[:60]!r}")
    arxiv_id, version = parsed
    title = text(entry.find(f"{{{ATOM}}}title"))
    if not title:
        raise BadRecord(f"{arxiv_id}: missing title")
    primary = entry.find(f"{{{ARXIV}}}primary_category")
    terms = ([primary.get("term", "")] if primary is not None else []) + [
        c.get("term", "") for c in entry.iterfind(f"{{{ATOM}}}category")]
    categories = list(dict.fromkeys(t.strip() for t in terms if _CATEGORY.match(t.strip())))
    doi = text(entry.find(f"{{{ARXIV}}}doi"))
    if not doi:
        for link in entry.iterfind(f"{{{ATOM}}}link"):
            href = link.get("href", "")
            if link.get("rel") == "related" and "doi.org/" in href:
                doi = href.split("doi.org/", 1)[1]
    published = parse_date(text(entry.find(f"{{{ATOM}}}published")), "published")
    return checked(Paper(
        title=title, abstract=text(entry.find(f"{{{ATOM}}}summary")),
        authors=[text(a.find(f"{{{ATOM}}}name")) for a in entry.iterfind(f"{{{ATOM}}}author")],
        categories=categories, arxiv_id=arxiv_id, version=version, doi=doi or None,
        published=published, updated=parse_date(text(entry.find(f"{{{ATOM}}}updated")), "updated"),
        announced=announced_for(arxiv_id, published),
        url_abs=f"https://arxiv.org/abs/{arxiv_id}", url_pdf=f"https://arxiv.org/pdf/{arxiv_id}",
        comment=text(entry.find(f"{{{ARXIV}}}comment")) or None,
        journal_ref=text(entry.find(f"{{{ARXIV}}}journal_ref")) or None,
        sources=[SOURCE],
    ))


def parse_feed(body: bytes, url: str) -> AtomFeed:
    feed = AtomFeed()
    element, position = None, 0
    for _event, element in iterparse(body, url):
        if element.tag == f"{{{ATOM}}}entry":
            position += 1
            try:
                paper = _entry(element)
            except BadRecord as exc:
                feed.rejected.append(Rejected(url, position, str(exc)))
            except SourceError:
                raise
            except Exception as exc:  # a bug: this entry alone is lost, never the feed
                feed.rejected.append(Rejected(url, position, unexpected(url, exc)))
            else:
                if paper is None:
                    feed.empty_entries += 1
                else:
                    feed.papers.append(paper)
            element.clear()
        elif element.tag == f"{{{OPENSEARCH}}}totalResults":
            feed.total = _int(element)
        elif element.tag == f"{{{OPENSEARCH}}}startIndex":
            feed.start = _int(element)
        elif element.tag == f"{{{OPENSEARCH}}}itemsPerPage":
            feed.per_page = _int(element)
    if element is None or element.tag != f"{{{ATOM}}}feed":
        raise MalformedResponse(f"{url}: not an Atom feed")
    return feed


def query(client: PoliteClient, url: str, search_query: str = "", id_list: list[str] | None = None,
          start: int = 0, max_results: int = 10, sort_by: SortBy | None = None,
          sort_order: SortOrder | None = None) -> AtomFeed:
    """One request to the API."""
    params = {"search_query": search_query, "id_list": ",".join(id_list or []),
              "start": str(start), "max_results": str(max_results)}
    if sort_by:
        params["sortBy"] = sort_by
    if sort_order:
        params["sortOrder"] = sort_order
    shown = str(httpx.URL(url, params=params))
    try:
        response = client.get(url, params)
    except SourceError as exc:
        # A malformed query is answered 400 with the error as an Atom entry: say that.
        body = getattr(exc, "body", b"")
        if body.lstrip().startswith(b"<"):
            with contextlib.suppress(MalformedResponse):
                parse_feed(body, shown)  # raises ArxivApiError with arXiv's message
        raise
    refuse_html(shown, response, "an Atom feed")
    return parse_feed(response.content, shown)


def lookup(client: PoliteClient, url: str, ids: list[str]) -> tuple[list[Paper], list[str]]:
    """The papers with these arXiv ids, and the ids arXiv does not know."""
    feed = query(client, url, id_list=ids, max_results=max(len(ids), 1))
    found = {p.arxiv_id for p in feed.papers}
    missing = [i for i in ids if (parse_arxiv_id(i) or (i, None))[0] not in found]
    return feed.papers, missing


def category_query(categories: tuple[str, ...], since: date | None = None,
                   until: date | None = None) -> str:
    """`cat:cs.LG OR cat:cs.CL …` (a whole archive as all its categories), within the
    submission dates when given."""
    codes = []
    for code in categories:
        codes += [c for c in CATEGORIES if archive_of(c) == code and c != code] or [code]
    text_query = " OR ".join(f"cat:{c}" for c in dict.fromkeys(codes))
    if since or until:
        low = (since or date(1991, 1, 1)).strftime("%Y%m%d") + "0000"
        high = (until or date(9999, 12, 31)).strftime("%Y%m%d") + "2359"
        text_query = f"({text_query}) AND submittedDate:[{low} TO {high}]"
    return text_query


def fetch(harvest: Harvest, spec: SourceSpec, since: date | None = None,
          until: date | None = None) -> None:
    scope = ",".join(spec.categories)
    state = harvest.load_state(scope)
    seen_up_to = None if since else state.get("newest")  # published time of the newest seen
    search = category_query(spec.categories, since, until)
    newest, start = None, 0
    while start < spec.max_results:
        size = min(PAGE_SIZE, spec.max_results - start)
        feed = query(harvest.client, harvest.settings.arxiv_api_url, search, start=start,
                     max_results=size, sort_by="submittedDate", sort_order="descending")
        fresh = [
            p
            for p in feed.papers
            if seen_up_to is None or p.published is None or p.published.isoformat() > seen_up_to
        ]
        harvest.commit(f"results {start + 1}-{start + size}", fresh, feed.rejected,
                       skipped=feed.empty_entries + len(feed.papers) - len(fresh))
        stamps = [p.published.isoformat() for p in feed.papers if p.published]
        if stamps:
            newest = max(newest or "", *stamps)
        if len(fresh) < len(feed.papers) or len(feed.papers) + len(feed.rejected) < size:
            break  # reached what the last run saw, or the end of the results
        start += size
    if not newest and start == 0:
        harvest.note(f"no papers for {search}")
    harvest.save_state(
        scope, {"newest": max(filter(None, [newest, state.get("newest")]), default=None)}
    )
