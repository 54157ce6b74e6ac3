"""Paper identifiers inside a search query: arXiv ids (new `2503.15457`, with a version
`2503.15457v2`, `arXiv:2503.15457`, abs and pdf URLs, old-style `hep-th/9901001`) and
DOIs (`10.1000/xyz`, `doi:10.1000/xyz`, doi.org URLs), typed or pasted anywhere in it.

    ids, rest = split_ids("see https://arxiv.org/abs/2503.15457v1 on diffusion")
    # ids == ["arXiv:2503.15457"], rest == "see on diffusion"

Search puts each identified paper first in every mode; one the catalog lacks is reported
(and, for arXiv ids, offered for fetching).
"""

from __future__ import annotations

import re

from papertide.catalog import normalize_doi, parse_arxiv_id

_DOI = re.compile(r"^(?:doi:|(?:https?://)?(?:dx\.)?doi\.org/)?10\.\d{4,9}/\S+$", re.IGNORECASE)
_TRAILING = ".,;)]}>'\""


def identify(token: str) -> str | None:
    """`arXiv:<id>` or `doi:<doi>` for a token that names a paper, else None."""
    token = token.strip().rstrip(_TRAILING).lstrip("(<[{'\"")
    if token.lower().startswith("id:"):
        token = token[3:]
    if not token:
        return None
    parsed = parse_arxiv_id(token)
    if parsed is not None:
        return f"arXiv:{parsed[0]}"
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
