"""The reader's own data in the JSON API, for a session (with its CSRF token on every
change) or an API token (`Authorization: Bearer …`):

    GET    /api/me/library            ?tag= &sort=saved|published &q= &mode= &limit= &offset=
    POST   /api/me/library            {"id", "tags"?, "note"?}     save (idempotent)
    GET|PATCH|DELETE /api/me/library/{id}                          one saved paper
    GET    /api/me/tags
    GET|POST /api/me/dismissals       DELETE /api/me/dismissals/{id}
    GET|POST /api/me/follows          DELETE /api/me/follows/{kind}/{value}
    GET    /api/me/recommendations    ?tag= &limit=
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import AfterValidator, BaseModel, Field

from papertide.catalog.arxiv_taxonomy import ALIASES, ARCHIVES, CATEGORIES
from papertide.library import LibraryError, LibrarySort, PaperNotFound, SavedPaper, clean_tag
from papertide.options import Mode
from papertide.readers import Reader
from papertide.web._api import PaperOut
from papertide.web._deps import BrowseOffset, Limit, UTCDateTime, services
from papertide.web._errors import ErrorOut, error_responses
from papertide.web._identity import require_reader

router = APIRouter(prefix="/api/me", tags=["library"], responses=error_responses(413))
# The schema says what the library takes, so that no value it allows meets a 400: a tag or
# an author's name needs a character that is neither white space nor a control character
# (the library folds those away), a category is a code of arXiv's taxonomy. The checks
# are validators with plain messages (the schema's enum of ~200 codes would make pydantic's
# own message a list of them all).
VISIBLE = r"[^\s\x00-\x1f\x7f\u2028\u2029]"
CATEGORY_CODES = sorted({*CATEGORIES, *ARCHIVES, *ALIASES})
_KNOWN_CATEGORIES = frozenset(CATEGORY_CODES)


def visible(value: str) -> str:
    if not re.search(VISIBLE, value):
        raise ValueError("needs a letter, digit or symbol, not only spaces")
    return value


def known_category(value: str) -> str:
    if value not in _KNOWN_CATEGORIES:
        raise ValueError(f"{value[:40]!r} is not an arXiv category (e.g. cs.LG) or archive "
                         "(e.g. hep-th)")
    return value


Tag = Annotated[str, Field(min_length=1, max_length=60, json_schema_extra={"pattern": VISIBLE}),
                AfterValidator(visible)]
TagQuery = Annotated[str | None, Query(max_length=60, pattern=f"^$|{VISIBLE}",
                                       description="Only papers with this tag.")]
CategoryCode = Annotated[str, Field(json_schema_extra={"enum": CATEGORY_CODES}),
                         AfterValidator(known_category)]
PaperId = Annotated[str, Field(min_length=1, max_length=200,
                               description="papertide id, arXiv id (any version) or DOI")]


class SavedOut(BaseModel):
    paper: PaperOut
    saved_at: UTCDateTime
    tags: list[str]
    note: str | None

    @classmethod
    def of(cls, item: SavedPaper) -> SavedOut:
        return cls(paper=PaperOut.of(item.paper), saved_at=item.saved.saved_at,
                   tags=list(item.saved.tags), note=item.saved.note)


class LibraryOut(BaseModel):
    items: list[SavedOut]
    total: int
    limit: int
    offset: int
    has_more: bool


class SaveIn(BaseModel):
    id: PaperId
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    note: str | None = Field(None, max_length=10_000)


class EditIn(BaseModel):
    tags: list[Tag] | None = Field(None, max_length=20, description="Replaces the tags.")
    note: str | None = Field(None, max_length=10_000, description="Replaces the note; "
                             "an empty string clears it.")


class UnsavedOut(BaseModel):
    id: str
    saved: bool
    saves: int


class TagOut(BaseModel):
    tag: str
    count: int


class PaperIn(BaseModel):
    id: PaperId


class DismissedOut(BaseModel):
    id: str
    title: str
    dismissed: bool


class FollowAuthorIn(BaseModel):
    kind: Literal["author"]
    value: Annotated[str, Field(min_length=1, max_length=200, description="An author's name.",
                                json_schema_extra={"pattern": VISIBLE}), AfterValidator(visible)]


class FollowCategoryIn(BaseModel):
    kind: Literal["category"]
    value: CategoryCode = Field(..., description="An arXiv category or archive code.")


FollowIn = Annotated[FollowAuthorIn | FollowCategoryIn, Field(discriminator="kind")]


class FollowOut(BaseModel):
    kind: str
    value: str
    following: bool


class RecommendationOut(PaperOut):
    reason: str


class RecommendationsOut(BaseModel):
    tag: str | None
    based_on: str
    items: list[RecommendationOut]


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def _refuse_other_methods(path: str, *allowed: str) -> None:
    """405 with the true `Allow` for a path several routes share: Starlette would name only
    the first route's method."""
    others = [m for m in METHODS if m not in allowed]

    @router.api_route(path, methods=others, include_in_schema=False)
    def other_methods() -> None:
        raise HTTPException(405, f"{path} takes {', '.join(allowed)}",
                            headers={"Allow": ", ".join(allowed)})


