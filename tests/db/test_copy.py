"""Moving house: `papertide migrate-store --to URL` copies the embedded SQLite store —
papers, votes, readers, sessions, API tokens, libraries (tags, notes, dismissals),
delivery log, source state —
to another database (PostgreSQL, or another SQLite file), and a second run after the old
store changed brings the new one level, deleted rows included."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from papertide.cli import app
from papertide.db import dispose_all
from papertide.db.tables import metadata
from papertide.services import open_services
from papertide.sources import _state
from tests.helpers import add_reader, make_settings


@pytest.fixture(params=["sqlite", "postgres"])
def target_url(request, tmp_path: Path) -> str:
    """The new database, empty: another SQLite file, or PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'new' / 'papertide.db'}"
    return request.getfixturevalue("postgres").empty("moved")


@pytest.fixture
def old(tmp_path, demo_snapshot):
    """The embedded store in use: the demo corpus, votes, readers with topics, a signed-in
    session, an API token, a saved paper with a tag and a note, a dismissed one, a sent
    digest and a harvest's state."""
    services = demo_snapshot.restore(open_services(make_settings(tmp_path / "data")))
    paper = services.catalog.newest(1)[0]
    services.catalog.record_event(paper.id, "vote", "ip:1")
    services.catalog.record_event(paper.id, "vote", "ip:2")
    reader = add_reader(services, "ada@example.org", "multi-agent reinforcement learning")
    accounts = services.readers.accounts
    _, cookie = accounts.redeem(_token(accounts.sign_in_link("ada@example.org")), "browser")
    token = accounts.create_api_token(reader.id, "script")
    services.library.save(reader.id, paper.id, tags=["to-read"], note="Read on the train.")
    services.library.dismiss(reader.id, services.catalog.newest(2)[1].id)
    assert services.digests.run(everyone=True) == {"sent": 1}  # to the outbox
    _state.save(services.catalog.engine, "arxiv-oai", "cs.LG", {"from": "2025-03-18"})
    services.cookie, services.token, services.paper = cookie, token, paper
    return services


def _token(link: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(link).query)["token"][0]


def _migrate(old, target_url, *options):
    runner = CliRunner()
    env = {"PAPERTIDE_DATA_DIR": str(old.settings.data_dir), "PAPERTIDE_DATABASE_URL": "",
           "PAPERTIDE_SECRET_KEY": "test-secret", "PAPERTIDE_SEARCH_MODE": "keyword"}
    return runner.invoke(app, ["migrate-store", "--to", target_url, "--batch-size", "100",
                               *options], env=env, catch_exceptions=False)


def _counts(engine):
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables}


def test_the_new_store_serves_everything_the_old_one_did(old, target_url, tmp_path):
    result = _migrate(old, target_url)
    assert result.exit_code == 0, result.output
    assert "every table copied and counted" in result.output
    new = open_services(make_settings(tmp_path / "machine-b", target_url))
    assert _counts(new.catalog.engine) == _counts(old.catalog.engine)
    assert _counts(new.catalog.engine)["papers"] == 255

    # The same papers, votes and change numbers; a new machine builds its index from them.
    assert new.catalog.get(old.paper.id).votes == 2
    assert new.catalog.max_seq() == old.catalog.max_seq()
    new.search.catch_up()
    hits = new.search.search("sample efficient multi-agent RL").hits
    assert hits[0].paper.title == "Sample-Efficient Multi-Agent RL: An Optimization Perspective"
    # The reader, still signed in, with the same topic, token, library and delivery log.
    session = new.readers.accounts.session(old.cookie)
    assert session is not None and session.reader.email == "ada@example.org"
    assert [t.query for t in session.reader.topics] == ["multi-agent reinforcement learning"]
    assert new.readers.accounts.reader_for_api_token(old.token).email == "ada@example.org"
    (saved,) = new.library.papers(session.reader.id)
    assert saved.paper.id == old.paper.id and saved.saved.tags == ("to-read",)
    assert saved.saved.note == "Read on the train."
    assert len(new.library.dismissed(session.reader.id)) == 1
    assert new.digests.run(everyone=True) == {}  # today's edition went out from the old store
    assert _state.load(new.catalog.engine, "arxiv-oai", "cs.LG") == {"from": "2025-03-18"}
    # New rows are numbered after the copied ones (PostgreSQL's sequences were moved on).
    newcomer = add_reader(new, "grace@example.org")
    assert newcomer.id == session.reader.id + 1
    dispose_all()


def test_a_second_run_changes_nothing_then_catches_up_with_the_old_store(old, target_url,
                                                                        tmp_path):
    assert _migrate(old, target_url).exit_code == 0
    again = _migrate(old, target_url, "--json")
    assert again.exit_code == 0 and "every table copied and counted" in again.stderr
    report = json.loads(again.stdout)  # the counts on standard output, the messages apart
    assert report["counts_match"] is True
    papers = next(t for t in report["tables"] if t["table"] == "papers")
    assert papers["source_rows"] == papers["target_rows"] == 255
    new = open_services(make_settings(tmp_path / "machine-b", target_url))
    assert _counts(new.catalog.engine) == _counts(old.catalog.engine)

    # The old store goes on for a while: a vote, a sign-out, a new reader.
    old.catalog.record_event(old.paper.id, "vote", "ip:3")
    old.readers.accounts.sign_out_everywhere(old.readers.store.by_email("ada@example.org").id)
    add_reader(old, "late@example.org")
    assert _migrate(old, target_url).exit_code == 0
    assert new.catalog.get(old.paper.id).votes == 3
    assert new.readers.accounts.session(old.cookie) is None  # signed out there, out here
    assert new.readers.store.by_email("late@example.org") is not None
    assert _counts(new.catalog.engine) == _counts(old.catalog.engine)
    dispose_all()


def test_the_same_database_is_refused(old):
    result = _migrate(old, old.settings.resolved_database_url)
    assert result.exit_code != 0 and "the same database" in result.output


def test_an_unreachable_or_unknown_target_is_a_clear_error(old):
    for url, says in (("postgresql+psycopg://nobody@127.0.0.1:1/none", "cannot open"),
                      ("nosuchdb://x/y", "cannot open"), ("not a url", "is not a database URL")):
        result = _migrate(old, url)
        assert result.exit_code == 2 and says in result.output, result.output
