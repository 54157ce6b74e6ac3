"""arXiv's bulk metadata snapshot: one JSON object per line with `id`, `submitter`,
`authors`, `title`, `comments`, `journal-ref`, `doi`, `categories`, `abstract`,
`versions` (`[{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}]`),
`update_date` and `authors_parsed` (`[[last, first, suffix], …]`). The first version's
time stamp dates the paper's announcement by arXiv's calendar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from papertide.catalog import Paper, parse_arxiv_id
from papertide.sources._arxiv_records import announced_for
from papertide.sources._common import (
    BadRecord,
    Rejected,
    clean_text,
    optional_text,
    parse_date,
    read_json_lines,
    split_authors,
    split_categories,
)

SOURCE = "arxiv-snapshot"


def from_object(obj: object) -> Paper:
    if not isinstance(obj, dict):
        raise BadRecord(f"expected a JSON object, got {type(obj).__name__}")
    raw_id = obj.get("id")
    parsed = parse_arxiv_id(raw_id) if isinstance(raw_id, str) else None
    if not parsed:
        raise BadRecord(f"missing or invalid arXiv id: {str(raw_id)[:40]!r}")
    versions = obj.get("versions") or []
    if not isinstance(versions, list) or not all(isinstance(v, dict) for v in versions):
        raise BadRecord("versions must be a list of objects")
    created = [parse_date(v.get("created"), "versions.created") for v in versions]
    authors = obj.get("authors_parsed") or obj.get("authors")
    arxiv_id = parsed[0]
    return Paper(
        title=clean_text(obj.get("title"), "title", required=True),
        abstract=clean_text(obj.get("abstract"), "abstract"),
        authors=split_authors(authors),
        categories=split_categories(obj.get("categories")),
        arxiv_id=arxiv_id,
        version=len(versions) or parsed[1],
        doi=optional_text(obj.get("doi"), "doi"),
        published=created[0] if created else None,
        announced=announced_for(arxiv_id, created[0] if created else None),
        updated=parse_date(obj.get("update_date"), "update_date")
        or (created[-1] if created else None),
        url_abs=f"https://arxiv.org/abs/{arxiv_id}",
        url_pdf=f"https://arxiv.org/pdf/{arxiv_id}",
        comment=optional_text(obj.get("comments"), "comments"),
        journal_ref=optional_text(obj.get("journal-ref"), "journal-ref"),
        sources=[SOURCE],
    )


def read(path: Path, on_bytes: Callable[[int], None] | None = None) -> Iterator[Paper | Rejected]:
    return read_json_lines(path, from_object, on_bytes)