for _path, *_allowed in (("/library", "GET", "POST"),
                         ("/library/{paper_id:path}", "GET", "PATCH", "DELETE"),
                         ("/dismissals", "GET", "POST"), ("/follows", "GET", "POST")):
    _refuse_other_methods(_path, *_allowed)


@contextmanager
def _answers() -> Iterator[None]:
    """The library's refusals as API errors: 404 for a paper it does not know (or that is
    not saved), 400 for anything else a reader can correct."""
    try:
        yield
    except PaperNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except LibraryError as exc:
        raise HTTPException(400, str(exc)) from None


def _me(request: Request) -> Reader:
    return require_reader(request, "use your library")


@router.get("/library", responses=error_responses(400))
def list_library(request: Request, tag: TagQuery = None, sort: LibrarySort = "saved",
                 limit: Limit = 20, offset: BrowseOffset = 0,
                 q: str = Query("", max_length=500, description=(
                     "Search your library: the search query language, by keywords, by "
                     "meaning and in your notes; best first (then `sort` is not used).")),
                 mode: Mode | None = None) -> LibraryOut:
    """Your saved papers, latest saved (or latest published) first, or those matching `q`."""
    reader = _me(request)
    library = services(request).library
    with _answers():
        if q.strip():
            found = library.search(reader.id, q, tag, mode).items
            page, total = found[offset:offset + limit], len(found)
        else:
            page = library.papers(reader.id, tag, sort, limit, offset)
            total = len(library.store.saved_ids(reader.id, clean_tag(tag) if tag else None))
    return LibraryOut(items=[SavedOut.of(i) for i in page], total=total, limit=limit,
                      offset=offset, has_more=offset + limit < total)


@router.post("/library", responses=error_responses(400, 404))
def save(request: Request, body: SaveIn) -> SavedOut:
    """Save a paper (saving it again adds the tags and replaces the note, if given)."""
    reader = _me(request)
    with _answers():
        return SavedOut.of(services(request).library.save(reader.id, body.id, body.tags,
                                                          body.note))


@router.get("/library/{paper_id:path}", responses=error_responses(404))
def get_saved(request: Request, paper_id: str) -> SavedOut:
    """One saved paper with its tags and note; 404 when it is not in your library."""
    reader = _me(request)
    with _answers():
        item = services(request).library.get(reader.id, paper_id)
    if item is None:
        raise HTTPException(404, "That paper is not in your library.")
    return SavedOut.of(item)


