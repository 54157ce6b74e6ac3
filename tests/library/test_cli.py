"""`papertide library …` and `papertide recommend`, run as an operator runs them."""

import json
from pathlib import Path

import bibtexparser
import pytest
from typer.testing import CliRunner

from papertide.cli import app
from tests.helpers import FIXTURES

MESSY = Path(__file__).parent / "fixtures" / "messy.bib"


@pytest.fixture
def run(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PAPERTIDE_DATABASE_URL", database_url)
    monkeypatch.setenv("PAPERTIDE_SEARCH_MODE", "keyword")
    monkeypatch.setenv("PAPERTIDE_EMBED_ON_INGEST", "0")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    invoke("ingest", FIXTURES / "arxiv-sample-40.jsonl")
    invoke("readers", "add", "ada@example.org", "--confirmed")
    return invoke


def test_add_list_and_export(run):
    added = run("library", "add", "ada@example.org", "2503.11731", "arXiv:2503.11742v1",
                "--tag", "vision", "--tag", "to read")
    assert added.exit_code == 0 and "saved 2503.11742: Safe Vision-Language" in added.stdout
    missing = run("library", "add", "ada@example.org", "not-a-paper")
    assert missing.exit_code == 1 and "No paper with id 'not-a-paper'" in missing.stderr
    unknown = run("library", "list", "bob@example.org")
    assert unknown.exit_code == 2 and "no reader with that address" in unknown.stderr
    rows = json.loads(run("library", "list", "ada@example.org", "--json").stdout)
    assert sorted(r["id"] for r in rows) == ["2503.11731", "2503.11742"]
    assert rows[0]["tags"] == ["to read", "vision"]
    assert "Safe Vision-Language" in run("library", "list", "ada@example.org", "--tag",
                                         "vision", "--sort", "published").stdout
    bib = run("library", "export", "ada@example.org", "--format", "bibtex").stdout
    keys = [e.key for e in bibtexparser.parse_string(bib).entries]
    assert keys == ["zeng2025industrial", "dinca2025safe"]
    csl = json.loads(run("library", "export", "ada@example.org", "--format", "csl-json",
                         "--tag", "vision").stdout)
    assert [i["number"] for i in csl] == ["arXiv:2503.11731", "arXiv:2503.11742"]
    lines = run("library", "export", "ada@example.org", "--format", "jsonl").stdout
    assert [json.loads(line)["id"] for line in lines.splitlines()] == ["2503.11731",
                                                                       "2503.11742"]
    removed = run("library", "remove", "ada@example.org", "2503.11731")
    assert removed.exit_code == 0 and "removed 2503.11731" in removed.stdout
    assert [r["id"] for r in json.loads(run("library", "list", "ada@example.org",
                                            "--json").stdout)] == ["2503.11742"]
    assert run("library", "remove", "ada@example.org", "nope").exit_code == 1


def test_add_and_remove_print_one_json_object_a_paper(run):
    added = run("library", "add", "ada@example.org", "2503.11731", "not-a-paper", "--json")
    assert added.exit_code == 1  # one was refused; the other is saved all the same
    saved, refused = [json.loads(line) for line in added.stdout.splitlines()]
    assert saved["paper"] == "2503.11731" and saved["saved"] == "2503.11731" and saved["title"]
    assert refused["paper"] == "not-a-paper" and "No paper with id" in refused["error"]
    removed = run("library", "remove", "ada@example.org", "2503.11731", "--json")
    assert removed.exit_code == 0
    assert [json.loads(line) for line in removed.stdout.splitlines()] == [
        {"paper": "2503.11731", "removed": "2503.11731", "title": saved["title"]}]


def test_import_prints_a_report(run):
    human = run("library", "import", "ada@example.org", MESSY, "--no-fetch", "--tag", "old")
    assert human.exit_code == 0
    text = " ".join(human.stderr.split())  # as wide as the terminal: lines wrap
    assert "14 entries (bibtex): 4 matched, 0 fetched from arXiv, 8 not matched" in text
    assert "4 papers added to the library" in text
    assert "not matched rutar2022attainable: Attainable forms of Assouad spectra" in text
    report = json.loads(run("library", "import", "ada@example.org", MESSY, "--no-fetch",
                            "--json").stdout)
    assert report["added"] == 0 and len(report["matched"]) == 4
    why = {r["entry"].split(":")[0]: r["why"] for r in report["not_matched"]}
    assert why["rutar2022attainable"] == "arXiv 2206.06921 is not in the catalog (not fetched)"
    assert len(report["problems"]) == 1


@pytest.mark.slow
def test_recommend_prints_papers_with_reasons(run):
    pytest.importorskip("onnxruntime", reason="the `semantic` extra is not installed")
    assert run("index", "--embed").exit_code == 0
    nothing = run("recommend", "ada@example.org")
    assert "Nothing to go on yet" in nothing.stderr
    run("library", "add", "ada@example.org", "2503.11731", "2503.12001", "--tag", "splatting")
    rows = json.loads(run("recommend", "ada@example.org", "--limit", "5", "--json").stdout)
    assert len(rows) == 5 and {"id", "title", "score", "reason"} <= set(rows[0])
    assert not {r["id"] for r in rows} & {"2503.11731", "2503.12001"}
    assert all(r["reason"].startswith("close to") for r in rows)
    table = run("recommend", "ada@example.org", "--tag", "splatting", "--limit", "3")
    assert "Based on the 2 papers tagged “splatting”." in table.stderr
