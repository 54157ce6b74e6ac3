"""What a paper card says about a paper, for the templates: its outside signals (Hugging
Face upvotes and comments, GitHub stars), counts in words ("1 vote", "1.2k stars"), its
arXiv categories (not the ACM or MSC classes some records list beside them) with their
names, and where it lives on arXiv and Hugging Face.

    signals_of(request, paper.id)   # {"upvotes": 312, "comments": 12, "github_stars": 1480}
    count(1, "vote")                # "1 vote";  count(1480, "star") → "1.5k stars"
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import Request

from papertide.sources.arxiv_taxonomy import CATEGORIES, is_known
from papertide.sources.hf_daily import SOURCE as HF_DAILY
from papertide.web._deps import services

# arXiv category codes: `cs.LG`, `hep-th`, `math-ph`, `q-bio.NC` (not `I.2.6`, `68T05`).
_CATEGORY = re.compile(r"^[a-z][a-z\-]*(\.[A-Za-z][A-Za-z\-]*)?$")


def signals_of(request: Request, paper_id: str) -> dict[str, int]:
    """The paper's outside signals by name (largest value when two sources report one),
    read once per request and paper."""
    cache: dict[str, dict[str, int]] | None = getattr(request.state, "card_signals", None)
    if cache is None:
        cache = request.state.card_signals = {}
    if paper_id not in cache:
        found: dict[str, int] = {}
        for signal in services(request).catalog.signals([paper_id]).get(paper_id, []):
            found[signal.name] = max(found.get(signal.name, 0), int(round(signal.value)))
        cache[paper_id] = found
    return cache[paper_id]


def compact(n: int | float) -> str:
    """1480 → "1.5k", 2_300_000 → "2.3M": counts as people read them, never a raw float."""
    n = int(round(n))
    for size, unit in ((1_000_000, "M"), (1_000, "k")):
        if abs(n) >= size:
            value = f"{n / size:.1f}".removesuffix(".0")
            return f"{value}{unit}"
    return str(n)


def count(n: int | float, noun: str, plural: str | None = None) -> str:
    """`1 vote`, `2 votes`, `1.5k stars`."""
    word = noun if int(round(n)) == 1 else (plural or noun + "s")
    return f"{compact(n)} {word}"


def arxiv_categories(categories: list[str]) -> list[str]:
    """The arXiv categories among a record's classes (ACM `I.2.6; C.5.3` and MSC codes
    left out)."""
    return [c for c in categories if _CATEGORY.match(c) and (is_known(c) or "." in c)]


def category_name(code: str) -> str:
    """`cs.LG` → "Machine Learning" (the archive is in the code); `hep-th` → "High Energy
    Physics - Theory"; an unknown code is its own name."""
    name = CATEGORIES.get(code, code)
    if "." in code and " - " in name:
        return name.split(" - ", 1)[1]
    return name


def hf_url(paper: Any, signals: dict[str, int]) -> str | None:
    """The paper's Hugging Face page, for papers with an arXiv id that HF listed."""
    listed = HF_DAILY in (paper.sources or []) or "upvotes" in signals
    if not paper.arxiv_id or not listed:
        return None
    return f"https://huggingface.co/papers/{quote(paper.arxiv_id)}"


def arxiv_links(paper: Any) -> list[tuple[str, str]]:
    """arXiv's abstract page, PDF and HTML version of a paper with an arXiv id."""
    if not paper.arxiv_id:
        return []
    ident = quote(paper.arxiv_id + (f"v{paper.version}" if paper.version else ""))
    return [("Abstract", f"https://arxiv.org/abs/{ident}"),
            ("PDF", f"https://arxiv.org/pdf/{ident}"),
            ("HTML", f"https://arxiv.org/html/{ident}")]


def has_voted(request: Request, paper_id: str) -> bool:
    """Has the signed-in reader voted for this paper? (False for everyone else.)"""
    reader = getattr(request.state, "reader", None)
    if reader is None:
        return False
    return services(request).catalog.has_event(paper_id, "vote", f"r:{reader.id}")
