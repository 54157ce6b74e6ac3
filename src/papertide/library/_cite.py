"""One paper cited, for the Cite box of its page: a BibTeX entry (as the library's export
writes it) and an APA 7 reference in plain text.

    bibtex(paper)  # "@misc{zhu2025dimo,\n  title = {Di{$\\mathtt{[M]}$}O: …"
    apa(paper)     # "Zhu, Y., & Wang, X. (2025). DiMO: … arXiv. https://doi.org/10.48550/arXiv.2503.11731"
"""

from __future__ import annotations

from papertide.catalog import Paper
from papertide.library._bibtex import entry
from papertide.mathtext import to_plain

MAX_APA_AUTHORS = 20  # APA 7: the first 19, an ellipsis, then the last


def bibtex(paper: Paper) -> str:
    return entry(paper)


def _apa_name(name: str) -> str:
    """`Yann LeCun` → `LeCun, Y.`; `Jean-Paul Sartre` → `Sartre, J.-P.`"""
    parts = name.split()
    if len(parts) < 2:
        return name
    initials = " ".join("-".join(p[0] + "." for p in given.split("-") if p)
                        for given in parts[:-1])
    return f"{parts[-1]}, {initials}"


def _apa_authors(authors: list[str]) -> str:
    names = [_apa_name(a) for a in authors]
    if len(names) > MAX_APA_AUTHORS:
        return ", ".join(names[:MAX_APA_AUTHORS - 1]) + ", … " + names[-1]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def apa(paper: Paper) -> str:
    """The paper as an APA 7 reference (a preprint when it has no journal reference)."""
    when = paper.published or paper.updated
    title = to_plain(paper.title).rstrip(".")
    parts = [_apa_authors(paper.authors) or title,
             f"({when.year})." if when else "(n.d.)."]
    if paper.authors:
        parts.append(title + ".")
    if paper.journal_ref:
        parts.append(to_plain(paper.journal_ref).rstrip(".") + ".")
    elif paper.arxiv_id:
        parts.append("arXiv.")
    doi = paper.doi or (f"10.48550/arXiv.{paper.arxiv_id}" if paper.arxiv_id else None)
    if doi:
        parts.append(f"https://doi.org/{doi}")
    elif paper.links.get("abs"):
        parts.append(paper.links["abs"])
    return " ".join(parts)
