"""What every file source shares: streaming lines with limits, rejections, field coercion."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from papertide.catalog import Paper

MAX_RECORD_BYTES = 1 << 20


@dataclass
class Rejected:
    """A record that could not be read: where it was and why."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


class BadRecord(ValueError):
    """Raised by a field parser; becomes a `Rejected` carrying the line number."""


@dataclass
class Line:
    number: int
    text: str | None  # None when the line was rejected
    error: str | None = None


def read_json_lines(path: Path, parse: Callable[[Any], Paper],
                    on_bytes: Callable[[int], None] | None = None) -> Iterator[Paper | Rejected]:
    """Each line parsed as JSON and turned into a record by `parse`; a line that is not
    JSON, or that `parse` refuses (BadRecord), becomes a Rejected with its line number."""
    import json

    for line in iter_lines(path, on_bytes):
        if line.text is None:
            yield Rejected(str(path), line.number, line.error or "unreadable line")
            continue
        if not line.text.strip():
            continue
        try:
            yield parse(json.loads(line.text))
        except json.JSONDecodeError as exc:
            yield Rejected(
                str(path), line.number, f"malformed JSON: {exc.msg} at column {exc.colno}"
            )
        except BadRecord as exc:
            yield Rejected(str(path), line.number, str(exc))


def iter_lines(path: Path, on_bytes: Callable[[int], None] | None = None,
               max_bytes: int = MAX_RECORD_BYTES) -> Iterator[Line]:
    """Lines of a (possibly gzipped) file in constant memory; over-long or undecodable
    lines come back with an error instead of text, and reading goes on after them."""
    with open(path, "rb") as raw:
        stream = gzip.GzipFile(fileobj=raw) if path.suffix == ".gz" else raw
        number, reported = 0, 0
        while True:
            chunk = stream.readline(max_bytes + 1)
            if not chunk:
                break
            number += 1
            if on_bytes is not None:
                position = raw.tell()
                on_bytes(position - reported)
                reported = position
            if len(chunk) > max_bytes and not chunk.endswith(b"\n"):
                while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
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
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
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
