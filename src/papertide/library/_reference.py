"""A reference as a reader's other tools export it (one BibTeX entry, one CSL-JSON item):
what it says about the paper's identity, read out of wherever exporters put it.

arXiv ids hide in many fields: `eprint` (with `archivePrefix = {arXiv}`), the URL
(`arxiv.org/abs/…`), arXiv's DataCite DOI (`10.48550/arXiv.2503.11731`), Google
Scholar's `journal = {arXiv preprint arXiv:2503.11731}`, Zotero's `note = {arXiv:2503.11731
[cs]}` and CSL `number`. Titles come LaTeX-escaped (`{T}\\"{U}LU`, `\\&`, `--`) from
BibTeX and with HTML-ish markup (`<i>…</i>`) from CSL-JSON; `clean_title` turns both into
plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from papertide.catalog import normalize_doi, parse_arxiv_id
from papertide.mathtext import to_plain

_ARXIV_IN_TEXT = re.compile(
    r"arxiv(?:\.org/(?:abs|pdf)/|[\s:./]*)"
    r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7}(?:v\d+)?)",
    re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_DOI_IN_TEXT = re.compile(r"(10\.\d{4,9}/[^\s\"<>{}]+)", re.IGNORECASE)
_MARKUP = re.compile(r"</?(?:i|b|sup|sub|span|sc)(?:\s[^>]*)?>", re.IGNORECASE)


@dataclass
class Reference:
    """One entry of an imported file: its key there, and what identifies the paper."""

    key: str
    title: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    tags: list[str] = field(default_factory=list)
    note: str | None = None

    def label(self) -> str:
        """How the report names the entry: its key and the start of its title, math read
        as Unicode (`R$^3$` → `R³`) so a cut never falls inside a formula."""
        title = to_plain(self.title) if "$" in self.title else self.title
        title = title if len(title) <= 70 else title[:69] + "…"
        return f"{self.key}: {title}" if title else self.key


def arxiv_from(*values: str | None) -> str | None:
    """The first arXiv id (without version) in these field values."""
    for value in values:
        if not value:
            continue
        doi = _ARXIV_DOI.match(value.strip())
        candidates = [doi.group(1)] if doi else [value.strip()]
        candidates += [m.group(1) for m in _ARXIV_IN_TEXT.finditer(value)]
        for candidate in candidates:
            parsed = parse_arxiv_id(candidate)
            if parsed:
                return parsed[0]
    return None


def doi_from(*values: str | None) -> str | None:
    """The first DOI in these field values (a bare DOI, `doi:…` or a doi.org URL)."""
    for value in values:
        if not value:
            continue
        doi = normalize_doi(value)
        if doi is None:
            found = _DOI_IN_TEXT.search(value)
            doi = normalize_doi(found.group(1)) if found else None
        if doi:
            return doi.rstrip(".,;")
    return None


@lru_cache(maxsize=1)
def _latex() -> object:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def from_latex(value: str) -> str:
    """LaTeX (as BibTeX holds it) as plain Unicode text; a value pylatexenc cannot read
    keeps its letters, braces and backslashes dropped."""
    if "\\" not in value and "{" not in value and "~" not in value and "--" not in value:
        return " ".join(value.split())
    try:
        text = _latex().latex_to_text(value)  # type: ignore[attr-defined]
    except Exception:  # pylatexenc gives up on some malformed input: keep the words
        text = re.sub(r"\\[a-zA-Z]+|[{}\\]", "", value)
    return " ".join(str(text).replace("\xa0", " ").split())


def clean_title(value: str, latex: bool = True) -> str:
    """A title as plain text, from BibTeX (`latex`) or CSL-JSON (markup tags)."""
    text = _MARKUP.sub("", value)
    return from_latex(text) if latex else " ".join(text.split())


def person(name: str) -> str:
    """`Last, First` (BibTeX's and Zotero's order) as `First Last`."""
    name = " ".join(name.split())
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        return f"{first} {last}".strip()
    return name
