"""What makes two records the same paper: arXiv id, DOI, or normalised title."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

# ASCII digits only (`\d` takes Arabic-Indic and full-width ones too, which name no paper),
# and a version of at most 6 digits: `int()` of a pasted 5000-digit one raised (a 500).
_NEW_ARXIV = re.compile(r"^([0-9]{4}\.[0-9]{4,5})(?:v([0-9]{1,6}))?$")
_OLD_ARXIV = re.compile(r"^([a-z][a-z\-]*(?:\.[A-Za-z]{2})?/[0-9]{7})(?:v([0-9]{1,6}))?$",
                        re.IGNORECASE)
_ARXIV_PREFIX = re.compile(
    r"^(?:arxiv:|(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|api)/|oai:arxiv\.org:)",
    re.IGNORECASE,
)
_DOI_PREFIX = re.compile(r"^(?:doi:|(?:https?://)?(?:dx\.)?doi\.org/)", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def parse_arxiv_id(value: str | None) -> tuple[str, int | None] | None:
    """`'arXiv:2503.11731v2'` → `('2503.11731', 2)`; None when it is no arXiv id."""
    if not value:
        return None
    text = _ARXIV_PREFIX.sub("", value.strip())
    text = re.sub(r"\.pdf$", "", text)
    for pattern in (_NEW_ARXIV, _OLD_ARXIV):
        match = pattern.match(text)
        if match:
            base = match.group(1)
            if pattern is _OLD_ARXIV:
                archive, number = base.split("/")
                base = f"{archive.lower()}/{number}"
            return base, int(match.group(2)) if match.group(2) else None
    return None


def normalize_doi(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    doi = _DOI_PREFIX.sub("", value.strip()).strip().lower()
    return doi if doi.startswith("10.") else None


@lru_cache(maxsize=1 << 16)
def title_key(title: str) -> str:
    """Case, accents, punctuation and spacing folded away: the title as dedup key. A title
    of punctuation alone (`:`, `???`) keys as itself, case and spacing folded: an empty
    key would give every such paper the same id (and fail the batch of the second)."""
    if title.isascii():
        key = _NOT_WORD.sub(" ", title.lower()).strip()[:300]
    else:
        decomposed = unicodedata.normalize("NFKD", title)
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        key = _NOT_WORD.sub(" ", stripped.casefold()).strip()[:300]
    return key or " ".join(title.casefold().split())[:300]


@lru_cache(maxsize=1 << 17)
def paper_key(paper_id: str) -> int:
    """A stable 63-bit number for a paper id (what numeric indexes use to name papers).
    Kept for the ids seen lately: a hybrid search keys a few hundred candidates, and the
    hash is dearer than the lookup."""
    return int.from_bytes(hashlib.blake2b(paper_id.encode(), digest_size=8).digest(), "little") >> 1


def paper_id(arxiv_id: str | None, doi: str | None, key: str) -> str:
    if arxiv_id:
        return arxiv_id
    if doi:
        return f"doi:{doi}"
    return "t" + hashlib.sha1(key.encode()).hexdigest()[:15]
