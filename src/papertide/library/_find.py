"""Search inside a reader's library: their saved papers by keywords and by meaning (the
search query language, ranked among the library only) and by the notes they wrote.

    found = find_in_library(services.search, items, "splatting -survey", "hybrid")
    found.items, found.mode         # best first; `keyword` when nothing could be embedded

A paper whose note holds every word the query asks for (its words, phrases and +words;
case and accents aside) comes first: the reader's own words about a paper say more than
its abstract. The others follow in the search's order.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from papertide.options import Mode
from papertide.search import parse, positive_text, rank_among

if TYPE_CHECKING:
    from papertide.library._library import SavedPaper
    from papertide.search import SearchService


@dataclass
class LibraryFound:
    items: list[SavedPaper] = field(default_factory=list)
    mode: Mode = "keyword"
    in_notes: set[str] = field(default_factory=set)  # ids of the papers found by their note


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _note_words(query: str) -> list[str]:
    """What a note must hold: the query's positive words, without field prefixes."""
    words = []
    for clause in parse(query):
        if clause.occur != "must_not" and clause.field is None:
            words += _folded(clause.text).split()
    return words


def find_in_library(search: SearchService, items: Sequence[SavedPaper], query: str,
                    mode: Mode) -> LibraryFound:
    """The saved papers (`items`) that match `query`, best first."""
    if not items or not positive_text(query).strip() and not parse(query):
        return LibraryFound(list(items))
    by_id = {item.paper.id: item for item in items}
    ranked, ran = rank_among(search, query, list(by_id), mode)
    words = _note_words(query)
    in_notes = {pid for pid, item in by_id.items()
                if words and item.saved.note
                and all(word in _folded(item.saved.note) for word in words)}
    order = {pid: n for n, (pid, _) in enumerate(ranked)}
    found = sorted(in_notes | set(order),
                   key=lambda pid: (pid not in in_notes, order.get(pid, len(order)), pid))
    return LibraryFound([by_id[pid] for pid in found], ran, in_notes)
