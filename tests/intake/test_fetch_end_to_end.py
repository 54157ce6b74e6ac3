"""Done when: with PAPERTIDE_SOURCES set and the endpoints on a local server playing the
recorded responses, `papertide fetch` fills the catalog, a second run adds nothing, and
`/daily` and the feeds show the fetched papers; `papertide sources` prints the history and
`papertide fetch arxiv-api --id` looks papers up by id."""

import json
from datetime import timedelta

import feedparser
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from papertide.catalog import utcnow
from papertide.cli import app
from papertide.config import Settings
from papertide.web import create_app
from tests.sources.conftest import API, HF, Reply, oai_handler

HF_BODY = (HF / "daily_papers_2025-01-23_current_schema.json").read_bytes()


@pytest.fixture
def run(tmp_path, monkeypatch, database_url, server):
    server.route("/oai", oai_handler())
    server.route("/api/daily_papers",
                 lambda p: Reply(body=HF_BODY, content_type="application/json"))
    server.route("/api/query", lambda p: Reply(
        body=(API / "old_format_2025-08" / "query_id_list_2206.06921.xml").read_bytes(),
        content_type="application/atom+xml"))
    env = {"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": database_url,
           "SEARCH_MODE": "keyword", "EMBED_ON_INGEST": "0", "FETCH_INTERVAL": "0",
           "SOURCES": "arxiv-oai:cs.LG,stat.ML,format=oai_dc hf-daily",
           "ARXIV_OAI_URL": f"{server.url}/oai", "ARXIV_API_URL": f"{server.url}/api/query",
           "HF_API_URL": f"{server.url}/api", "CONTACT_EMAIL": "ops@example.org",
           "BASE_URL": "https://papers.example.org"}
    for name, value in env.items():
        monkeypatch.setenv(f"PAPERTIDE_{name}", value)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_fetch_fills_the_catalog_twice_adds_nothing_and_daily_and_feeds_show_it(run):
    first = run("fetch", "--json")
    assert first.exit_code == 0, first.output
    runs = json.loads(first.stdout)
    assert [(r["spec"], r["status"]) for r in runs] == [
        ("arxiv-oai:cs.LG,stat.ML,format=oai_dc", "ok"), ("hf-daily", "ok")]
    added = sum(r["added"] for r in runs)
    assert runs[0]["added"] > 0 and runs[1]["added"] == 3
    again = json.loads(run("fetch", "--json").stdout)
    assert [(r["added"], r["updated"]) for r in again] == [(0, 0), (0, 0)]

    stats = json.loads(run("stats", "--json").stdout)
    assert stats["papers"] == added == stats["keyword_index_docs"]
    history = json.loads(run("sources", "--json").stdout)
    assert len(history) == 4 and history[0]["spec"] == "hf-daily"
    assert {"added", "updated", "unchanged", "rejected", "pages", "duration", "errors"} <= \
        history[0].keys()
    assert "hf-daily" in run("sources", "--source", "hf-daily", "--limit", "1").output

    with TestClient(create_app(Settings())) as client:
        # The latest announcement day is the Hugging Face list the run read first: the
        # recorded list stands for each day asked (yesterday, then today), and a paper's
        # first listing counts.
        day = client.get("/api/daily").json()["day"]
        assert day == (utcnow().date() - timedelta(days=1)).isoformat()
        daily = client.get("/daily").text
        assert f'<a class="date" href="/daily/{day}"' in daily
        assert "DeepSeek-R1: Incentivizing Reasoning Capability" in daily
        assert ('<a class="signal code" href="https://github.com/deepseek-ai/DeepSeek-R1" '
                'rel="nofollow noopener" title="The code">Code') in daily
        harvested = client.get("/daily/2023-03-02").text  # a day of the OAI harvest
        assert "Papers announced on Thursday 2 March 2023" in harvested
        feed = feedparser.parse(client.get("/feeds/daily.atom").content)
        assert not feed.bozo and len(feed.entries) == 3
        # Upvotes (312) and stars rank DeepSeek-R1 first, in the day and in trending.
        assert feed.entries[0].title.startswith("DeepSeek-R1")
        assert feed.entries[0].id == "https://papers.example.org/papers/2501.12948"
        hot = feedparser.parse(client.get("/feeds/trending.atom?window=week").content)
        assert hot.entries[0].id == feed.entries[0].id
        found = feedparser.parse(client.get("/feeds/search.atom?q=soft+actor-critic").content)
        assert "https://papers.example.org/papers/2303.01240" in [e.id for e in found.entries]


def test_fetch_by_id_and_clear_errors(run):
    looked_up = run("fetch", "arxiv-api", "--id", "arXiv:2206.06921v1", "--json")
    assert looked_up.exit_code == 0, looked_up.output
    (result,) = json.loads(looked_up.stdout)
    assert (result["spec"], result["added"]) == ("arxiv-api --id 2206.06921", 1)
    assert "arxiv-api --id 2206.06921: ok" in run("fetch", "arxiv-api", "--id", "2206.06921").output
    assert run("fetch", "hf-daily", "--id", "2206.06921").exit_code != 0
    assert "not an arXiv id" in run("fetch", "--id", "nonsense").output
    assert "unknown source 'arxiv-xyz'" in run("fetch", "arxiv-xyz").output
    assert "fetch" in run("fetch", "--help").output
