"""A scratch PostgreSQL database of a test's own on the local server (127.0.0.1:5432, the
shared `test` database is left alone): created empty, dropped afterwards.

    @pytest.fixture
    def pg_url():
        with scratch_database() as url:
            yield url
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.conftest import POSTGRES_URL, listening

ADMIN_URL = os.environ.get("PAPERTIDE_TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_database() -> Iterator[str]:
    if not listening(5432):
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    import psycopg

    from papertide.db import dispose_all

    name = f"pt_sources_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        dispose_all()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
