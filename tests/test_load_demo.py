"""`papertide load-demo` on a fresh data folder: the trending listing and the bundled slice
of recent arXiv papers, so that authors, announcement days, categories and feeds have
content; today's Hugging Face daily papers when the service answers, one line when not."""

import gzip
import json
from importlib import resources

import feedparser
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from papertide.cli import app
from papertide.config import Settings
from papertide.web import create_app
from tests.helpers import free_port
from tests.sources.conftest import HF, Reply


def demo_records() -> list[dict]:
    demo = resources.files("papertide") / "demo" / "arxiv-recent.jsonl.gz"
    with gzip.open(demo.open("rb"), "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


HF_BODY = (HF / "daily_papers_2025-01-23_current_schema.json").read_bytes()


@pytest.fixture
def run(tmp_path, monkeypatch, database_url):
    env = {"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database_url,
           "SEARCH_MODE": "keyword", "EMBED_ON_INGEST": "0"}
    for name, value in env.items():
        monkeypatch.setenv(f"PAPERTIDE_{name}", value)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_demo_fills_authors_days_categories_and_feeds_and_says_when_offline(run, monkeypatch):
    # Nothing listens on this loopback port: the pull fails at once, as offline.
    monkeypatch.setenv("PAPERTIDE_HF_API_URL", f"http://127.0.0.1:{free_port()}/api")
    result = run("load-demo")
    assert result.exit_code == 0, result.output
    offline = [line for line in result.output.splitlines() if "Hugging Face" in line]
    assert offline == ["Hugging Face daily papers: not reached (ConnectError), going on "
                       "without them"]
    assert json.loads(run("stats", "--json").stdout)["papers"] >= 2_000

    found = json.loads(run("search", 'au:"Liqiang Nie"', "--json").stdout)
    assert len(found) >= 3 and all("Liqiang Nie" in paper["authors"] for paper in found)

    with TestClient(create_app(Settings())) as client:
        assert client.get("/api/daily").json()["day"] == "2026-07-01"
        daily = client.get("/daily").text
        assert "Papers announced on Wednesday 1 July 2026" in daily
        home = client.get("/").text
        assert "cs.CV" in home or "cs.CL" in home or "cs.LG" in home
        feed = feedparser.parse(client.get("/feeds/daily.atom").content)
        assert not feed.bozo and len(feed.entries) >= 20
        assert feed.entries[0].get("author")
        with_code = next(p for p in demo_records() if p.get("code"))
        page = client.get(f"/papers/{with_code['id']}").text
        assert f'href="{with_code["code"]}"' in page


def test_demo_adds_todays_hugging_face_papers_when_online(run, monkeypatch, server):
    server.route("/api/daily_papers",
                 lambda p: Reply(body=HF_BODY, content_type="application/json"))
    monkeypatch.setenv("PAPERTIDE_HF_API_URL", f"{server.url}/api")
    result = run("load-demo")
    assert result.exit_code == 0, result.output
    assert "Hugging Face daily papers: 3 today, 3 new" in result.output
    assert len(server.requests_to("/api/daily_papers")) == 1
    found = json.loads(run("search", "DeepSeek-R1", "--json").stdout)
    assert found[0]["title"].startswith("DeepSeek-R1")
