"""Search by meaning: embeddings, the vector index, hybrid ranking and similar papers."""

import numpy as np
import pytest

from papertide.catalog import Paper
from papertide.search import Filters
from papertide.search._hybrid import convex, rrf
from papertide.search._vectors import VectorIndex
from tests.helpers import FIXTURES, load


def titles(page):
    return [h.paper.title for h in page.hits]


@pytest.mark.slow
def test_meaning_finds_what_the_words_do_not_say(semantic_demo):
    query = "papers that combine fine-tuned models into one without retraining"
    top = titles(semantic_demo.search.search(query, mode="semantic", limit=5))
    assert sum("merg" in t.lower() for t in top) >= 2, top


@pytest.mark.slow
def test_hybrid_is_the_default_and_keeps_the_exact_match_first(semantic_demo):
    page = semantic_demo.search.search("sample efficient multi-agent reinforcement learning")
    assert page.mode == "hybrid"
    assert titles(page)[0] == "Sample-Efficient Multi-Agent RL: An Optimization Perspective"


@pytest.mark.slow
def test_hybrid_pagination_is_stable(semantic_demo):
    search = semantic_demo.search.search
    both = search("language model alignment", limit=10)
    first, second = (
        search("language model alignment", limit=5),
        search("language model alignment", limit=5, offset=5),
    )
    assert [h.paper.id for h in first.hits + second.hits] == [h.paper.id for h in both.hits]


@pytest.mark.slow
def test_exclusions_apply_to_the_semantic_side(semantic_demo):
    page = semantic_demo.search.search("merging models -permutations", mode="semantic", limit=20)
    assert page.hits
    assert all("permutation" not in (h.paper.title + h.paper.abstract).lower() for h in page.hits)


@pytest.mark.slow
def test_similar_papers_are_near_in_meaning_and_exclude_the_paper(semantic_demo):
    merging = (
        semantic_demo.search.search('ti:"Merging Models with Permutations"', mode="keyword")
        .hits[0]
        .paper
    )
    similar = semantic_demo.search.similar(merging.id, 5)
    assert merging.id not in [h.paper.id for h in similar]
    assert any("merg" in h.paper.title.lower() for h in similar)


@pytest.mark.slow
def test_filters_apply_before_the_cut(services, settings):
    # 30 papers on one topic in cs.CL and one in cs.CV: a category filter must still find
    # the cs.CV one even though 30 closer papers are cut away.
    pytest.importorskip("onnxruntime")
    papers = [
        Paper(
            title=f"Translation study {i}",
            abstract="Neural machine translation of news text.",
            categories=["cs.CL"],
            arxiv_id=f"2401.{i:05d}",
        )
        for i in range(30)
    ]
    papers.append(Paper(title="Video translation", abstract="Translating sign language video.",
                        categories=["cs.CV"], arxiv_id="2401.99999"))
    services.catalog.upsert(papers)
    services.search.catch_up(embed=True)
    page = services.search.search(
        "machine translation", Filters(category="cs.CV"), mode="semantic", limit=3
    )
    assert [h.paper.id for h in page.hits] == ["2401.99999"]


@pytest.mark.slow
def test_embedding_is_resumable_and_never_embeds_a_paper_twice(services):
    pytest.importorskip("onnxruntime")
    load(services, FIXTURES / "arxiv-sample-40.jsonl")
    semantic = services.search.semantic
    assert semantic.embed_pending(limit=15) == 15  # an interrupted run
    assert semantic.store.count() == 15
    assert semantic.embed_pending() == 25  # the rest, nothing twice
    assert semantic.embed_pending() == 0
    changed = services.catalog.get("2503.11731")
    services.catalog.upsert([Paper(title=changed.title, abstract="A changed abstract.",
                                   arxiv_id=changed.arxiv_id)])
    assert semantic.embed_pending() == 1  # only the paper whose text changed
    assert semantic.catch_up() == 40 and semantic.vectors.count == 40
    assert semantic.store.count() == 40


def test_vector_index_survives_reopen_and_catches_up(tmp_path):
    index = VectorIndex(tmp_path / "v")
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((5, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index.apply([(f"p{i}", v) for i, v in enumerate(vectors)], seq=1)
    index.apply([("p2", vectors[0])], seq=2)  # p2's text changed: its row is replaced
    reopened = VectorIndex(tmp_path / "v")
    assert reopened.count == 5 and reopened.indexed_seq == 2
    top = reopened.search(vectors[0], 2)
    assert {pid for pid, _ in top} == {"p0", "p2"}
    assert top[0][1] == pytest.approx(1.0, abs=1e-5)


def test_fusion_methods_on_a_hand_worked_example():
    keyword = [("a", 10.0), ("b", 5.0), ("c", 1.0)]
    semantic = [("c", 0.9), ("a", 0.8), ("d", 0.1)]
    assert [pid for pid, _ in rrf(keyword, semantic)][:2] == ["a", "c"]
    fused = dict(convex(keyword, semantic, alpha=0.5))
    # a: 0.5·(0.8−0.1)/0.8 + 0.5·1 = 0.9375; c: 0.5·1 + 0.5·0 = 0.5; b: 0.5·(4/9)
    assert fused["a"] == pytest.approx(0.9375)
    assert fused["c"] == pytest.approx(0.5)
    assert fused["b"] == pytest.approx(0.5 * 4 / 9)


def test_the_hnsw_graph_takes_over_past_its_threshold_and_survives_reopen(tmp_path, monkeypatch):
    import papertide.search._vectors as vectors_module

    monkeypatch.setattr(vectors_module, "HNSW_FROM", 500)
    rng = np.random.default_rng(1)
    data = rng.standard_normal((800, 384)).astype(np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    index = VectorIndex(tmp_path / "v")
    index.apply([(f"p{i}", v) for i, v in enumerate(data[:400])], seq=1)
    assert index.hnsw is None  # below the threshold: exact search
    index.apply([(f"p{i}", v) for i, v in enumerate(data[400:], start=400)], seq=2, final=False)
    index.apply([("p3", data[700])], seq=3)  # p3 now has p700's vector
    assert index.hnsw is not None and len(index.hnsw) == 800
    reopened = VectorIndex(tmp_path / "v")
    assert reopened.hnsw is not None
    # The graph is approximate (and built by several threads, so not the same twice): both
    # copies of the vector must be found near the top, at similarity 1.
    hits = dict(reopened.search(data[700], 10))
    assert {"p3", "p700"} <= hits.keys() and min(hits["p3"], hits["p700"]) > 0.99
    exact = reopened._exact(data[10], 5, None)
    assert [pid for pid, _ in reopened.search(data[10], 5)][0] == exact[0][0] == "p10"


@pytest.mark.slow
def test_loading_the_graph_before_the_model_does_not_crash(tmp_path):
    # A server with a big catalog opens its HNSW graph first and loads the model on the
    # first query; that order once crashed the process.
    import subprocess
    import sys

    code = ("from papertide.search._vectors import usearch_index_class; usearch_index_class(); "
            "import onnxruntime; print('alive')")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and "alive" in result.stdout, result.stderr[-500:]
