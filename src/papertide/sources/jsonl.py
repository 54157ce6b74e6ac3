"""JSON lines: papertide's own export format, and other line-oriented paper dumps through
the usual field aliases (`summary` for the abstract, authors as a list or a comma-joined
string, categories as a list or a space-separated string, ISO date strings). A daily-arXiv
dump's `listing_dates` are arXiv listing dates: the first one is the announcement date."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from papertide.catalog import Paper, parse_arxiv_id
from papertide.sources._common import (
    BadRecord,
    Rejected,
    clean_text,
    optional_int,
    optional_text,
    parse_date,
    parse_day,
    read_json_lines,
    split_authors,
    split_categories,
)

SOURCE = "jsonl"


def _first(obj: dict[str, Any], *names: str) -> Any:
    for name in names:
        if obj.get(name) not in (None, "", "None"):
            return obj[name]
    return None


def from_object(obj: object, source: str = SOURCE) -> Paper:
    if not isinstance(obj, dict):
        raise BadRecord(f"expected a JSON object, got {type(obj).__name__}")
    links = obj["links"] if isinstance(obj.get("links"), dict) else {}
    raw_id = _first(obj, "id", "arxiv_id", "paper_id")
    if raw_id is not None and not isinstance(raw_id, str):
        raw_id = str(raw_id)
    arxiv = _first(obj, "arxiv_id") or raw_id
    parsed = parse_arxiv_id(arxiv) if isinstance(arxiv, str) else None
    dates = obj.get("listing_dates")
    first_listed = dates[0] if isinstance(dates, list) and dates else None
    paper = Paper(
        title=clean_text(obj.get("title"), "title", required=True),
        abstract=clean_text(_first(obj, "abstract", "summary", "text"), "abstract"),
        authors=split_authors(obj.get("authors")),
        categories=split_categories(_first(obj, "categories", "category")),
        arxiv_id=parsed[0] if parsed else None,
        version=optional_int(obj.get("version"), "version") or (parsed[1] if parsed else None),
        doi=optional_text(obj.get("doi"), "doi"),
        published=parse_date(
            _first(obj, "published", "publishedAt", "published_at", "date", "created")
            or first_listed,
            "published",
        ),
        updated=parse_date(_first(obj, "updated", "update_date", "updated_at"), "updated"),
        announced=parse_day(_first(obj, "announced") or first_listed, "announced"),
        url_abs=optional_text(_first(obj, "url_abs", "abs", "url") or links.get("abs"), "url_abs"),
        url_pdf=optional_text(_first(obj, "url_pdf", "pdf") or links.get("pdf"), "url_pdf"),
        url_code=optional_text(
            _first(obj, "url_code", "code", "github") or links.get("code"), "url_code"
        ),
        comment=optional_text(_first(obj, "comment", "comments"), "comment"),
        journal_ref=optional_text(_first(obj, "journal_ref", "journal-ref"), "journal_ref"),
        sources=[source],
        rank_hint=optional_int(obj.get("rank_hint"), "rank_hint"),
        votes=optional_int(obj.get("votes"), "votes") or 0,
        views=optional_int(obj.get("views"), "views") or 0,
        saves=optional_int(obj.get("saves"), "saves") or 0,
        first_seen=parse_date(obj.get("first_seen"), "first_seen"),
    )
    # papertide's own export carries its stable ids and provenance: keep them.
    if isinstance(obj.get("sources"), list) and obj["sources"]:
        paper.sources = [str(s) for s in obj["sources"]]
    if raw_id and not parsed:
        paper.id = raw_id
    return paper


def read(path: Path, on_bytes: Callable[[int], None] | None = None) -> Iterator[Paper | Rejected]:
    return read_json_lines(path, from_object, on_bytes)
