"""The migrations build exactly the schema of `db/tables.py`, on SQLite and PostgreSQL, and
upgrading a catalog made before the live sources keeps its papers as they were."""

from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import papertide.db
from papertide.catalog import Catalog, Paper
from papertide.catalog._store import _paper_to_row
from papertide.db import connect
from papertide.db.tables import metadata, papers
from tests.scratch_postgres import scratch_database


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/m.db"
        return
    with scratch_database() as pg_url:
        yield pg_url


def test_migrated_schema_is_the_declared_schema(url):
    engine = connect(url)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def _upgrade(engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(papertide.db.__file__).parent / "migrations"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def test_upgrading_a_catalog_from_before_the_live_sources_changes_no_paper(tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    old = create_engine(url)
    _upgrade(old, "0001")
    paper = Paper(title="Attention Is All You Need", abstract="Transformers.", arxiv_id="1706.03762",
                  sources=["jsonl"], id="1706.03762", first_seen=datetime(2024, 1, 1))
    row = {k: v for k, v in _paper_to_row(paper).items() if k != "announced"}  # 0001 has none
    with old.begin() as conn:
        conn.execute(papers.insert().values(**row, seq=1))
    old.dispose()
    catalog = Catalog(connect(url))  # migrates to the latest revision
    assert catalog.get("1706.03762").announced is None
    again = catalog.upsert([Paper(title="Attention Is All You Need", abstract="Transformers.",
                                  arxiv_id="1706.03762", sources=["jsonl"])])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
