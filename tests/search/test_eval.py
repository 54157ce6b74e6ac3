"""The relevance harness: metrics as trec_eval/BEIR define them, and `papertide eval`."""

import json
import math

import pytest
from typer.testing import CliRunner

from papertide.cli import app
from papertide.search._eval import evaluate, mrr_at, ndcg_at, read_beir, recall_at
from tests.helpers import FIXTURES

BEIR = FIXTURES / "beir-mini"


def test_metrics_on_a_hand_worked_example():
    ranked = ["d3", "d1", "d9", "d2"]
    relevant = {"d1": 1, "d2": 2, "d7": 1}
    # DCG@10 = 1/log2(3) + 2/log2(5); ideal gains 2,1,1 → 2/log2(2) + 1/log2(3) + 1/log2(4)
    dcg = 1 / math.log2(3) + 2 / math.log2(5)
    idcg = 2 + 1 / math.log2(3) + 1 / 2
    assert ndcg_at(ranked, relevant) == pytest.approx(dcg / idcg)
    assert recall_at(ranked, relevant, 100) == pytest.approx(2 / 3)
    assert mrr_at(ranked, relevant) == pytest.approx(1 / 2)
    assert mrr_at(["x"] * 10 + ["d1"], relevant) == 0.0  # first hit beyond 10


def test_evaluate_averages_over_judged_queries_only():
    queries = {"q1": "a", "q2": "b", "q3": "unjudged"}
    qrels = {"q1": {"d1": 1}, "q2": {"d2": 1}, "q4": {"d1": 1}}
    runs = {"a": ["d1"], "b": ["x", "d2"]}
    result = evaluate(lambda q: runs[q], queries, qrels)
    assert result["queries"] == 2
    assert result["mrr@10"] == pytest.approx((1 + 0.5) / 2)


def test_beir_reader():
    papers, queries, qrels = read_beir(BEIR)
    assert len(papers) == 60 and len(queries) == 12
    assert all(qid in queries for qid in qrels)


def test_papertide_eval_prints_the_three_metrics_as_json(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path / "unused"))
    result = CliRunner().invoke(app, ["eval", str(BEIR), "--mode", "keyword", "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(metrics) == {"ndcg@10", "recall@100", "mrr@10", "mode", "queries"}
    assert metrics["mode"] == "keyword" and metrics["queries"] == 12
    assert 0.3 < metrics["ndcg@10"] <= 1.0  # real judgments: BM25 finds most of them


@pytest.mark.slow
def test_hybrid_beats_or_matches_keyword_on_the_fixture(tmp_path, monkeypatch):
    pytest.importorskip("onnxruntime")
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path / "unused"))
    scores = {}
    for mode in ("keyword", "hybrid"):
        out = CliRunner().invoke(app, ["eval", str(BEIR), "--mode", mode, "--json",
                                       "--work-dir", str(tmp_path / "store")])
        assert out.exit_code == 0, out.output
        scores[mode] = json.loads(out.stdout.strip().splitlines()[-1])["ndcg@10"]
    assert scores["hybrid"] >= scores["keyword"] - 0.02, scores
