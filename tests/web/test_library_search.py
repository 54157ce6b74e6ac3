"""Searching one's library on /library (`?q=`), through the API, and "more like these"
from the papers chosen on the page; `papertide library list --query` for the operator."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from papertide.cli import app
from papertide.config import Settings
from papertide.search import Filters
from papertide.services import Services
from tests.helpers import sign_in

EMAIL = "ada@example.org"


def saved_pair(services: Services) -> tuple[int, str, str]:
    """A reader with two saved demo papers, one with a note."""
    federated = services.search.search('"Federated Learning (FL)"', Filters(), mode="keyword",
                                       limit=1).hits[0].paper.id
    fpga = services.search.search("FPGAs", Filters(), mode="keyword", limit=1).hits[0].paper.id
    reader = services.readers.store.by_email(EMAIL)
    assert reader is not None
    services.library.save(reader.id, federated)
    services.library.save(reader.id, fpga, note="Ask Grace about the budget.")
    return reader.id, federated, fpga


def test_the_library_page_searches_words_and_notes(client: TestClient,
                                                   services: Services) -> None:
    sign_in(client, services, EMAIL)
    _, federated, fpga = saved_pair(services)
    page = client.get("/library", params={"q": "budget"})
    assert page.status_code == 200
    assert f'value="{fpga}"' in page.text and f'value="{federated}"' not in page.text
    assert "1 of your papers match “budget”" in page.text and "found in your note" in page.text
    words = client.get("/library", params={"q": "federated", "mode": "keyword"})
    assert f'value="{federated}"' in words.text and f'value="{fpga}"' not in words.text
    nothing = client.get("/library", params={"q": "transformers"})  # in the catalog, not here
    assert "None of your papers matches" in nothing.text
    assert client.get("/library", params={"q": "x", "mode": "fuzzy"}).status_code == 400

    api = client.get("/api/me/library", params={"q": "grace"}).json()
    assert [i["paper"]["id"] for i in api["items"]] == [fpga] and api["total"] == 1


def test_more_like_these_from_the_chosen_papers(client: TestClient, services: Services) -> None:
    sign_in(client, services, EMAIL)
    _, federated, _ = saved_pair(services)
    chosen = client.get("/library/more-like-these", params={"id": federated})
    assert chosen.status_code == 200 and "More like these" in chosen.text
    assert "Based on the 1 paper you chose." in chosen.text
    none = client.get("/library/more-like-these")
    assert none.status_code == 400 and "Choose one or more papers first" in none.text


def test_library_list_query_on_the_command_line(settings: Settings, demo: Services,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    demo.readers.accounts.grant(EMAIL, "reader")
    _, federated, fpga = saved_pair(demo)
    patch = monkeypatch
    patch.setenv("PAPERTIDE_DATA_DIR", str(settings.data_dir))
    patch.setenv("PAPERTIDE_DATABASE_URL", settings.database_url or "")
    patch.setenv("PAPERTIDE_SEARCH_MODE", "keyword")
    run = CliRunner().invoke(app, ["library", "list", EMAIL, "--query", "budget", "--json"],
                             catch_exceptions=False)
    assert run.exit_code == 0, run.stderr
    assert [r["id"] for r in json.loads(run.stdout)] == [fpga]
    everything = CliRunner().invoke(app, ["library", "list", EMAIL, "--json"])
    assert {r["id"] for r in json.loads(everything.stdout)} == {federated, fpga}
    like = CliRunner().invoke(app, ["recommend", EMAIL, "--like", fpga, "--json"])
    assert like.exit_code == 0 and json.loads(like.stdout) == []  # no embeddings here
    stranger = CliRunner().invoke(app, ["recommend", EMAIL, "--like", "2503.99999"])
    assert stranger.exit_code == 2 and "No paper with id" in stranger.stderr
