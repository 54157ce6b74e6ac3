"""The library on the pages: the save button on every card, tags and note on a paper's
page, "not interested", the /library page, /for-you and the onboarding of a new reader.

    POST /papers/{id}/save       save or unsave (htmx swaps the button; else 303 back)
    POST /papers/{id}/library    tags and note of a saved paper
    POST /papers/{id}/dismiss    "not interested" (htmx replaces the card)
    POST /papers/{id}/undismiss  undo it (htmx puts the card back)
    POST /follows                follow or unfollow an author or a category
    GET|POST /not-interested     ?token=  "not interested" from a digest's signed link
    GET  /library                ?tag= &sort=saved|published &q= &mode=   POST /library/import
    GET  /library/more-like-these ?id=…&id=…   recommendations from the ticked papers
                                 (its private feeds: `_private_feeds.py`)
    GET  /library/export         ?format=bibtex|csl-json|jsonl &tag=
    GET  /for-you                ?tag=   recommendations with reasons
    GET|POST /onboarding         categories, authors to follow, own papers

Every POST goes through the guard's CSRF check (a session's token in the form or the
`X-CSRF-Token` header htmx sends); a visitor who is not signed in gets a sign-in prompt.
"""

from __future__ import annotations

import threading
from typing import cast
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from papertide.catalog import Paper
from papertide.library import (
    EXPORT_FORMATS,
    LIBRARY_SORTS,
    LibraryError,
    export_library,
    import_library,
)
from papertide.options import MODES, Mode
from papertide.readers import Reader, TokenError
from papertide.search import identify
from papertide.services import Services
from papertide.web._deps import paper_or_404, render, services
from papertide.web._identity import signed_in
from papertide.web._next import safe_next

pages = APIRouter(include_in_schema=False)
# One import at a time per reader (in this process): imports ask arXiv nothing (a queued
# job fetches unknown ids), so one reader's import never holds up another's.
_importing: set[int] = set()
_importing_lock = threading.Lock()
EXPORT_TYPES = {"bibtex": ("application/x-bibtex", "bib"), "csl-json": ("application/json", "json"),
                "jsonl": ("application/x-ndjson", "jsonl")}
# Categories offered first on the onboarding page; any other arXiv code can be typed.
POPULAR_CATEGORIES = ["cs.LG", "cs.CL", "cs.CV", "cs.AI", "stat.ML", "cs.RO", "cs.IR", "cs.CR",
                      "cs.NE", "cs.HC", "cs.SE", "math.OC", "quant-ph", "eess.AS", "q-bio.NC"]
MAX_ONBOARDING_IDS = 50
MAX_LIKE = 50  # papers chosen for "more like these"


def in_library(request: Request, paper_id: str) -> bool:
    """Is this paper in the signed-in reader's library? (The saved ids are read once per
    request, for every card of the page.)"""
    reader = signed_in(request)
    if reader is None:
        return False
    saved: set[str] | None = getattr(request.state, "library_ids", None)
    if saved is None:
        saved = set(services(request).library.store.saved_ids(reader.id))
        request.state.library_ids = saved
    return paper_id in saved


def _reader(request: Request, to: str) -> Reader:
    reader = signed_in(request)
    if reader is None:
        raise HTTPException(401, f"Sign in to {to}: open /login.")
    return reader


def _back(request: Request, fallback: str) -> Response:
    """303 to the page the form was on (same site only), else `fallback`."""
    referer = request.headers.get("referer", "")
    base = str(request.base_url)
    target = referer if referer.startswith(base) else fallback
    return RedirectResponse(target, status_code=303)


