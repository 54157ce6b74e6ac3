"""The trending-listing text: banner lines, then one title line and one abstract line per
paper. The scrape glued the banner's "Subscribe" onto the first title; that is undone.
Papers keep their position in the listing as `rank_hint`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from papertide.catalog import Paper
from papertide.sources._common import (
    BadRecord,
    Rejected,
    checked,
    clean_text,
    iter_lines,
    rejection,
)

SOURCE = "listing"
_BANNER = re.compile(r"^(get trending papers in your email inbox|subscribe\s*$)", re.IGNORECASE)
_GLUED = re.compile(r"^Subscribe(?=\S)")


def read(path: Path, on_bytes: Callable[[int], None] | None = None) -> Iterator[Paper | Rejected]:
    in_banner = True
    title: tuple[int, str] | None = None
    rank = 0
    skip_abstract = False
    for line in iter_lines(path, on_bytes):
        if line.text is None:
            yield rejection(path, line)
            # The whole pair goes: a broken title takes its abstract line with it.
            skip_abstract, title = title is None, None
            continue
        text = clean_text(line.text, "line")
        if not text:
            continue
        if skip_abstract:
            skip_abstract = False
            continue
        if in_banner:
            if _BANNER.match(text):
                continue
            in_banner = False
            text = _GLUED.sub("", text)
        if title is None:
            title = (line.number, text)
            continue
        rank += 1
        try:
            yield checked(Paper(title=title[1], abstract=text, sources=[SOURCE], rank_hint=rank))
        except BadRecord as exc:
            yield Rejected(str(path), title[0], str(exc))
        title = None
    if title is not None:
        yield Rejected(str(path), title[0], "title line without an abstract line")
