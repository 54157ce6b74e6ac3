"""A reader's library as the fronts use it: saving papers (and counting the save where
trending reads it), tags, notes, dismissals, follows, and the "For you" list.

    library = services.library
    library.save(reader.id, "2503.11731", tags=["splatting"])   # SavedPaper
    library.papers(reader.id, tag="splatting", sort="published")
    library.for_you(reader.id, limit=20)                         # ForYou: items, based_on

Input from readers is cleaned here, once, for every front: tags are folded to lower case
and single spaces (at most 60 characters, 20 a paper), notes keep their line breaks (at
most 10,000 characters), a followed category must be one of arXiv's.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from papertide.catalog import ID_WIDTHS, Paper, listing_time, text_problem
from papertide.library._feeds import MAX_QUERY, FeedError, PrivateFeed, PrivateFeeds
from papertide.library._store import MAX_NOTE, MAX_TAG, Follow, LibraryStore, Saved
from papertide.options import Mode
from papertide.sources.arxiv_taxonomy import CATEGORIES, canonical, is_known

if TYPE_CHECKING:
    from papertide.library._find import LibraryFound
    from papertide.library._recommend import Recommendation
    from papertide.services import Services

LibrarySort = Literal["saved", "published"]
FollowKind = Literal["author", "category"]
LIBRARY_SORTS: tuple[LibrarySort, ...] = ("saved", "published")
FOLLOW_KINDS: tuple[FollowKind, ...] = ("author", "category")
MAX_TAGS = 20
MAX_FOLLOWS = 50
MAX_AUTHOR = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_EPOCH = datetime(1970, 1, 1)


class LibraryError(ValueError):
    """Input a reader can correct: the message says what to send instead."""


class PaperNotFound(LibraryError):
    pass


@dataclass(frozen=True)
class SavedPaper:
    paper: Paper
    saved: Saved


@dataclass(frozen=True)
class Suggestion:
    """A recommended paper, with why."""

    paper: Paper
    score: float
    reason: str


@dataclass
class ForYou:
    """Recommendations for a reader (or one of their tags) and what they rest on."""

    items: list[Suggestion] = field(default_factory=list)
    based_on: str = ""  # "the 12 papers in your library and 2 you dismissed", …
    empty: bool = True  # nothing to go on: no saved paper (with that tag), no follow


def clean_tag(value: str) -> str:
    tag = " ".join(_CONTROL.sub(" ", value).split()).casefold()
    if not tag:
        raise LibraryError("A tag needs at least one letter or digit.")
    if len(tag) > MAX_TAG:
        raise LibraryError(f"A tag has at most {MAX_TAG} characters.")
    if text_problem(tag):
        raise LibraryError("A tag must be text.")
    return tag


def clean_tags(values: Iterable[str]) -> list[str]:
    tags = list(dict.fromkeys(clean_tag(v) for v in values if v.strip()))
    if len(tags) > MAX_TAGS:
        raise LibraryError(f"At most {MAX_TAGS} tags a paper.")
    return tags


def clean_note(value: str | None) -> str | None:
    if value is None:
        return None
    note = _CONTROL.sub(" ", value.replace("\r\n", "\n")).strip()
    if len(note) > MAX_NOTE:
        raise LibraryError(f"A note has at most {MAX_NOTE:,} characters.")
    if text_problem(note):
        raise LibraryError("A note must be text.")
    return note or None


def clean_follow(kind: str, value: str) -> tuple[FollowKind, str]:
    text = " ".join(_CONTROL.sub(" ", value).split())
    if kind == "category":
        code = canonical(text)
        if not is_known(code):
            raise LibraryError(f"{text[:40]!r} is not an arXiv category (e.g. cs.LG) or "
                               "archive (e.g. hep-th).")
        return "category", code
    if kind == "author":
        if not text or len(text) > MAX_AUTHOR or text_problem(text):
            raise LibraryError(f"An author's name has 1 to {MAX_AUTHOR} characters.")
        return "author", text
    raise LibraryError(f"You follow authors or categories, not {kind[:20]!r}.")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class Library:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.catalog = services.catalog
        self.store = LibraryStore(services.catalog.engine)
        self.feeds = PrivateFeeds(services.catalog.engine)

    # ---- papers -----------------------------------------------------------------------

    def paper(self, key: str) -> Paper:
        """A catalog paper by id, arXiv id or DOI (PaperNotFound otherwise)."""
        if len(key) > ID_WIDTHS["id"] or text_problem(key):
            raise PaperNotFound("No paper with that id.")
        paper = self.catalog.get(key.strip())
        if paper is None:
            raise PaperNotFound(f"No paper with id {key[:60]!r}.")
        return paper

    def save(self, reader_id: int, key: str, tags: Iterable[str] = (),
             note: str | None = None, saved_at: datetime | None = None) -> SavedPaper:
        """Save a paper (idempotent; tags are added to those it has) and count the save
        where trending reads it: once per reader, whatever the number of clicks."""
        paper = self.paper(key)
        tags, note = clean_tags(tags), clean_note(note)
        self.store.save(reader_id, paper.id, tags, note, saved_at)
        self.catalog.record_event(paper.id, "save", f"r:{reader_id}")
        # Saving a paper says more than an earlier "not interested": the later word wins.
        self.store.undismiss(reader_id, paper.id)
        return self._saved(reader_id, paper.id)

    def unsave(self, reader_id: int, key: str) -> Paper:
        """Take a paper out of the library (and its save out of the counts); the paper as
        it is now."""
        paper = self.paper(key)
        self.store.remove(reader_id, paper.id)
        # Also when the row was already gone: a save counted by an interrupted call goes.
        self.catalog.remove_event(paper.id, "save", f"r:{reader_id}")
        return self.paper(paper.id)

    def get(self, reader_id: int, key: str) -> SavedPaper | None:
        paper = self.paper(key)
        saved = self.store.get(reader_id, paper.id)
        return SavedPaper(paper, saved) if saved else None

    def _saved(self, reader_id: int, paper_id: str) -> SavedPaper:
        found = self.get(reader_id, paper_id)
        if found is None:
            raise PaperNotFound("That paper is not in your library.")
        return found

    def saved_ids(self, reader_id: int, among: Sequence[str]) -> set[str]:
        """Which of these papers are in the reader's library (to draw the buttons)."""
        return self.store.is_saved(reader_id, among) if among else set()

    def papers(self, reader_id: int, tag: str | None = None, sort: LibrarySort = "saved",
               limit: int | None = None, offset: int = 0) -> list[SavedPaper]:
        """The reader's library (with `tag`), latest saved or latest published first."""
        if sort not in LIBRARY_SORTS:
            raise LibraryError(f"sort must be one of {', '.join(LIBRARY_SORTS)}")
        saved = self.store.saved(reader_id, clean_tag(tag) if tag else None)
        end = None if limit is None else offset + limit
        if sort == "saved":  # the store's order already: read only the page's papers
            saved, offset, end = saved[offset:end], 0, None
        by_id = {p.id: p for p in self.catalog.get_many([s.paper_id for s in saved])}
        items = [SavedPaper(by_id[s.paper_id], s) for s in saved if s.paper_id in by_id]
        if sort == "published":
            def age(item: SavedPaper) -> float:
                when = listing_time(item.paper)
                return -(when - _EPOCH).total_seconds() if when else float("inf")
            items.sort(key=age)
        return items[offset:end]

    def search(self, reader_id: int, query: str, tag: str | None = None,
               mode: Mode | None = None) -> LibraryFound:
        """The reader's saved papers (with `tag`) that match `query` by keywords, by
        meaning (`mode`, default the search setting) or by the reader's notes, best first."""
        from papertide.library._find import find_in_library

        if len(query) > MAX_QUERY:
            raise LibraryError(f"A search has at most {MAX_QUERY} characters.")
        return find_in_library(self.services.search, self.papers(reader_id, tag), query,
                               mode or self.services.settings.search_mode)

    def more_like(self, reader_id: int, keys: Sequence[str], limit: int = 20) -> ForYou:
        """Papers like these saved ones ("more like these"), with why: never a saved or
        dismissed paper."""
        from papertide.library._recommend import recommend

        saved = set(self.store.saved_ids(reader_id))
        chosen = [paper.id for paper in map(self.paper, dict.fromkeys(keys))]
        if not chosen or any(pid not in saved for pid in chosen):
            raise LibraryError("Choose papers from your library.")
        negatives = [pid for pid, _ in self.store.dismissed(reader_id)]
        recs = recommend(self.services, positives=chosen, negatives=negatives,
                         exclude={*saved, *negatives}, limit=limit)
        by_id = {p.id: p for p in self.catalog.get_many([r.id for r in recs])}
        return ForYou(items=[Suggestion(by_id[r.id], r.score, r.reason) for r in recs
                             if r.id in by_id][:limit],
                      based_on=f"Based on the {_plural(len(chosen), 'paper')} you chose.",
                      empty=False)

    def count(self, reader_id: int) -> int:
        return self.store.count(reader_id)

    def tags(self, reader_id: int) -> list[tuple[str, int]]:
        return self.store.tags(reader_id)

    def set_tags(self, reader_id: int, key: str, tags: Iterable[str]) -> SavedPaper:
        paper = self.paper(key)
        if not self.store.set_tags(reader_id, paper.id, clean_tags(tags)):
            raise PaperNotFound("That paper is not in your library: save it first.")
        return self._saved(reader_id, paper.id)

    def set_note(self, reader_id: int, key: str, note: str | None) -> SavedPaper:
        paper = self.paper(key)
        if not self.store.set_note(reader_id, paper.id, clean_note(note)):
            raise PaperNotFound("That paper is not in your library: save it first.")
        return self._saved(reader_id, paper.id)

    # ---- dismissals and follows -------------------------------------------------------

    def dismiss(self, reader_id: int, key: str) -> Paper:
        """"Not interested": never recommended to this reader again."""
        paper = self.paper(key)
        self.store.dismiss(reader_id, paper.id)
        return paper

    def undismiss(self, reader_id: int, key: str) -> Paper:
        paper = self.paper(key)
        self.store.undismiss(reader_id, paper.id)
        return paper

    def dismissed(self, reader_id: int) -> list[tuple[Paper, datetime]]:
        rows = self.store.dismissed(reader_id)
        by_id = {p.id: p for p in self.catalog.get_many([pid for pid, _ in rows])}
        return [(by_id[pid], at) for pid, at in rows if pid in by_id]

    def follow(self, reader_id: int, kind: str, value: str) -> Follow:
        kind, value = clean_follow(kind, value)
        if len(self.store.follows(reader_id)) >= MAX_FOLLOWS:
            raise LibraryError(f"At most {MAX_FOLLOWS} follows: unfollow one first.")
        self.store.follow(reader_id, kind, value)
        return next(f for f in self.store.follows(reader_id)
                    if (f.kind, f.value) == (kind, value))

    def unfollow(self, reader_id: int, kind: str, value: str) -> bool:
        kind, value = clean_follow(kind, value)
        return self.store.unfollow(reader_id, kind, value)

    def follows(self, reader_id: int) -> list[Follow]:
        return self.store.follows(reader_id)

    # ---- private feeds ------------------------------------------------------------------

    def create_feed(self, reader_id: int, kind: str, value: str = "") -> tuple[PrivateFeed, str]:
        """A private feed (For you, one of the reader's tags, a saved search) and the secret
        of its URL, shown once."""
        if kind == "tag":
            value = clean_tag(value)
            if value not in dict(self.store.tags(reader_id)):
                raise LibraryError(f"No paper in your library is tagged “{value}”.")
        elif kind == "search":
            value = " ".join(_CONTROL.sub(" ", value).split())
        try:
            return self.feeds.create(reader_id, kind, value)
        except FeedError as exc:
            raise LibraryError(str(exc)) from None

    # ---- recommendations --------------------------------------------------------------

    def for_you(self, reader_id: int, tag: str | None = None, limit: int = 20,
                exclude: Collection[str] = ()) -> ForYou:
        """Recommendations from the reader's saved papers (those tagged `tag`), dismissed
        papers and follows; never a saved or dismissed paper, nor one of `exclude` (a
        digest's papers already sent)."""
        from papertide.library._recommend import recommend

        positives = self.store.saved_ids(reader_id, clean_tag(tag) if tag else None)
        everything = positives if tag is None else self.store.saved_ids(reader_id)
        negatives = [pid for pid, _ in self.store.dismissed(reader_id)]
        followed = self.store.follows(reader_id)
        categories = [f.value for f in followed if f.kind == "category"]
        authors = [f.value for f in followed if f.kind == "author"]
        result = ForYou(based_on=self._based_on(len(positives), len(negatives), tag,
                                                categories, authors))
        if not positives and not (tag is None and (categories or authors)):
            return result
        result.empty = False
        recs: list[Recommendation] = recommend(
            self.services, positives=positives, negatives=negatives,
            exclude={*everything, *negatives, *exclude},
            categories=categories if tag is None else (),
            authors=authors if tag is None else (), limit=limit)
        by_id = {p.id: p for p in self.catalog.get_many([r.id for r in recs])}
        result.items = [Suggestion(by_id[r.id], r.score, r.reason) for r in recs
                        if r.id in by_id][:limit]
        return result

    @staticmethod
    def _based_on(saved: int, dismissed: int, tag: str | None, categories: Sequence[str],
                  authors: Sequence[str]) -> str:
        parts = []
        if saved:
            parts.append(f"the {_plural(saved, 'paper')} tagged “{tag}”" if tag
                         else f"the {_plural(saved, 'paper')} in your library")
        if tag is None and categories:
            parts.append(f"the categories you follow ({', '.join(categories)})")
        if tag is None and authors:
            parts.append(f"the authors you follow ({', '.join(authors)})")
        if dismissed and parts:
            parts.append(f"the {_plural(dismissed, 'paper')} you marked not interested")
        if not parts:
            return ""
        return "Based on " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1
                              else parts[0]) + "."


CATEGORY_CHOICES = sorted(CATEGORIES)
