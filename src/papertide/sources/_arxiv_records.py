"""The metadata of one arXiv OAI-PMH record, in whichever of arXiv's three formats it
carries, as a `Paper`:

- `arXiv` (http://arxiv.org/OAI/arXiv/): structured authors, categories as codes,
  `created` / `updated` dates, comments, journal-ref, DOI;
- `arXivRaw` (http://arxiv.org/OAI/arXivRaw/): the version history with submission
  times, authors as one string;
- `oai_dc` (Dublin Core): creators as "Last, First", subjects as names ("Computer Science -
  Machine Learning", mapped to codes by `arxiv_taxonomy`), descriptions (abstract, then
  "Comment: …"), the first and the latest version's dates (not the number of versions),
  DOIs and journal references among identifiers.

Announcement dates (`announced_for`): arXivRaw's first version has a submission time,
which dates the announcement by arXiv's calendar; the other two carry only the submission
day, narrowed down with the record's datestamp.

    paper = from_metadata(metadata_element, header_id="oai:arXiv.org:2303.00735",
                          datestamp=date(2023, 3, 7))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.etree.ElementTree import Element

from papertide.catalog import EARLIEST, LATEST, Paper, announcement_day, in_range, parse_arxiv_id
from papertide.catalog.arxiv_taxonomy import subject_code
from papertide.sources._common import BadRecord, parse_date, split_authors
from papertide.sources._xml import text

ARXIV = "http://arxiv.org/OAI/arXiv/"
ARXIV_RAW = "http://arxiv.org/OAI/arXivRaw/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
SOURCE = "arxiv-oai"
_VERSION = re.compile(r"^v(\d+)$")
_ID_MONTH = re.compile(r"(?:^|/)(\d{2})(\d{2})(?:\.\d{4,5}$|\d{3}$)")


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise BadRecord(f"{field} is not a date: {value[:40]!r}") from None


def _id_month(arxiv_id: str) -> date | None:
    """The month an arXiv id was given out: `2303.02155` and `hep-th/9901001` name theirs."""
    match = _ID_MONTH.search(arxiv_id)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    return date(year + (1900 if year >= 91 else 2000), month, 1)


def announced_for(arxiv_id: str, submitted: datetime | None, datestamp: date | None = None,
                  day_only: bool = False) -> date | None:
    """The announcement date of an arXiv paper from its first version's submission time
    (`day_only`: just its day) and, where known, the record's OAI-PMH datestamp.

    A paper submitted on a given day is announced in one of (at most) two listings: when
    the datestamp is one of them, the record is that announcement; otherwise a day-only
    submission is taken at noon UTC, before the 14:00 US Eastern cutoff like most. A paper
    held for moderation is announced later than its submission, in the month its id
    names: then the datestamp, when it falls in that month, or that month's first listing."""
    if submitted is None:
        return datestamp
    if not in_range(submitted):  # arXiv's calendar would run off Python's (year 1, 9999)
        raise BadRecord(f"submitted {submitted.date().isoformat()} is outside "
                        f"{EARLIEST}..{LATEST}")
    if day_only:
        day = submitted.date() if isinstance(submitted, datetime) else submitted
        first = announcement_day(datetime.combine(day, time(0, 0)))
        last = announcement_day(datetime.combine(day, time(23, 59, 59)))
        if datestamp is not None and first <= datestamp <= last:
            return datestamp
        announced = announcement_day(datetime.combine(day, time(12, 0)))
    else:
        announced = announcement_day(submitted)
    month = _id_month(arxiv_id)
    if month is not None and announced < month:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        if datestamp is not None and month <= datestamp < following:
            return datestamp
        return announcement_day(datetime.combine(month - timedelta(days=1), time(12, 0)))
    return announced


def _identity(header_id: str, metadata_id: str) -> str:
    parsed = parse_arxiv_id(header_id) or parse_arxiv_id(metadata_id)
    if not parsed:
        raise BadRecord(f"no arXiv id in {header_id or metadata_id!r}")
    return parsed[0]


def _paper(arxiv_id: str, **fields: Any) -> Paper:
    if not fields.get("title"):
        raise BadRecord(f"{arxiv_id}: missing title")
    return Paper(arxiv_id=arxiv_id, url_abs=f"https://arxiv.org/abs/{arxiv_id}",
                 url_pdf=f"https://arxiv.org/pdf/{arxiv_id}", sources=[SOURCE], **fields)


def _first_doi(value: str) -> str | None:
    return value.split()[0] if value else None  # arXiv separates several DOIs by spaces


