"""Shared fixtures: a fresh data dir per test, the demo corpus loaded once per session,
a live server on loopback, and the real PostgreSQL where the machine has one."""

from __future__ import annotations

import os
import socket
import threading
import time
from importlib import resources
from pathlib import Path

import pytest

from papertide.config import Settings
from papertide.ingest import ingest_files
from papertide.services import Services, open_services

FIXTURES = Path(__file__).parent / "fixtures"
DEMO = Path(str(resources.files("papertide") / "demo" / "trending-listing.txt"))
POSTGRES_URL = os.environ.get("PAPERTIDE_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"


def pytest_configure(config):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", secret_key="test-secret", embed_on_ingest=False,
                    search_mode="keyword")


@pytest.fixture
def services(settings) -> Services:
    return open_services(settings)


def load(services: Services, *paths: Path, fmt: str = "auto"):
    report = ingest_files(services.catalog, paths, fmt)
    services.search.catch_up()
    return report


@pytest.fixture(scope="session")
def demo_services(tmp_path_factory) -> Services:
    """The demo corpus, loaded once; tests that read it must not change it."""
    data = tmp_path_factory.mktemp("demo")
    services = open_services(Settings(data_dir=data, secret_key="test-secret",
                                      embed_on_ingest=False, search_mode="keyword"))
    load(services, DEMO)
    return services


@pytest.fixture(scope="session")
def semantic_demo(tmp_path_factory) -> Services:
    """The demo corpus with embeddings and the vector index built (hybrid by default)."""
    pytest.importorskip("onnxruntime", reason="the `semantic` extra is not installed")
    data = tmp_path_factory.mktemp("semantic-demo")
    services = open_services(Settings(data_dir=data, secret_key="test-secret", embed_on_ingest=False))
    load(services, DEMO)
    services.search.catch_up(embed=True)
    return services


def listening(port: int) -> bool:
    """Is a service (PostgreSQL, Redis) listening on this loopback port?"""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres_url():
    if not listening(5432):
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    from sqlalchemy import create_engine, text

    from papertide.db import dispose_all
    from papertide.db.tables import metadata

    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    yield POSTGRES_URL
    dispose_all()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, settings: Settings, embedded_worker: bool = False):
        import uvicorn

        from papertide.web import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(settings, embedded_worker=embedded_worker), host="127.0.0.1",
                                port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)
