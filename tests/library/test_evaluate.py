"""`papertide eval-recs`: simulated readers from a papers file, three rankings compared.

The fixture is a real slice of the daily-arXiv sample: 24 authors with 8–10 papers each,
all their papers, and random other papers up to 700, with the sample's precomputed
embeddings next to it (`arxiv-sample-700.npy`, one row per line)."""

import gzip
import json
import shutil

import pytest
from typer.testing import CliRunner

from papertide.cli import app
from tests.helpers import FIXTURES

SLICE = FIXTURES / "recs" / "arxiv-sample-700.jsonl.gz"
runner = CliRunner()


def slice_lines():
    return gzip.decompress(SLICE.read_bytes()).decode().splitlines()


def eval_recs(*args):
    result = runner.invoke(app, ["eval-recs", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.slow  # simulates readers over a real papers file
def test_the_model_beats_both_baselines_on_real_papers():
    result = eval_recs(SLICE, "--json")
    table = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(table) == {"trending", "centroid", "model"}
    for row in table.values():
        assert set(row) == {"recall@20", "ndcg@20"}
        assert 0 <= row["recall@20"] <= 1 and 0 <= row["ndcg@20"] <= 1
    # 29 simulated readers: enough for the order to mean something (measured: model 0.36,
    # centroid 0.22, trending 0.05 nDCG@20).
    assert table["model"]["ndcg@20"] > table["centroid"]["ndcg@20"] > table["trending"]["ndcg@20"]
    assert table["model"]["recall@20"] > table["centroid"]["recall@20"]


def test_the_table_names_the_rankings_and_the_vectors_used():
    result = eval_recs(SLICE, "--readers", 5)
    for name in ("trending", "centroid", "model", "recall@20", "ndcg@20"):
        assert name in result.stdout
    assert "arxiv-sample-700.npy" in result.output


@pytest.mark.slow
def test_a_file_without_vectors_is_embedded(tmp_path):
    # One author's ten papers and ten others: the embedder runs on 20 abstracts.
    lines = slice_lines()
    author = "Yugo Murawaki"
    own = [line for line in lines if author in json.loads(line)["authors"]]
    assert len(own) >= 8
    small = tmp_path / "papers.jsonl"
    small.write_text("\n".join(own + [x for x in lines if x not in own][:10]) + "\n")
    # A .npy whose rows do not match the file is not taken for its vectors.
    shutil.copy(SLICE.with_suffix("").with_suffix(".npy"), tmp_path / "papers.npy")
    result = eval_recs(small, "--readers", 3, "--json")
    assert "vectors: embedded" in result.output
    assert set(json.loads(result.stdout.strip().splitlines()[-1])) == {"trending", "centroid",
                                                                       "model"}


def test_a_file_with_no_reader_to_simulate_is_a_clear_error(tmp_path):
    small = tmp_path / "few.jsonl.gz"
    small.write_bytes(gzip.compress("\n".join(slice_lines()[:5]).encode()))
    result = runner.invoke(app, ["eval-recs", str(small)])
    assert result.exit_code == 2
    assert "no author has 8 or more papers" in result.output