def _from_arxiv(meta: Element, header_id: str, datestamp: date | None) -> Paper:
    def field(name: str) -> str:
        return text(meta.find(f"{{{ARXIV}}}{name}"))

    arxiv_id = _identity(header_id, field("id"))
    authors = []
    for author in meta.iterfind(f"{{{ARXIV}}}authors/{{{ARXIV}}}author"):
        parts = [
            text(author.find(f"{{{ARXIV}}}{part}")) for part in ("forenames", "keyname", "suffix")
        ]
        if any(parts):
            authors.append(" ".join(p for p in parts if p))
    created, updated = _day(field("created"), "created"), _day(field("updated"), "updated")
    return _paper(
        arxiv_id, title=field("title"), abstract=field("abstract"), authors=authors,
        categories=field("categories").split(), doi=_first_doi(field("doi")),
        published=datetime.combine(created, time()) if created else None,
        updated=datetime.combine(updated, time()) if updated else None,
        announced=announced_for(arxiv_id, datetime.combine(created, time()) if created else None,
                                datestamp, day_only=True),
        comment=field("comments") or None, journal_ref=field("journal-ref") or None,
    )


def _from_arxiv_raw(meta: Element, header_id: str, datestamp: date | None) -> Paper:
    def field(name: str) -> str:
        return text(meta.find(f"{{{ARXIV_RAW}}}{name}"))

    arxiv_id = _identity(header_id, field("id"))
    versions: list[tuple[int, datetime]] = []
    for version in meta.iterfind(f"{{{ARXIV_RAW}}}version"):
        number = _VERSION.match(version.get("version", ""))
        when = parse_date(text(version.find(f"{{{ARXIV_RAW}}}date")), "version date")
        if number and when:
            versions.append((int(number.group(1)), when))
    versions.sort()
    first = versions[0][1] if versions else None
    return _paper(
        arxiv_id, title=field("title"), abstract=field("abstract"),
        authors=split_authors(field("authors")), categories=field("categories").split(),
        doi=_first_doi(field("doi")), version=versions[-1][0] if versions else None,
        published=first, updated=versions[-1][1] if len(versions) > 1 else None,
        announced=announced_for(arxiv_id, first, datestamp),
        comment=field("comments") or None, journal_ref=field("journal-ref") or None,
    )


def _creator(name: str) -> str:
    """"Baillie, Robert" → "Robert Baillie"; a collaboration's name stays as it is."""
    last, comma, first = name.partition(",")
    return f"{first.strip()} {last.strip()}".strip() if comma else name


def _from_oai_dc(meta: Element, header_id: str, datestamp: date | None) -> Paper:
    def values(name: str) -> list[str]:
        return [t for t in (text(e) for e in meta.iterfind(f"{{{DC}}}{name}")) if t]

    arxiv_id, doi, journal_ref = None, None, None
    for identifier in values("identifier"):
        if parse_arxiv_id(identifier):
            arxiv_id = arxiv_id or identifier
        elif identifier.lower().startswith("doi:"):
            doi = doi or identifier[4:]
        else:
            journal_ref = journal_ref or identifier
    arxiv_id = _identity(header_id, arxiv_id or "")
    abstract, comment = "", None
    for description in values("description"):
        if description.startswith("Comment:"):
            comment = comment or description.removeprefix("Comment:").strip()
        elif not abstract:
            abstract = description
    categories = [code for code in map(subject_code, values("subject")) if code]
    dates = [day for d in values("date") if (day := _day(d, "date")) is not None]
    return _paper(
        arxiv_id, title=" ".join(values("title")), abstract=abstract,
        authors=[_creator(c) for c in values("creator")], categories=categories, doi=doi,
        published=datetime.combine(dates[0], time()) if dates else None,
        updated=datetime.combine(dates[-1], time()) if len(dates) > 1 else None,
        announced=announced_for(arxiv_id, datetime.combine(dates[0], time()) if dates else None,
                                datestamp, day_only=True),
        comment=comment, journal_ref=journal_ref,
    )


PARSERS: dict[str, Callable[[Element, str, date | None], Paper]] = {
    f"{{{ARXIV}}}arXiv": _from_arxiv,
    f"{{{ARXIV_RAW}}}arXivRaw": _from_arxiv_raw,
    f"{{{OAI_DC}}}dc": _from_oai_dc,
}


def from_metadata(meta: Element, header_id: str, datestamp: date | None) -> Paper:
    """The paper in a record's metadata element (the child of `<metadata>`), parsed by the
    format it carries; BadRecord when it cannot be read."""
    parse = PARSERS.get(meta.tag)
    if parse is None:
        raise BadRecord(f"unknown metadata format {meta.tag!r}")
    return parse(meta, header_id, datestamp)
