"""What the catalog accepts: the one range of dates and numbers every part of papertide can
represent, and the checks a record must pass to be stored.

Dates run from EARLIEST to LATEST (1700-01-01 to 2199-12-31): inside the range of every
store and index papertide writes to (tantivy's dates are nanoseconds in 64 bits, from
1677-09-21 to 2262-04-11; Python's from year 1; the databases' wider still), with room
for a time zone either way. Counts and numbers fit a 32-bit INTEGER column, the narrowest
of SQLite's and PostgreSQL's. Text holds no NUL (PostgreSQL refuses it) and no unpaired
surrogate (no database can encode it); the other control characters but tab and newline
(a terminal's escape sequences, a bell, C1 codes) are stripped from the text fields at the
door (`scrub`), so that none reaches the CLI's tables, the pages or a digest's text part
(identity fields holding one are refused instead). Links are kept only when http or https
(`_links.web_url`): a `javascript:` or `httpx:` link is dropped at the door and the paper
goes in without it, so no other scheme ever becomes an href.

Sources call `validate` per record (a bad record becomes a `Rejected` with file and
line); `Catalog.upsert` checks again at the door and leaves out what fails. Queries clamp
their dates into the range with `clamp`.

    validate(paper)                    # raises InvalidPaper("published 0001-01-01 …")
    clamp(datetime(1, 1, 1))           # datetime(1700, 1, 1, 0, 0)
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from papertide.catalog._identity import normalize_doi
from papertide.catalog._links import web_url

if TYPE_CHECKING:  # the record type only: _paper uses is_web_url from here
    from papertide.catalog._paper import Paper

EARLIEST = date(1700, 1, 1)
LATEST = date(2199, 12, 31)
_FIRST_MOMENT = datetime.combine(EARLIEST, time.min)
_LAST_MOMENT = datetime.combine(LATEST, time.max)
MAX_NUMBER = 2**31 - 1  # the largest value of an INTEGER column on every backend
# Column widths of the identity fields (db/tables.py): longer values would not fit.
ID_WIDTHS = {"id": 200, "arxiv_id": 64, "doi": 200}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
# Stripped from free text: every control character but tab, newline and NUL (a NUL is
# refused, as before); a CR of a CRLF becomes nothing, a Unicode line separator a newline.
_STRIPPED = re.compile(r"[\x01-\x08\x0b-\x1f\x7f-\x9f]")
_SCRUBBED_FIELDS = ("title", "abstract", "comment", "journal_ref")
_SCRUBBED_LISTS = ("authors", "categories")
_TEXT_FIELDS = ("title", "abstract", "comment", "journal_ref", "id", "arxiv_id", "doi",
                "url_abs", "url_pdf", "url_code")
_LIST_FIELDS = ("authors", "categories", "sources")
_DATETIME_FIELDS = ("published", "updated", "first_seen")
# (field, smallest value); each at most MAX_NUMBER.
_NUMBER_FIELDS = (("version", 1), ("rank_hint", 0), ("votes", 0), ("views", 0), ("saves", 0))


class InvalidPaper(ValueError):
    """A record the catalog cannot store; the message names each field and why."""


def in_range(value: date) -> bool:
    """Whether a date (or datetime) lies in the range every part of papertide represents."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


def clamp(value: datetime) -> datetime:
    """A query's moment moved into the representable range (no paper lies outside it)."""
    return min(max(value, _FIRST_MOMENT), _LAST_MOMENT)


def is_web_url(value: object) -> bool:
    """An http or https address (`_links.web_url`): the only links papertide shows."""
    return isinstance(value, str) and web_url(value) == value


def text_problem(value: str) -> str | None:
    """Why a string cannot be stored, or None: NUL characters, unpaired surrogates."""
    if "\x00" in value:
        return "contains a NUL character"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "contains an unpaired surrogate (not valid Unicode)"
    return None


def _scrubbed(value: str) -> str:
    if _STRIPPED.search(value):
        value = _STRIPPED.sub("", value)
    if "\u2028" in value or "\u2029" in value:
        value = value.replace("\u2028", "\n").replace("\u2029", "\n")
    return value


def scrub(paper: Paper) -> None:
    """Strip control characters other than tab, newline and NUL from the record's free
    text, in place (a record's other problems are left for `problems` to name)."""
    for name in _SCRUBBED_FIELDS:
        value = getattr(paper, name)
        if isinstance(value, str):
            setattr(paper, name, _scrubbed(value))
    for name in _SCRUBBED_LISTS:
        values = getattr(paper, name)
        if isinstance(values, list) and all(isinstance(v, str) for v in values):
            setattr(paper, name, [_scrubbed(v) for v in values])


def _text(name: str, value: Any, problems: list[str]) -> None:
    if not isinstance(value, str):
        problems.append(f"{name} must be text, not {type(value).__name__}")
        return
    problem = text_problem(value)
    if problem:
        problems.append(f"{name} {problem}")
    width = ID_WIDTHS.get(name)
    if width is not None:
        if len(value) > width:
            problems.append(f"{name} is longer than {width} characters")
        if _CONTROL.search(value):  # ids name files' lines and URLs' paths
            problems.append(f"{name} contains a control character")


