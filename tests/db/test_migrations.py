"""The migrations build exactly the tables `db/tables.py` declares, from an empty
database, on each backend — running them again changes nothing, and upgrading a catalog
made by an earlier revision keeps its papers as they were."""

from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select

import papertide.db
from papertide.catalog import Catalog, Paper
from papertide.catalog._store import _paper_to_row
from papertide.db import connect, dispose_all, migrate
from papertide.db.tables import counters, metadata, papers


def _empty(database_url):
    engine = create_engine(database_url)
    with engine.begin() as conn:  # the fixture's database may be migrated already
        metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    dispose_all()  # pooled engines must not remember the old tables
    assert inspect(engine).get_table_names() == []
    return engine


def _upgrade(engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location",
                           str(Path(papertide.db.__file__).parent / "migrations"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def test_upgrade_from_empty_builds_the_declared_schema(database_url):
    engine = _empty(database_url)
    try:
        migrate(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
            assert diff == [], f"the migrations and db/tables.py disagree: {diff}"
            seeded = dict(conn.execute(select(counters.c.name, counters.c.value)).all())
        assert seeded == {"seq": 0, "embed_seq": 0}
        migrate(engine)  # already at the head: nothing to do, nothing lost
        with engine.connect() as conn:
            assert conn.execute(select(counters.c.name)).scalars().all() != []
    finally:
        engine.dispose()


def test_upgrading_a_catalog_from_before_the_live_sources_changes_no_paper(database_url):
    old = _empty(database_url)
    _upgrade(old, "0001")
    paper = Paper(title="Attention Is All You Need", abstract="Transformers.",
                  arxiv_id="1706.03762", sources=["jsonl"], id="1706.03762",
                  first_seen=datetime(2024, 1, 1))
    row = {k: v for k, v in _paper_to_row(paper).items()
           if k not in ("announced", "listed")}  # 0001 has neither
    with old.begin() as conn:
        conn.execute(papers.insert().values(**row, seq=1))
    old.dispose()
    catalog = Catalog(connect(database_url))  # migrates to the latest revision
    assert catalog.get("1706.03762").announced is None
    again = catalog.upsert([Paper(title="Attention Is All You Need", abstract="Transformers.",
                                  arxiv_id="1706.03762", sources=["jsonl"])])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)


def test_tokens_made_before_scopes_keep_read_library_and_vote(database_url):
    from sqlalchemy import text

    old = _empty(database_url)
    _upgrade(old, "0007_bigint")
    with old.begin() as conn:
        conn.execute(text("INSERT INTO readers (email, status, frequency, weekday, send_hour, "
                          "timezone, per_digest, token_version, created_at, bounces, role) "
                          "VALUES ('ada@example.org', 'active', 'daily', 0, 8, 'UTC', 10, 0, "
                          ":now, 0, 'reader')"), {"now": datetime(2025, 1, 1)})
        reader_id = conn.execute(text("SELECT id FROM readers")).scalar_one()
        conn.execute(text("INSERT INTO api_tokens (reader_id, name, token_hash, created_at) "
                          "VALUES (:r, 'old', :h, :now)"),
                     {"r": reader_id, "h": "0" * 64, "now": datetime(2025, 1, 1)})
    _upgrade(old, "head")
    with old.connect() as conn:
        assert conn.execute(text("SELECT scopes FROM api_tokens")).scalar_one() == \
            "read library vote"
    old.dispose()
