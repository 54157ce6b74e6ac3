"""Moving a library in and out: export as BibTeX, CSL-JSON or JSON lines; import any of
them (Zotero's BibTeX and CSL-JSON exports included), with a report.

    text = export_library(library, reader.id, "bibtex", tag="to read")
    report = import_library(library, reader.id, text, tags=["imported"], fetch=fetcher)
    report.as_dict()   # matched, fetched, not matched, duplicates, problems, added

The format of an import is told by its text: a JSON array or object is CSL-JSON, JSON
objects one a line are papertide's JSON lines (which carry tags and notes back in),
anything else is BibTeX. Entries are matched to the catalog (`_match.py`); arXiv ids the
catalog lacks are fetched by `fetch` when one is given (`Intake.fetch_unknown`); every
matched paper is saved once, however many entries name it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from papertide.library._bibtex import ParsedFile, read_bibtex, to_bibtex
from papertide.library._csl import read_csl_json, to_csl_json
from papertide.library._library import Library, LibraryError, SavedPaper, clean_tags
from papertide.library._match import Fetcher, Matcher
from papertide.library._reference import Reference, arxiv_from, doi_from

ExportFormat = Literal["bibtex", "csl-json", "jsonl"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("bibtex", "csl-json", "jsonl")
MAX_ENTRIES = 5000
# Unknown arXiv ids one web import may leave to a queued fetch (about 20 minutes of arXiv's
# 3-second pace); the others are reported not matched, to import again later.
MAX_QUEUED = 400


def _jsonl(items: Iterable[SavedPaper]) -> str:
    lines = []
    for item in items:
        paper, saved = item.paper, item.saved
        lines.append(json.dumps({
            "id": paper.id, "title": paper.title, "authors": paper.authors,
            "arxiv_id": paper.arxiv_id, "doi": paper.doi,
            "published": paper.published.isoformat() if paper.published else None,
            "categories": paper.categories, "url": paper.links.get("abs"),
            "saved_at": saved.saved_at.isoformat(), "tags": list(saved.tags),
            "note": saved.note}, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def export_library(library: Library, reader_id: int, fmt: str,
                   tag: str | None = None) -> str:
    """The reader's library (with `tag`) in `fmt`, oldest saved first."""
    items = list(reversed(library.papers(reader_id, tag)))
    if fmt == "bibtex":
        return to_bibtex(items)
    if fmt == "csl-json":
        return to_csl_json(items, _unique_keys(items))
    if fmt == "jsonl":
        return _jsonl(items)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}")


def _unique_keys(items: list[SavedPaper]) -> list[str]:
    """The BibTeX keys, so that a CSL-JSON id and a BibTeX key name the same paper."""
    text = to_bibtex(items)
    return [line.split("{", 1)[1].rstrip(",") for line in text.splitlines()
            if line.startswith("@")]


def _read_jsonl(lines: list[str]) -> ParsedFile:
    parsed = ParsedFile()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except (ValueError, RecursionError):  # nesting deeper than Python's stack
            parsed.problems.append(f"line {number}: not JSON")
            continue
        if not isinstance(data, dict):
            parsed.problems.append(f"line {number}: not an object")
            continue
        text = {k: v for k, v in data.items() if isinstance(v, str)}
        tags = data.get("tags")
        parsed.references.append(Reference(
            key=text.get("id", f"line {number}"), title=text.get("title", ""),
            arxiv_id=arxiv_from(text.get("arxiv_id"), text.get("url"), text.get("id")),
            doi=doi_from(text.get("doi")),
            tags=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
            note=text.get("note")))
    return parsed


