"""Fusing the keyword and the semantic ranking into one.

Two methods, compared on the relevance harness (`papertide eval`, SciFact train):
reciprocal rank fusion (score = Σ 1 / (k + rank), k = 60) and a convex combination of
the min-max normalised scores (α · semantic + (1 − α) · keyword). The measurements and
the chosen default are in the comment above `FUSION_METHOD` below.
"""

from __future__ import annotations

RRF_K = 60


def rrf(*rankings: list[tuple[str, float]], k: int = RRF_K) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, (pid, _) in enumerate(ranking, start=1):
            scores[pid] = scores.get(pid, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def _normalised(ranking: list[tuple[str, float]]) -> dict[str, float]:
    if not ranking:
        return {}
    values = [s for _, s in ranking]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return {pid: (s - low) / span for pid, s in ranking}


def convex(keyword: list[tuple[str, float]], semantic: list[tuple[str, float]],
           alpha: float = 0.5) -> list[tuple[str, float]]:
    """α · semantic + (1 − α) · keyword on min-max normalised scores; a paper missing from
    one list gets 0 there (it ranked below that list's cut)."""
    kw, sem = _normalised(keyword), _normalised(semantic)
    scores = {pid: alpha * sem.get(pid, 0.0) + (1 - alpha) * kw.get(pid, 0.0)
              for pid in kw.keys() | sem.keys()}
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


# Measured on SciFact train (809 claims, 5,183 abstracts), nDCG@10: keyword 0.666, semantic
# 0.660; RRF 0.710; convex α 0.3 → 0.708, 0.4 → 0.717, 0.5 → 0.719, 0.6 → 0.714, 0.7 → 0.706.
# Convex beats RRF (it keeps how much better the best match is, which ranks throw away);
# α = 0.5, equal weight, is also the top of the plateau.
FUSION_METHOD = "tmm"
FUSION_ALPHA = 0.5


def tmm(keyword: list[tuple[str, float]], semantic: list[tuple[str, float]],
        alpha: float = 0.5, semantic_low: float = 0.0) -> list[tuple[str, float]]:
    """Theoretical min-max: each side divided by its best score above its theoretical low
    (0 for BM25, `semantic_low` for cosine), then α · semantic + (1 − α) · keyword. Unlike
    min-max, a candidate's score does not depend on how deep the lists were cut, and one
    weak side is not stretched to look as confident as a strong one."""
    def scaled(ranking: list[tuple[str, float]], low: float) -> dict[str, float]:
        if not ranking:
            return {}
        span = (max(s for _, s in ranking) - low) or 1.0
        return {pid: max(s - low, 0.0) / span for pid, s in ranking}

    kw, sem = scaled(keyword, 0.0), scaled(semantic, semantic_low)
    scores = {pid: alpha * sem.get(pid, 0.0) + (1 - alpha) * kw.get(pid, 0.0)
              for pid in kw.keys() | sem.keys()}
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def fuse(keyword: list[tuple[str, float]], semantic: list[tuple[str, float]],
         method: str | None = None, alpha: float | None = None,
         semantic_low: float = 0.0) -> list[tuple[str, float]]:
    method = method or FUSION_METHOD
    alpha = FUSION_ALPHA if alpha is None else alpha
    if method == "rrf":
        return rrf(keyword, semantic)
    if method == "tmm":
        return tmm(keyword, semantic, alpha, semantic_low)
    return convex(keyword, semantic, alpha)


def rare_share(weights: list[tuple[str, int, float]], num_docs: int,
               rare_below: float = 0.02) -> tuple[list[str], float]:
    """The query's rare terms (in fewer than `rare_below` of the papers, and in at least
    one) and the share of the query's idf weight they carry."""
    total = sum(idf for _, _, idf in weights)
    rare = [(t, idf) for t, df, idf in weights if 0 < df < rare_below * num_docs]
    share = sum(idf for _, idf in rare) / total if total else 0.0
    return [t for t, _ in rare], share


def guard(fused: list[tuple[str, float]], exact: set[str]) -> list[tuple[str, float]]:
    """The fused ranking with the exact matches of the query's rare terms first (each
    keeps its fused score plus one, so their order among themselves is the fused one)."""
    lifted = [(pid, s + 1.0 if pid in exact else s) for pid, s in fused]
    return sorted(lifted, key=lambda kv: (-kv[1], kv[0]))
