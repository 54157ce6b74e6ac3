"""papertide's own query language, parsed here so that no user text reaches the index's
query parser raw.

    sample efficient RL          words (any may match; more matches rank higher)
    "exact phrase"               a phrase
    -excluded  -"a phrase"       must not match
    +required                    must match
    ti:word  au:"Yann LeCun"  abs:…  cat:cs.LG  id:2503.11731   one field only

Anything else — unbalanced quotes, `*`, `(`, `^`, `~`, `NEAR(`, `C:` — is ordinary text:
the analyzer later keeps the letters and digits and drops the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELDS = {"ti": "title", "title": "title", "au": "authors", "author": "authors",
          "abs": "abstract", "abstract": "abstract", "cat": "categories",
          "category": "categories", "id": "id"}

_TOKEN = re.compile(
    r"""(?P<sign>[+-]?)(?:(?P<field>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))"""
)


@dataclass(frozen=True)
class Clause:
    text: str
    field: str | None = None  # None: title, abstract, authors and categories
    occur: str = "should"  # should | must | must_not
    phrase: bool = False


def valid_text(text: str) -> str:
    """The text with unpaired surrogates (what a command-line argument of invalid UTF-8
    decodes to) as U+FFFD: the index's analyzers take only valid Unicode."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


def parse(query: str) -> list[Clause]:
    clauses: list[Clause] = []
    for match in _TOKEN.finditer(valid_text(query or "")):
        sign, field, phrase, word = match.group("sign", "field", "phrase", "word")
        text = phrase if phrase is not None else word
        if field and field.lower() not in FIELDS:
            # `C:` or `http:` is text, not a field: put the prefix back.
            text = f"{field}:{text}"
            field = None
        if not text or not text.strip():
            continue
        occur = {"-": "must_not", "+": "must"}.get(sign, "should")
        clauses.append(Clause(text.strip(), FIELDS[field.lower()] if field else None, occur,
                              phrase is not None))
    return clauses


def positive_text(query: str) -> str:
    """The words a reader is looking for (for embedding the query): no exclusions, no ids,
    no names (`au:` filters; a name says nothing about meaning)."""
    return " ".join(c.text for c in parse(query)
                    if c.occur != "must_not" and c.field not in ("id", "categories", "authors"))