def _or_empty(value: Any) -> Any:
    """The field, or "" for None (a falsy value of another type stays, and fails)."""
    return "" if value is None else value


def _fine(paper: Paper) -> bool:
    """True when the record certainly passes every check: the quick path that almost every
    record takes (a few microseconds, where naming each field's problem takes many)."""
    lists = (paper.authors, paper.categories, paper.sources)
    if not all(type(values) is list for values in lists):
        return False
    ids = (paper.id, _or_empty(paper.arxiv_id), _or_empty(paper.doi))
    texts = [paper.title, paper.abstract, *map(_or_empty, (paper.comment, paper.journal_ref)),
             *ids, *map(_or_empty, (paper.url_abs, paper.url_pdf, paper.url_code)),
             *paper.authors, *paper.categories, *paper.sources]
    if not all(type(text) is str for text in texts):
        return False
    joined = "".join(texts)
    if "\x00" in joined or not paper.title.strip():
        return False
    if not joined.isascii() and (text_problem(joined) or not "".join(ids).isascii()):
        return False  # (a non-ASCII id may lengthen when put in canonical form)
    if (len(ids[0]) > ID_WIDTHS["id"] or len(ids[1]) > ID_WIDTHS["arxiv_id"]
            or len(ids[2]) > ID_WIDTHS["doi"] or _CONTROL.search("".join(ids))):
        return False
    for name in _DATETIME_FIELDS:
        value = getattr(paper, name)
        if value is not None and not (type(value) is datetime and value.tzinfo is None
                                      and _FIRST_MOMENT <= value <= _LAST_MOMENT):
            return False
    announced = paper.announced
    if announced is not None and not (type(announced) is date and EARLIEST <= announced <= LATEST):
        return False
    for name, low in _NUMBER_FIELDS:
        value = getattr(paper, name)
        if value is not None and not (type(value) is int and low <= value <= MAX_NUMBER):
            return False
    return True


def problems(paper: Paper) -> list[str]:
    """Everything wrong with a record, one message per field; empty when it can be stored."""
    if _fine(paper):
        return []
    found: list[str] = []
    if not isinstance(paper.title, str) or not paper.title.strip():
        found.append("missing title")
    for name in _TEXT_FIELDS:
        value = getattr(paper, name)
        if value is not None and (value != "" or name == "title"):
            _text(name, value, found)
    if isinstance(paper.doi, str) and len(paper.doi) <= ID_WIDTHS["doi"]:
        canonical = normalize_doi(paper.doi)  # what the catalog will store
        if canonical and len(canonical) > ID_WIDTHS["doi"]:
            found.append(f"doi is longer than {ID_WIDTHS['doi']} characters")
    for name in _LIST_FIELDS:
        values = getattr(paper, name)
        if not isinstance(values, list):
            found.append(f"{name} must be a list, not {type(values).__name__}")
        elif not all(isinstance(item, str) for item in values):
            found.append(f"{name} must be a list of text")
        else:
            problem = text_problem("".join(values))  # one pass over all of them
            if problem:
                found.append(f"{name} {problem}")
    for name in _DATETIME_FIELDS:
        value = getattr(paper, name)
        if value is None:
            continue
        if not isinstance(value, datetime):
            found.append(f"{name} must be a date and time, not {type(value).__name__}")
        elif value.tzinfo is not None:
            found.append(f"{name} must be a UTC time without a zone (the store keeps naive UTC)")
        elif not in_range(value):
            found.append(f"{name} {value.date().isoformat()} is outside {EARLIEST}..{LATEST}")
    announced = paper.announced
    if announced is not None:
        if not isinstance(announced, date) or isinstance(announced, datetime):
            found.append(f"announced must be a date, not {type(announced).__name__}")
        elif not in_range(announced):
            found.append(f"announced {announced.isoformat()} is outside {EARLIEST}..{LATEST}")
    for name, low in _NUMBER_FIELDS:
        value = getattr(paper, name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            found.append(f"{name} must be a whole number, not {type(value).__name__}")
        elif not low <= value <= MAX_NUMBER:
            shown = str(value) if len(str(value)) <= 20 else f"of {len(str(value))} digits"
            found.append(f"{name} {shown} is outside {low}..{MAX_NUMBER:,}")
    return found


def identity_problems(paper: Paper) -> list[str]:
    """What is wrong with the identity fields alone: checked again once they are in
    canonical form (lower-casing a DOI can lengthen it: `İ` becomes two characters)."""
    found: list[str] = []
    for name in ID_WIDTHS:
        value = getattr(paper, name)
        if value:
            _text(name, value, found)
    return found


def validate(paper: Paper) -> None:
    """Raise InvalidPaper naming every problem of the record, if it has any."""
    found = problems(paper)
    if found:
        raise InvalidPaper("; ".join(found))
