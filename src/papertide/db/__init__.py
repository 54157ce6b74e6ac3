"""Database connection: one engine per URL, SQLite tuned for the embedded default, and the
Alembic migrations applied automatically when papertide opens a database.

    from papertide.db import connect
    engine = connect("sqlite:///data/papertide.db")   # migrated to the latest revision
    copy_store(engine, connect("postgresql+psycopg://db/papertide"))   # moving house
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from papertide.db import tables
from papertide.db._copy import CopyReport, copy_store
from papertide.db._queries import chunked, next_seq

__all__ = ["CopyReport", "chunked", "connect", "copy_store", "dispose_all", "migrate",
           "next_seq", "tables"]

_MIGRATIONS = Path(__file__).parent / "migrations"
_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web app read while an ingest or a worker writes; NORMAL is durable
    # across application crashes, which is what WAL mode needs.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # Readable by its owner only, like the secret key: it holds readers' addresses.
            # SQLite gives the -wal and -shm files the database file's mode.
            Path(parsed.database).touch(mode=0o600, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def migrate(engine: Engine) -> None:
    """Bring the database to the latest schema revision (a no-op when it is already there)."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def connect(url: str) -> Engine:
    """The engine for `url`, migrated to the latest revision; one engine per URL and process."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create_engine(url)
            migrate(engine)
            _engines[url] = engine
        return engine


def dispose_all() -> None:
    """Close every pooled connection (tests and forked workers call this)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