@pages.post("/papers/{paper_id:path}/save")
def toggle_save(request: Request, paper_id: str, where: str = Form("", max_length=10)) -> Response:
    reader = _reader(request, "save papers")
    library = services(request).library
    paper = paper_or_404(request, paper_id)
    saved_item = None
    if paper.id in set(library.store.is_saved(reader.id, [paper.id])):
        paper = library.unsave(reader.id, paper.id)
        request.state.library_ids = set()
    else:
        saved_item = library.save(reader.id, paper.id)
        paper = saved_item.paper
        request.state.library_ids = {paper.id}
    if request.headers.get("hx-request"):
        # On the paper's page the counts line and the tags-and-note box follow, out of band.
        return render(request, "_save.html", paper=paper, on_page=where == "page",
                      oob=where == "page", saved_item=saved_item)
    return _back(request, f"/papers/{quote(paper.id)}")


@pages.post("/papers/{paper_id:path}/library")
def tags_and_note(request: Request, paper_id: str, tags: str = Form("", max_length=1300),
                  note: str = Form("", max_length=10_000)) -> Response:
    reader = _reader(request, "tag papers")
    library = services(request).library
    paper = paper_or_404(request, paper_id)
    try:
        library.set_tags(reader.id, paper.id, tags.split(","))
        item = library.set_note(reader.id, paper.id, note)
    except LibraryError as exc:
        raise HTTPException(400, str(exc)) from None
    if request.headers.get("hx-request"):
        return render(request, "_library_box.html", paper=item.paper, saved_item=item,
                      box_notice="Tags and note saved.")
    return RedirectResponse(f"/papers/{quote(paper.id)}", status_code=303)


@pages.post("/papers/{paper_id:path}/dismiss")
def dismiss(request: Request, paper_id: str) -> Response:
    reader = _reader(request, "tell papertide what interests you")
    paper = services(request).library.dismiss(reader.id, paper_or_404(request, paper_id).id)
    if request.headers.get("hx-request"):
        return render(request, "_dismissed.html", paper=paper)
    return _back(request, "/for-you")


@pages.post("/papers/{paper_id:path}/undismiss")
def undismiss(request: Request, paper_id: str) -> Response:
    """Undo "not interested": htmx puts the card back where it was."""
    reader = _reader(request, "tell papertide what interests you")
    paper = services(request).library.undismiss(reader.id, paper_or_404(request, paper_id).id)
    if request.headers.get("hx-request"):
        return render(request, "_paper_card.html", paper=paper, dismissable=True,
                      snippet=None, reason=None)
    return _back(request, "/for-you")


@pages.post("/follows")
def follow_form(request: Request, kind: str = Form(..., max_length=12),
                value: str = Form(..., max_length=200),
                action: str = Form("follow", max_length=10)) -> Response:
    """Follow (or, with `action=unfollow`, stop following) an author or a category."""
    reader = _reader(request, "follow authors and categories")
    library = services(request).library
    try:
        if action == "unfollow":
            library.unfollow(reader.id, kind, value)
        else:
            library.follow(reader.id, kind, value)
    except LibraryError as exc:
        raise HTTPException(400, str(exc)) from None
    return _back(request, "/onboarding")


def _dismiss_link(request: Request, token: str) -> tuple[Reader, Paper]:
    """The reader and paper of a digest's "not interested" link (400 forged, 410 expired)."""
    readers = services(request).readers
    try:
        reader = readers.from_token("dismiss", token)
        paper_id = readers.tokens.read("dismiss", token).extra.get("p")
    except TokenError as exc:
        raise HTTPException(410 if exc.expired else 400, str(exc)) from None
    if not isinstance(paper_id, str):
        raise HTTPException(400, "This link is not valid.")
    return reader, paper_or_404(request, paper_id)


@pages.get("/not-interested")
def not_interested_page(request: Request, token: str = "") -> Response:
    """A page with a button, not the change itself: mail scanners follow links."""
    _, paper = _dismiss_link(request, token)
    return render(request, "not_interested.html", paper=paper, token=token, done=False)


@pages.post("/not-interested")
def not_interested(request: Request, token: str = Form("", max_length=4000)) -> Response:
    reader, paper = _dismiss_link(request, token)
    services(request).library.dismiss(reader.id, paper.id)
    return render(request, "not_interested.html", paper=paper, token=token, done=True)


