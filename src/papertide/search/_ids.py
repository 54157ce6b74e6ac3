"""Paper identifiers inside a search query: arXiv ids (new `2503.15457`, with a version
`2503.15457v2`, `arXiv:2503.15457`, old-style `hep-th/9901001`), the links researchers
paste for them (arXiv's abs, pdf and html pages, export.arxiv.org, ar5iv, Hugging Face
papers, alphaXiv, Semantic Scholar's arXiv links, arXiv's own DOI `10.48550/arXiv.<id>`)
and DOIs (`10.1000/xyz`, `doi:10.1000/xyz`, doi.org URLs), typed or pasted anywhere in it.

    ids, rest = split_ids("see https://huggingface.co/papers/2503.15457 on diffusion")
    # ids == ["arXiv:2503.15457"], rest == "see on diffusion"

Search puts each identified paper first in every mode; one the catalog lacks is reported
(and, for arXiv ids, offered for fetching).
"""

from __future__ import annotations

import re

from papertide.catalog import normalize_doi, parse_arxiv_id

_AS_DOI = r"^(?:doi:|(?:https?://)?(?:dx\.)?doi\.org/)?"  # `doi:` or a doi.org link, or bare
_DOI = re.compile(_AS_DOI + r"10\.[0-9]{4,9}/\S+$", re.IGNORECASE)
_TRAILING = ".,;)]}>'\""

# Pages that name an arXiv paper by the id in their path. Whatever follows the id (a
# version, `.pdf`, a figure's path in the HTML version, a query or a fragment) is left to
# `_ID_AT_START`, so one pattern per site is enough.
_ARXIV_PAGE = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:"
    r"(?:export\.)?arxiv\.org/(?:abs|pdf|html|format|ps)/"
    r"|ar5iv(?:\.labs\.arxiv)?\.org/(?:abs|html|pdf)/"
    r"|(?:huggingface|hf)\.co/papers/"
    r"|alphaxiv\.org/(?:abs|overview|pdf)/"
    r"|(?:api\.)?semanticscholar\.org/arxiv[:/]"
    r")(.+)$",
    re.IGNORECASE,
)
# arXiv's DataCite DOI for every paper: `10.48550/arXiv.2503.15457`, bare or as a link.
_ARXIV_DOI = re.compile(_AS_DOI + r"10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_ID_AT_START = re.compile(
    r"^([0-9]{4}\.[0-9]{4,5}(?:v[0-9]+)?|[a-z][a-z\-]*(?:\.[a-z]{2})?/[0-9]{7}(?:v[0-9]+)?)"
    r"(?:\.pdf)?(?:[/?#].*)?$",
    re.IGNORECASE,
)


def arxiv_in_path(path: str) -> str | None:
    """The arXiv id an arXiv page path names once its `/abs/` or `/pdf/` is taken off
    (`2503.15457v2.pdf`, `hep-th/9901001v1`), else None: what lets a reader swap the host
    of an arXiv link for this one's."""
    at_start = _ID_AT_START.match(path.strip().lstrip("/"))
    parsed = parse_arxiv_id(at_start.group(1)) if at_start else None
    return parsed[0] if parsed else None


def _arxiv_link(token: str) -> str | None:
    """The arXiv id a pasted link or arXiv DOI names, else None."""
    match = _ARXIV_PAGE.match(token) or _ARXIV_DOI.match(token)
    return arxiv_in_path(match.group(1)) if match else None


def identify(token: str) -> str | None:
    """`arXiv:<id>` or `doi:<doi>` for a token that names a paper, else None."""
    token = token.strip().rstrip(_TRAILING).lstrip("(<[{'\"")
    if token.lower().startswith("id:"):
        token = token[3:]
    if not token:
        return None
    arxiv_id = _arxiv_link(token)
    if arxiv_id is None and (parsed := parse_arxiv_id(token)) is not None:
        arxiv_id = parsed[0]
    if arxiv_id is not None:
        return f"arXiv:{arxiv_id}"
    if _DOI.match(token):
        doi = normalize_doi(token)
        if doi:
            return f"doi:{doi}"
    return None


def split_ids(query: str) -> tuple[list[str], str]:
    """The identifiers in a query (normalised, in order, once each) and the rest of it.
    Identifiers preceded by `-` (excluded) stay in the rest."""
    found: list[str] = []
    rest: list[str] = []
    for token in query.split():
        name = None if token.startswith("-") else identify(token.lstrip("+"))
        if name is None:
            rest.append(token)
        elif name not in found:
            found.append(name)
    return found, " ".join(rest)


def bare(name: str) -> str:
    """The id without its `arXiv:` or `doi:` label (what the catalog looks up)."""
    return name.split(":", 1)[1]
