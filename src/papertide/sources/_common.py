"""What every file source shares: streaming lines with limits, rejections, field coercion.

A file that cannot be read to its end says so as a `Rejected` without a line number
(`papers.jsonl.gz: truncated gzip stream after line 490`), after every record read
before the problem: a cut or corrupt gzip stream, a `.gz` that is not gzip, an empty
file, a directory, a file that cannot be opened. Gzip is recognised by its magic bytes,
whatever the name.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

from papertide.catalog import EARLIEST, LATEST, InvalidPaper, Paper, validate

MAX_RECORD_BYTES = 1 << 20
log = logging.getLogger("papertide.sources")
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class Rejected:
    """A record that could not be read: where it was and why. Without a line, the file
    itself could not be read (to its end)."""

    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.reason}"
        return f"{self.path}:{self.line}: {self.reason}"

    @property
    def whole_file(self) -> bool:
        return self.line is None


class BadRecord(ValueError):
    """Raised by a field parser; becomes a `Rejected` carrying the line number."""


# The reason given for a record whose parsing raised something other than BadRecord: a
# bug, logged with its traceback; the record is rejected alone and reading goes on. The
# property tests (tests/sources/test_parser_properties.py) fail on any such reason.
UNEXPECTED = "unreadable record (papertide could not parse it: a bug, logged)"
# The year of an RFC 2822 date ("Mon, 2 Apr 2007 19:18:42 GMT"), as written.
_RFC2822_YEAR = re.compile(r"\b\d{1,2}\s+[A-Za-z]{3,}\s+(\d+)\b")


def unexpected(where: object, exc: Exception) -> str:
    log.error("%s: %s", where, UNEXPECTED, exc_info=exc)
    return f"{UNEXPECTED}: {type(exc).__name__}: {exc}"[:300]


@dataclass
class Line:
    number: int
    text: str | None  # None when the line was rejected
    error: str | None = None
    fatal: bool = False  # the file could not be read past this point (`error` says why)


def checked(paper: Paper) -> Paper:
    """The record, if the catalog can store it; BadRecord naming what it cannot."""
    try:
        validate(paper)
    except InvalidPaper as exc:
        raise BadRecord(str(exc)) from None
    return paper


def rejection(path: Path, line: Line) -> Rejected:
    """What an unreadable line (or the end of an unreadable file) is reported as."""
    return Rejected(str(path), None if line.fatal else line.number,
                    line.error or "unreadable line")


def read_json_lines(path: Path, parse: Callable[[Any], Paper],
                    on_bytes: Callable[[int], None] | None = None) -> Iterator[Paper | Rejected]:
    """Each line parsed as JSON and turned into a record by `parse`; a line that is not
    JSON, or that `parse` or the catalog's checks refuse, becomes a Rejected with its line
    number."""
    for line in iter_lines(path, on_bytes):
        if line.text is None:
            yield rejection(path, line)
            continue
        if not line.text.strip():
            continue
        try:
            yield checked(parse(json.loads(line.text)))
        except json.JSONDecodeError as exc:
            yield Rejected(
                str(path), line.number, f"malformed JSON: {exc.msg} at column {exc.colno}"
            )
        except BadRecord as exc:
            yield Rejected(str(path), line.number, str(exc))
        except RecursionError:
            yield Rejected(str(path), line.number, "malformed JSON: nested too deeply")
        except ValueError as exc:  # e.g. an integer of more digits than Python converts
            yield Rejected(str(path), line.number, f"malformed JSON: {exc}")
        except Exception as exc:
            yield Rejected(str(path), line.number, unexpected(f"{path}:{line.number}", exc))


def _open(raw: IO[bytes], path: Path) -> tuple[IO[bytes] | gzip.GzipFile | None, str | None]:
    """The stream to read lines from (gzip by its magic bytes), or why there is none."""
    head = raw.read(2)
    raw.seek(0)
    if head == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw), None
    if path.suffix == ".gz":
        return None, "not a gzip file (it does not start with gzip's magic bytes)"
    return raw, None


def iter_lines(path: Path, on_bytes: Callable[[int], None] | None = None,
               max_bytes: int = MAX_RECORD_BYTES) -> Iterator[Line]:
    """Lines of a (possibly gzipped) file in constant memory; over-long or undecodable
    lines come back with an error instead of text, and reading goes on after them. A
    file that cannot be read (to its end) ends with a `fatal` line saying why."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 (closed below, after the generator's last line)
    except IsADirectoryError:
        yield Line(0, None, "is a directory, not a file", fatal=True)
        return
    except OSError as exc:
        yield Line(0, None, f"cannot be opened: {exc.strerror or exc}", fatal=True)
        return
    with raw:
        stream, problem = _open(raw, path)
        if stream is None:
            yield Line(0, None, problem, fatal=True)
            return
        number, reported = 0, 0
        while True:
            try:
                chunk = stream.readline(max_bytes + 1)
            except EOFError:
                yield Line(number, None, f"truncated gzip stream after line {number}", fatal=True)
                return
            except (gzip.BadGzipFile, zlib.error, OSError) as exc:
                yield Line(number, None, f"corrupt gzip stream after line {number}: {exc}",
                           fatal=True)
                return
            if not chunk:
                break
            number += 1
            if on_bytes is not None:
                position = raw.tell()
                on_bytes(position - reported)
                reported = position
            if len(chunk) > max_bytes and not chunk.endswith(b"\n"):
                try:
                    while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                        pass
                except (EOFError, gzip.BadGzipFile, zlib.error, OSError):
                    yield Line(number, None, f"truncated gzip stream after line {number - 1}",
                               fatal=True)
                    return
                yield Line(number, None, f"record longer than {max_bytes:,} bytes")
                continue
            try:
                text = chunk.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Line(number, None, f"invalid UTF-8 at byte {exc.start}")
                continue
            if number == 1:
                text = text.lstrip("\ufeff")
            yield Line(number, text.rstrip("\r\n"))
        if number == 0:
            yield Line(0, None, "empty file: no records in it", fatal=True)