def read_references(text: str) -> tuple[str, ParsedFile]:
    """(format, parsed) of an imported file's text."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped.startswith(("[", "{")):
        return "bibtex", read_bibtex(stripped)
    try:
        data: Any = json.loads(stripped)
    except (ValueError, RecursionError):  # several lines, or nesting deeper than the stack
        data = None
    # CSL-JSON is a list of items, or one item, which always has a type; one object without
    # a type is a single line of papertide's own JSON lines.
    if isinstance(data, list) or (isinstance(data, dict) and "type" in data):
        return "csl-json", read_csl_json(data)
    return "jsonl", _read_jsonl(stripped.splitlines())


@dataclass
class ImportReport:
    format: str = ""
    entries: int = 0
    matched: list[dict[str, str]] = field(default_factory=list)      # entry, id, how
    fetched: list[dict[str, str]] = field(default_factory=list)      # entry, id
    not_matched: list[dict[str, str]] = field(default_factory=list)  # entry, why
    queued: list[dict[str, str]] = field(default_factory=list)       # entry, id: fetched later
    duplicates: list[dict[str, str]] = field(default_factory=list)   # entry, id, same as
    problems: list[str] = field(default_factory=list)               # unreadable entries
    added: int = 0  # papers new to the library

    def as_dict(self) -> dict[str, Any]:
        return {"format": self.format, "entries": self.entries, "added": self.added,
                "matched": self.matched, "fetched": self.fetched,
                "not_matched": self.not_matched, "queued": self.queued,
                "duplicates": self.duplicates, "problems": self.problems}

    def summary(self) -> str:
        return (f"{self.entries} entries ({self.format}): {len(self.matched)} matched, "
                f"{len(self.fetched)} fetched from arXiv, "
                + (f"{len(self.queued)} being fetched from arXiv (added to the library when "
                   "it answers), " if self.queued else "")
                + f"{len(self.not_matched)} not matched, "
                f"{len(self.duplicates)} duplicates collapsed, {len(self.problems)} unreadable; "
                f"{self.added} papers added to the library")


def import_library(library: Library, reader_id: int, text: str, tags: Iterable[str] = (),
                   fetch: Fetcher | None = None,
                   later: Callable[[list[str], list[str]], None] | None = None) -> ImportReport:
    """Match the file's entries to the catalog (`fetch` getting the arXiv ids it lacks,
    when given) and save every matched paper, with `tags` (and the tags and notes a
    papertide JSON-lines export carries). With `later` (a web request, which must not wait
    on arXiv), nothing is fetched here: the unknown arXiv ids, at most `MAX_QUEUED`, go to
    `later(ids, tags)` (a queued job) and are reported as queued."""
    if later is not None:
        fetch = None
    fmt, parsed = read_references(text)
    report = ImportReport(format=fmt, entries=len(parsed.references), problems=parsed.problems)
    if len(parsed.references) > MAX_ENTRIES:
        report.problems.append(f"{len(parsed.references):,} entries: only the first "
                               f"{MAX_ENTRIES:,} are imported")
        parsed.references = parsed.references[:MAX_ENTRIES]
    extra = clean_tags(tags)
    matching = Matcher(library.catalog, library.search_service).match(parsed.references, fetch)
    for m in matching.matches:
        label = m.reference.label()
        if m.paper_id is None:
            arxiv_id = m.reference.arxiv_id
            if later is not None and arxiv_id and len(report.queued) < MAX_QUEUED \
                    and library.catalog.get(arxiv_id) is None:
                report.queued.append({"entry": label, "id": arxiv_id})
            else:
                report.not_matched.append({"entry": label, "why": m.why_not})
            continue
        if m.duplicate_of is not None:
            report.duplicates.append({"entry": label, "id": m.paper_id,
                                      "same_as": m.duplicate_of})
        elif m.fetched:
            report.fetched.append({"entry": label, "id": m.paper_id})
        else:
            report.matched.append({"entry": label, "id": m.paper_id, "how": m.how})
        was = library.store.get(reader_id, m.paper_id)
        try:
            library.save(reader_id, m.paper_id, [*extra, *clean_tags(m.reference.tags)],
                         m.reference.note if was is None or not was.note else None)
        except LibraryError as exc:  # a tag or note the library refuses: save it bare
            report.problems.append(f"{label}: {exc}")
            library.save(reader_id, m.paper_id, extra)
        report.added += was is None
    if later is not None and report.queued:
        later(list(dict.fromkeys(q["id"] for q in report.queued)), extra)
    return report

