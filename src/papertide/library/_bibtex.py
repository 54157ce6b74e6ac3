"""BibTeX out and in.

Export: one entry per saved paper, keyed `lastname` + `year` + first significant title
word (`zeng2025industrial`, then `zeng2025industriala`, … on a clash), typed as arXiv's
own export types them: `@misc` with `eprint`, `archivePrefix = {arXiv}` and
`primaryClass` for a preprint, `@article` with `journal` when the paper has a journal
reference; `doi`, `url`, `abstract`, the reader's tags as `keywords` and note as
`annote`. Text is LaTeX-escaped (`\\&`, `\\%`, `\\"{U}`), formulas stay the author's
`$…$` (braced, so that no style changes their case; their Unicode symbols become LaTeX
macros, `$φ$` → `$\\varphi$`, since pdflatex reads no Unicode in math), and words whose
capitals must survive a bibliography style's lower-casing (`NeRF`, `GPT-4`) are braced.

Import: `bibtexparser` splits the file (a broken entry is reported, the rest is read),
and each entry becomes a `Reference`: the arXiv id, DOI and title wherever the exporter
(Zotero, Google Scholar, arXiv, JabRef, Mendeley) put them, `keywords` as tags and
`annote` (or a `note` that is more than an arXiv id) as the note.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from papertide.catalog import Paper, readable
from papertide.library._library import SavedPaper
from papertide.library._reference import (
    Reference,
    arxiv_from,
    clean_title,
    doi_from,
    from_latex,
    person,
)
from papertide.mathtext import math_spans, to_plain

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_STOP = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "towards", "toward",
         "via", "from", "is", "are", "at", "by", "do", "does", "how", "what", "when", "why"}
_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
            "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}"}


def _escape_text(text: str) -> str:
    """Plain text as BibTeX field content: LaTeX specials and non-ASCII letters escaped."""
    from pylatexenc.latexencode import unicode_to_latex

    plain = "".join(_SPECIAL.get(ch, ch) for ch in text)
    if plain.isascii():
        return plain
    # Accented letters as LaTeX accents; the specials are already escaped.
    return "".join(ch if ch.isascii() else unicode_to_latex(ch) for ch in plain)


# Text-mode symbols that have a math-mode name of their own (pylatexenc's tables give the
# text form for these, which LaTeX refuses inside `$…$`).
_MATH_NAMES = {"×": r"\times", "÷": r"\div", "·": r"\cdot", "¬": r"\neg", "→": r"\rightarrow",
               "←": r"\leftarrow", "↔": r"\leftrightarrow", "°": r"^{\circ}"}
_NOT_LATEX = {r"\Alpha", r"\Beta"}  # unicode.xml's names that no LaTeX package defines


def _math_symbol(ch: str) -> str:
    """One non-ASCII character inside `$…$` as LaTeX math (`φ` → `\\varphi`, `ℝ` →
    `\\mathbb{R}`, `²` → `^{2}`): pdflatex reads no Unicode there. pylatexenc's own table
    marks math symbols with `\\ensuremath`; the W3C unicode.xml table it also ships names
    most others in math mode; a text-only symbol goes in an `\\mbox`."""
    from pylatexenc.latexencode import get_builtin_conversion_rules

    if ch in _MATH_NAMES:
        return _MATH_NAMES[ch]
    curated, w3c = (get_builtin_conversion_rules(name)[0].rule
                    for name in ("defaults", "unicode-xml"))
    text, math = curated.get(ord(ch)), w3c.get(ord(ch))
    if text and text.startswith("\\ensuremath{") and text.endswith("}"):
        return text[len("\\ensuremath{"):-1]
    if text and text.isascii() and "\\" not in text:
        return text  # a Greek capital that looks Latin (`Α` → `A`), a prime
    if math and not math.lstrip("{").startswith("\\text") and math not in _NOT_LATEX:
        return "^{" + math[2:] if math.startswith("{^") else math
    if text:
        return r"\mbox{" + text + "}"
    folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return folded or r"\mbox{?}"  # nothing LaTeX could set: marked, not left to break the file


def _ascii_math(formula: str) -> str:
    """A `$…$` formula with its Unicode symbols as LaTeX macros (`$φ_t$` → `$\\varphi_t$`);
    a space keeps a macro from running into a following letter (`\\alpha x`)."""
    if formula.isascii():
        return formula
    out: list[str] = []
    for ch in formula:
        if ch.isascii():
            if ch.isalpha() and out and re.search(r"\\[A-Za-z]+$", out[-1]):
                out.append(" ")
            out.append(ch)
        else:
            out.append(_math_symbol(ch))
    return "".join(out)


def _escape(text: str, word: Callable[[str], str] | None = None) -> str:
    """A title, abstract or name as field content: its formulas kept as written (braced),
    the text between them read (`\\'e` → é, `\\%` → %) and escaped again, each word
    through `word` when given."""
    out = []
    for is_math, piece in math_spans(" ".join(text.split())):
        if is_math:
            out.append("{" + _ascii_math(piece) + "}")
            continue
        plain = readable(piece)
        if plain.strip() and piece[:1].isspace():
            plain = " " + plain.lstrip()
        if plain.strip() and piece[-1:].isspace():
            plain = plain.rstrip() + " "
        if word is None:
            out.append(_escape_text(plain))
        else:
            out.append(" ".join(word(w) if w else w for w in plain.split(" ")))
    return "".join(out)


def _braced_word(word: str) -> str:
    escaped = _escape_text(word)
    letters = [ch for ch in word if ch.isalpha()]
    return "{" + escaped + "}" if any(ch.isupper() for ch in letters[1:]) else escaped


def _title(text: str) -> str:
    """The escaped title with its capitalised words braced: `{NeRF}`, `{GPT-4}`."""
    return _escape(text, _braced_word)


def _lines(text: str) -> str:
    """A note as field content, its line breaks kept."""
    return "\n".join(_escape_text(line) for line in text.splitlines())


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def cite_key(paper: Paper) -> str:
    """`zhu2025dimo`: the first author's last name, the year and the first significant word
    of the title as it reads (`Di$\\mathtt{[M]}$O` is "DiMO"), lower-case ASCII."""
    last = paper.authors[0].split()[-1] if paper.authors else "anon"
    year = (paper.published or paper.updated)
    words = [_ascii_word(w) for w in re.split(r"[\s\-:/]+", to_plain(paper.title))]
    first = next((w for w in words if w and w not in _STOP), "paper")
    return f"{_ascii_word(last) or 'anon'}{year.year if year else ''}{first}"


def _key(item: SavedPaper) -> str:
    return cite_key(item.paper)


def entry(paper: Paper, key: str | None = None, tags: Sequence[str] = (),
          note: str | None = None) -> str:
    """One paper as a BibTeX entry (the Cite box of its page)."""
    kind, fields = _fields(paper, tags, note)
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{kind}{{{key or cite_key(paper)},\n{body}\n}}\n"


def _fields(paper: Paper, tags: Sequence[str] = (), note: str | None = None
            ) -> tuple[str, list[tuple[str, str]]]:
    kind = "article" if paper.journal_ref else "misc"
    fields = [("title", "{" + _title(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", "{" + " and ".join(_escape(a) for a in paper.authors) + "}"))
    when = paper.published or paper.updated
    if when:
        fields += [("year", "{" + str(when.year) + "}"), ("month", _MONTHS[when.month - 1])]
    if paper.journal_ref:
        fields.append(("journal", "{" + _escape(paper.journal_ref) + "}"))
    if paper.arxiv_id:
        fields += [("eprint", "{" + paper.arxiv_id + "}"), ("archivePrefix", "{arXiv}")]
        if paper.categories:
            fields.append(("primaryClass", "{" + paper.categories[0] + "}"))
    if paper.doi:
        fields.append(("doi", "{" + _escape(paper.doi) + "}"))
    url = paper.links.get("abs") or (f"https://arxiv.org/abs/{paper.arxiv_id}"
                                     if paper.arxiv_id else None)
    if url:
        fields.append(("url", "{" + url.replace("%", r"\%") + "}"))
    if paper.abstract:
        fields.append(("abstract", "{" + _escape(paper.abstract) + "}"))
    if tags:
        fields.append(("keywords", "{" + _escape_text(", ".join(tags)) + "}"))
    if note:
        fields.append(("annote", "{" + _lines(note) + "}"))
    return kind, fields


def to_bibtex(items: Sequence[SavedPaper]) -> str:
    """The saved papers as a BibTeX file, one entry each, keys unique."""
    used: set[str] = set()
    out = []
    for item in items:
        base = key = _key(item)
        suffix = 0
        while key in used:
            key = base + _suffix(suffix)
            suffix += 1
        used.add(key)
        out.append(entry(item.paper, key, item.saved.tags, item.saved.note))
    return "\n".join(out)


def _suffix(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


@dataclass
class ParsedFile:
    references: list[Reference] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # entries that could not be read


def read_bibtex(text: str) -> ParsedFile:
    """The entries of a BibTeX file as references; broken entries are named in
    `problems` (with their line), the others read."""
    import logging

    import bibtexparser

    # bibtexparser logs each broken block as a warning: they are in the report instead.
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    library = bibtexparser.parse_string(text)
    parsed = ParsedFile()
    for block in library.failed_blocks:
        line = getattr(block, "start_line", None)
        error = getattr(block, "error", None)
        reason = str(getattr(error, "abort_reason", "") or error or "").strip()
        head = str(getattr(block, "raw", "")).split("\n", 1)[0].strip()[:60]
        parsed.problems.append(f"line {line + 1 if line is not None else '?'}: {head} "
                               f"({reason or 'not a complete entry'})")
    for entry in library.entries:
        values = {name.lower(): str(f.value) for name, f in entry.fields_dict.items()}
        prefix = values.get("archiveprefix", values.get("eprinttype", "arxiv")).lower()
        eprint = values.get("eprint") if prefix in ("arxiv", "") else None
        arxiv_id = arxiv_from(eprint, values.get("arxivid"), values.get("arxiv"),
                              values.get("doi"), values.get("url"), values.get("journal"),
                              values.get("note"), values.get("howpublished"),
                              values.get("number"), values.get("eprint"))
        year = re.search(r"\d{4}", values.get("year", values.get("date", "")))
        authors = [person(from_latex(a)) for a in _split_names(values.get("author", ""))]
        parsed.references.append(Reference(
            key=entry.key, title=clean_title(values.get("title", "")), authors=authors,
            year=int(year.group(0)) if year else None, arxiv_id=arxiv_id,
            doi=doi_from(values.get("doi"), values.get("url")),
            tags=[from_latex(t) for t in re.split(r"[,;]", values.get("keywords", ""))
                  if t.strip()],
            note=note_from(values.get("annote"), values.get("note"))))
    return parsed


# Zotero and arXiv put the identifier in `note`: `arXiv:2503.11731 [cs]`. That is no note.
_ID_ONLY = re.compile(r"^\s*arxiv\s*:?\s*\S+(\s*\[[^\]]*\])?\s*$", re.IGNORECASE)


def note_from(*values: str | None) -> str | None:
    """The reader's note: the first value that is more than an arXiv identifier, its
    lines read from LaTeX one by one."""
    for value in values:
        if value and value.strip() and not _ID_ONLY.match(value):
            lines = [from_latex(line) for line in value.strip().splitlines()]
            return "\n".join(lines)
    return None


def _split_names(value: str) -> list[str]:
    """BibTeX's `A and B and C`, split at brace depth 0 (`{Barnes and Noble}` is one)."""
    names, depth, start = [], 0, 0
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and value[i:i + 5].lower() == " and " :
            names.append(value[start:i])
            start = i + 5
            i += 4
        i += 1
    names.append(value[start:])
    return [n.strip() for n in names if n.strip()]