def _sign_in_first(request: Request, what: str) -> Response:
    return render(request, "notice.html", status_code=401, title="Sign in first",
                  message=f"Sign in to {what}: papertide mails you a link, no password.",
                  link="/login", link_text="Sign in")


@pages.get("/library")
def library_page(request: Request, tag: str = "", sort: str = "saved", q: str = "",
                 mode: str = "", notice: str = "") -> Response:
    reader = signed_in(request)
    if reader is None:
        return _sign_in_first(request, "keep a library of papers")
    return library_view(request, reader, tag, sort, notice[:300], q=q, mode=mode)


def library_view(request: Request, reader: Reader, tag: str = "", sort: str = "saved",
                 notice: str = "", new_feed_url: str | None = None,
                 status_code: int = 200, q: str = "", mode: str = "") -> Response:
    """The library page, searched with `q` (by keywords, by meaning and in the notes);
    after a private feed is made, with its URL (shown this once)."""
    if sort not in LIBRARY_SORTS or len(tag) > 200:
        raise HTTPException(400, f"sort must be one of {', '.join(LIBRARY_SORTS)}")
    if mode and mode not in MODES:
        raise HTTPException(400, f"mode must be one of {', '.join(MODES)}")
    library = services(request).library
    in_notes: set[str] = set()
    try:
        if q.strip():
            found = library.search(reader.id, q, tag or None, cast(Mode, mode) or None)
            items, mode, in_notes = found.items, found.mode, found.in_notes
        else:
            items = library.papers(reader.id, tag or None, sort)
    except LibraryError as exc:
        raise HTTPException(400, str(exc)) from None
    return render(request, "library.html", status_code=status_code, items=items,
                  tags=library.tags(reader.id), tag=tag, sort=sort, sorts=LIBRARY_SORTS,
                  formats=EXPORT_FORMATS, notice=notice, total=library.count(reader.id),
                  feeds=library.feeds.of(reader.id), new_feed_url=new_feed_url, q=q,
                  mode=mode, modes=MODES, in_notes=in_notes)


@pages.get("/library/more-like-these")
def more_like_these(request: Request, id: list[str] = Query([], max_length=200)) -> Response:
    """Recommendations from the saved papers chosen on the library page."""
    reader = signed_in(request)
    if reader is None:
        return _sign_in_first(request, "get recommendations")
    library = services(request).library
    try:
        result = library.more_like(reader.id, id[:MAX_LIKE], limit=20)
    except LibraryError as exc:
        return library_view(request, reader, notice=f"{exc} Choose one or more papers first.",
                            status_code=400)
    return render(request, "for_you.html", result=result, tag="", tags=[], follows=[],
                  chosen=True)