@router.patch("/library/{paper_id:path}", responses=error_responses(400, 404))
def edit(request: Request, paper_id: str, body: EditIn) -> SavedOut:
    """Replace a saved paper's tags and/or note."""
    reader = _me(request)
    library = services(request).library
    with _answers():
        item = library.get(reader.id, paper_id)
        if item is None:
            raise PaperNotFound("That paper is not in your library: save it first.")
        if body.tags is not None:
            item = library.set_tags(reader.id, paper_id, body.tags)
        if body.note is not None:
            item = library.set_note(reader.id, paper_id, body.note)
    return SavedOut.of(item)


@router.delete("/library/{paper_id:path}", responses=error_responses(404))
def remove(request: Request, paper_id: str) -> UnsavedOut:
    """Take a paper out of your library (its tags and note go with it)."""
    reader = _me(request)
    with _answers():
        paper = services(request).library.unsave(reader.id, paper_id)
    return UnsavedOut(id=paper.id, saved=False, saves=paper.saves)


@router.get("/tags")
def tags(request: Request) -> list[TagOut]:
    """Your tags, with how many papers carry each."""
    reader = _me(request)
    return [TagOut(tag=t, count=n) for t, n in services(request).library.tags(reader.id)]


@router.get("/dismissals")
def dismissals(request: Request) -> list[DismissedOut]:
    """Papers you marked "not interested", latest first: never recommended to you again."""
    reader = _me(request)
    return [DismissedOut(id=p.id, title=p.title, dismissed=True)
            for p, _ in services(request).library.dismissed(reader.id)]


@router.post("/dismissals", responses=error_responses(404))
def dismiss(request: Request, body: PaperIn) -> DismissedOut:
    """Mark a paper "not interested"."""
    reader = _me(request)
    with _answers():
        paper = services(request).library.dismiss(reader.id, body.id)
    return DismissedOut(id=paper.id, title=paper.title, dismissed=True)


@router.delete("/dismissals/{paper_id:path}", responses=error_responses(404))
def undismiss(request: Request, paper_id: str) -> DismissedOut:
    """Take a "not interested" back."""
    reader = _me(request)
    with _answers():
        paper = services(request).library.undismiss(reader.id, paper_id)
    return DismissedOut(id=paper.id, title=paper.title, dismissed=False)


@router.get("/follows")
def list_follows(request: Request) -> list[FollowOut]:
    """The authors and categories you follow."""
    reader = _me(request)
    return [FollowOut(kind=f.kind, value=f.value, following=True)
            for f in services(request).library.follows(reader.id)]


@router.post("/follows", responses=error_responses(400))
def follow(request: Request, body: FollowIn) -> FollowOut:
    """Follow an author (their new papers come to your digest) or an arXiv category."""
    reader = _me(request)
    with _answers():
        found = services(request).library.follow(reader.id, body.kind, body.value)
    return FollowOut(kind=found.kind, value=found.value, following=True)


# A value with a line break matches no route (`:path` stops at one), so the router says 404:
# no author or category has one, and the schema declares it.
_NO_SUCH_FOLLOW: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut,
          "description": "No author or category can have that value (a line break, say)."}}


@router.delete("/follows/{kind}/{value:path}",
               responses={**error_responses(400), **_NO_SUCH_FOLLOW})
def unfollow(request: Request, kind: Literal["author", "category"], value: str) -> FollowOut:
    """Stop following an author or a category."""
    reader = _me(request)
    with _answers():
        services(request).library.unfollow(reader.id, kind, value)
    return FollowOut(kind=kind, value=value, following=False)


@router.get("/recommendations", responses=error_responses(400))
def recommendations(request: Request, tag: TagQuery = None,
                    limit: Limit = 20) -> RecommendationsOut:
    """Papers for you (or for one of your tags), best first, each with its reason; never a
    paper you saved or dismissed. `based_on` says what they rest on (empty: nothing yet —
    save papers or follow authors and categories)."""
    reader = _me(request)
    with _answers():
        result = services(request).library.for_you(reader.id, tag, limit)
    items = [RecommendationOut(**PaperOut.of(s.paper, s.score).model_dump(), reason=s.reason)
             for s in result.items]
    return RecommendationsOut(tag=tag, based_on=result.based_on, items=items)