# ACM (`I.2.10`) and MSC (`68T45`) class codes that some arXiv dumps mix into categories.
_CLASS_CODE = re.compile(r"^(?:[A-K]\.\d+(?:\.\d+)?|[A-K]\.m|\d{2}[A-Z\-][0-9xX]{0,2}\d?)$")


def clean_text(value: object, field: str, required: bool = False) -> str:
    if value is None or value == "None":
        if required:
            raise BadRecord(f"missing {field}")
        return ""
    if not isinstance(value, str):
        raise BadRecord(f"{field} must be a string, not {type(value).__name__}")
    text = " ".join(value.split())
    if required and not text:
        raise BadRecord(f"empty {field}")
    return text


def optional_text(value: object, field: str) -> str | None:
    return clean_text(value, field) or None


def split_authors(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r",|\band\b|;", value)
        return [clean_text(v, "authors") for v in value if v.strip()]
    if isinstance(value, list):
        names = []
        for item in value:
            if isinstance(item, dict):
                item = item.get("name")
            if isinstance(item, list):  # arXiv's authors_parsed: [last, first, suffix]
                if not all(isinstance(part, str) for part in item):
                    raise BadRecord("authors must be names (strings)")
                item = " ".join(p for p in (item[1:2] + item[:1] + item[2:3]) if p)
            if not isinstance(item, str):
                raise BadRecord("authors must be names (strings)")
            if item.strip():
                names.append(clean_text(item, "authors"))
        return names
    raise BadRecord(f"authors must be a list or a string, not {type(value).__name__}")


def split_categories(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[\s,;]+", value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRecord("categories must be a list of strings or a string")
    return [v.strip() for v in value if v.strip() and not _CLASS_CODE.match(v.strip())]


def parse_date(value: object, field: str) -> datetime | None:
    """ISO dates and datetimes, and RFC 2822 (arXiv's version stamps); naive UTC."""
    if value in (None, "", "None"):
        return None
    if not isinstance(value, str):
        raise BadRecord(f"{field} must be a date string")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            raise BadRecord(f"{field} is not a date: {text[:40]!r}") from None
        # RFC 2822 reads a year of one or two digits as 19xx/20xx, and the email module
        # does so for "0001" too: a year written with 3 or 4 digits is taken as written.
        written = _RFC2822_YEAR.search(text)
        if written and len(written.group(1)) >= 3 and int(written.group(1)) != parsed.year:
            raise BadRecord(f"{field} {text[:40]!r} is outside {EARLIEST}..{LATEST}") from None
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # year 1 or 9999 moved across midnight
            raise BadRecord(f"{field} {text[:40]!r} is outside {EARLIEST}..{LATEST}") from None
    return parsed


def parse_day(value: object, field: str) -> date | None:
    """A calendar date from `2025-03-18` (or the date part of an ISO datetime)."""
    if value in (None, "", "None"):
        return None
    if not isinstance(value, str):
        raise BadRecord(f"{field} must be a date string")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise BadRecord(f"{field} is not a date: {value.strip()[:40]!r}") from None


def optional_int(value: object, field: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRecord(f"{field} must be a whole number")
    return value
