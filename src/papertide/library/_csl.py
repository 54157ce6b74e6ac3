"""CSL-JSON out and in (the format of citeproc, Zotero, Pandoc and Mendeley).

Export: one item per saved paper, as Zotero writes an arXiv preprint: `type` `article`
(CSL's preprint type; `article-journal` with `container-title` when the paper has a
journal reference), `publisher` arXiv, `number` `arXiv:ID`, arXiv's DataCite DOI when the
paper has no other, `URL`, `issued` date parts, authors split into `family` / `given`, the
reader's tags as `keyword` and note as `note`.

Import: a JSON array of items (or one item, or `{"items": […]}`); each becomes a
`Reference`, its arXiv id and DOI read from `DOI`, `URL`, `number`, `note` and
`archive_location`, its tags from `keyword` and its note from `note` (unless that holds
only the arXiv id).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from papertide.library._bibtex import _ID_ONLY, ParsedFile
from papertide.library._library import SavedPaper
from papertide.library._reference import Reference, arxiv_from, clean_title, doi_from


def _name(author: str) -> dict[str, str]:
    parts = author.rsplit(" ", 1)
    if len(parts) == 1:
        return {"literal": author}
    return {"family": parts[1], "given": parts[0]}


def _item(item: SavedPaper, key: str) -> dict[str, Any]:
    paper, saved = item.paper, item.saved
    data: dict[str, Any] = {"id": key, "type": "article-journal" if paper.journal_ref
                            else "article", "title": paper.title}
    if paper.authors:
        data["author"] = [_name(a) for a in paper.authors]
    when = paper.published or paper.updated
    if when:
        data["issued"] = {"date-parts": [[when.year, when.month, when.day]]}
    if paper.journal_ref:
        data["container-title"] = paper.journal_ref
    if paper.arxiv_id:
        data.update(publisher="arXiv", number=f"arXiv:{paper.arxiv_id}")
    doi = paper.doi or (f"10.48550/arXiv.{paper.arxiv_id}" if paper.arxiv_id else None)
    if doi:
        data["DOI"] = doi
    url = paper.links.get("abs") or (f"https://arxiv.org/abs/{paper.arxiv_id}"
                                     if paper.arxiv_id else None)
    if url:
        data["URL"] = url
    if paper.abstract:
        data["abstract"] = paper.abstract
    if saved.tags:
        data["keyword"] = ", ".join(saved.tags)
    if saved.note:
        data["note"] = saved.note
    return data


def to_csl_json(items: Sequence[SavedPaper], keys: Sequence[str]) -> str:
    """The saved papers as a CSL-JSON array (`keys`: each item's id, as in the BibTeX)."""
    return json.dumps([_item(item, key) for item, key in zip(items, keys, strict=True)],
                      ensure_ascii=False, indent=2) + "\n"


def _year(value: Any) -> int | None:
    try:
        year = value["date-parts"][0][0]
        return int(year)
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _author(value: Any) -> str:
    if not isinstance(value, dict):
        return str(value)
    if "literal" in value:
        return str(value["literal"])
    return " ".join(str(value[k]) for k in ("given", "non-dropping-particle", "family")
                    if value.get(k))


def read_csl_json(data: Any) -> ParsedFile:
    """The items of parsed CSL-JSON as references; items that are not objects are named
    in `problems`."""
    if isinstance(data, dict):
        data = data.get("items", [data])
    parsed = ParsedFile()
    if not isinstance(data, list):
        parsed.problems.append("not a CSL-JSON array of items")
        return parsed
    for position, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            parsed.problems.append(f"item {position}: not an object")
            continue
        text = {k: str(v) for k, v in item.items() if isinstance(v, str | int)}
        authors = item.get("author")
        keywords = item.get("keyword", "")
        if isinstance(keywords, list):  # one string by the schema; some tools write a list
            keywords = ",".join(str(k) for k in keywords)
        parsed.references.append(Reference(
            key=text.get("id", f"item {position}"),
            title=clean_title(text.get("title", ""), latex=False),
            authors=[_author(a) for a in authors] if isinstance(authors, list) else [],
            year=_year(item.get("issued")),
            arxiv_id=arxiv_from(text.get("DOI"), text.get("URL"), text.get("number"),
                                text.get("note"), text.get("archive_location"),
                                text.get("container-title")),
            doi=doi_from(text.get("DOI")),
            tags=[t.strip() for t in str(keywords).split(",") if t.strip()],
            note=_note(item.get("note"))))
    return parsed


def _note(value: Any) -> str | None:
    """The reader's note, unless `note` holds only the arXiv id (as Zotero writes it)."""
    if not isinstance(value, str) or not value.strip() or _ID_ONLY.match(value):
        return None
    return value.strip()