@pages.get("/library/export")
def export(request: Request, format: str = "bibtex", tag: str = "") -> Response:
    reader = signed_in(request)
    if reader is None:
        return _sign_in_first(request, "export your library")
    if format not in EXPORT_TYPES:
        raise HTTPException(400, f"format must be one of {', '.join(EXPORT_FORMATS)}")
    try:
        text = export_library(services(request).library, reader.id, format, tag or None)
    except LibraryError as exc:
        raise HTTPException(400, str(exc)) from None
    media, suffix = EXPORT_TYPES[format]
    return Response(text, media_type=f"{media}; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="papertide-library.{suffix}"'})


@pages.post("/library/import")
async def import_file(request: Request, file: UploadFile, tag: str = Form("", max_length=60)
                      ) -> Response:
    reader = _reader(request, "import papers")
    raw = await file.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    with _importing_lock:
        if reader.id in _importing:
            raise HTTPException(429, "your previous import is still running: try again in "
                                     "a moment")
        _importing.add(reader.id)
    try:
        from starlette.concurrency import run_in_threadpool

        jobs = request.app.state.jobs

        def later(ids: list[str], tags: list[str]) -> None:  # arXiv is not waited for here
            jobs.fetch_papers(ids, reader.id, tags)

        report = await run_in_threadpool(import_library, services(request).library, reader.id,
                                         text, [tag] if tag.strip() else [], None, later)
    except LibraryError as exc:
        raise HTTPException(400, str(exc)) from None
    finally:
        with _importing_lock:
            _importing.discard(reader.id)
    return render(request, "import_report.html", report=report)


@pages.get("/for-you")
def for_you(request: Request, tag: str = "") -> Response:
    reader = signed_in(request)
    if reader is None:
        return _sign_in_first(request, "get recommendations")
    library = services(request).library
    try:
        result = library.for_you(reader.id, tag or None, limit=20)
    except LibraryError as exc:
        raise HTTPException(400, str(exc)) from None
    return render(request, "for_you.html", result=result, tag=tag, tags=library.tags(reader.id),
                  follows=library.follows(reader.id))


@pages.get("/onboarding")
def onboarding(request: Request, q: str = "", notice: str = "", next: str = "") -> Response:
    reader = signed_in(request)
    if reader is None:
        return _sign_in_first(request, "tell papertide what you read")
    if len(q) > 300:
        raise HTTPException(400, "query longer than 300 characters")
    svc = services(request)
    found = svc.search.search(q, mode="keyword", limit=10).hits if q.strip() else []
    follows = svc.library.follows(reader.id)
    return render(request, "onboarding.html", q=q, found=found, notice=notice[:300],
                  popular=POPULAR_CATEGORIES,
                  followed={(f.kind, f.value) for f in follows}, follows=follows,
                  saved=svc.library.count(reader.id), next=safe_next(next))


@pages.post("/onboarding")
def onboarding_save(request: Request, categories: list[str] = Form([]),
                    more_categories: str = Form("", max_length=500),
                    authors: str = Form("", max_length=2000),
                    papers: str = Form("", max_length=2000)) -> Response:
    reader = _reader(request, "tell papertide what you read")
    svc = services(request)
    problems: list[str] = []
    wanted = [*categories[:50], *more_categories.replace(",", " ").split()]
    names = [a.strip() for a in authors.replace("\n", ",").split(",") if a.strip()]
    for kind, values in (("category", wanted), ("author", names)):
        for value in values:
            try:
                svc.library.follow(reader.id, kind, value)
            except LibraryError as exc:
                problems.append(str(exc))
    ids = [token for token in papers.replace(",", " ").split()][:MAX_ONBOARDING_IDS]
    problems += _save_own_papers(request, svc, reader.id, ids)
    if problems:
        return RedirectResponse("/onboarding?notice=" + quote(" ".join(problems)[:300]),
                                status_code=303)
    return RedirectResponse("/for-you", status_code=303)


def _save_own_papers(request: Request, svc: Services, reader_id: int,
                     ids: list[str]) -> list[str]:
    """Save the reader's own papers by arXiv id; those the catalog lacks are fetched by a
    queued job and saved when arXiv answers (the request waits for no third party)."""
    problems, parsed = [], []
    for token in ids:
        found = identify(token)  # an id, or any link that names one (as search reads them)
        label, _, arxiv_id = (found or "").partition(":")
        if label != "arXiv":
            problems.append(f"{token[:30]!r} is not an arXiv id.")
        elif arxiv_id not in parsed:
            parsed.append(arxiv_id)
    missing = [i for i in parsed if svc.catalog.get(i) is None]
    for arxiv_id in parsed:
        if arxiv_id not in missing:
            svc.library.save(reader_id, arxiv_id)
    if missing:
        request.app.state.jobs.fetch_papers(missing, reader_id)
        problems.append(f"Fetching {', '.join(missing)} from arXiv: they join your library "
                        "when arXiv answers.")
    return problems
