"""Fixtures: every store test runs on SQLite and on the real PostgreSQL.

`database_url` is parametrised over both backends (test ids carry `sqlite` / `postgres`);
`settings` and `services` build on it, so a test that takes them runs twice. SQLite is a
new file per test; PostgreSQL is a database of this session's own, emptied before each
test. Where PostgreSQL does not run, its variants skip with the reason in the summary.
The demo corpus is loaded once per session and backend for tests that only read it.
`queue_url` runs a job test on huey's SQLite queue and on Redis (test ids `sqlite-queue` /
`redis`); every test's settings name a queue of their own under this session's prefix, so
runs side by side on one Redis never take each other's jobs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest

from papertide.config import Settings
from papertide.services import Services, open_services
from tests.helpers import (
    ARTIFACTS,
    DEMO,
    FUZZ,
    REDIS_URL,
    DemoSnapshot,
    Postgres,
    SemanticSnapshot,
    SMTPServer,
    drop_queues,
    fuzz_examples,
    listening,
    load,
    make_settings,
)
from tests.sources.conftest import server  # noqa: F401  (the recorded live sources)

BACKENDS = ["sqlite", "postgres"]
NO_POSTGRES = "PostgreSQL is not running on 127.0.0.1:5432"
NO_REDIS = "Redis is not running on 127.0.0.1:6379"
_ran: dict[str, int] = {}  # backend → tests on it that passed


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    # Property tests: few examples in `make test`, many in `make fuzz`; no deadline (the
    # machine is shared, a slow example is not a failure), and the same examples each run
    # unless fuzzing (`derandomize`), so `make test` is reproducible.
    hypothesis.settings.register_profile(
        "quick", max_examples=fuzz_examples(40, 40), deadline=None, derandomize=True,
        suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
    hypothesis.settings.register_profile(
        "fuzz", max_examples=fuzz_examples(40, 3000), deadline=None,
        suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture,
                               hypothesis.HealthCheck.too_slow])
    hypothesis.settings.load_profile("fuzz" if FUZZ else "quick")


# A test that takes one of these loads the embedding model and embeds the demo corpus
# (seconds, once per process): `-m "not slow"` leaves it out, and with `-n` (pytest-xdist,
# `--dist loadgroup`) all of them run in one worker, so that only one embeds.
EMBEDDING_FIXTURES = {"semantic", "semantic_snapshot", "semantic_demo"}
EMBEDDING_GROUP = "embedding"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if EMBEDDING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
            if not item.get_closest_marker("xdist_group"):
                item.add_marker(pytest.mark.xdist_group(EMBEDDING_GROUP))
        callspec = getattr(item, "callspec", None)
        params = {v for v in callspec.params.values() if isinstance(v, str)} if callspec else set()
        backends = {b for b in BACKENDS if b in params}
        if "redis_url" in getattr(item, "fixturenames", ()) or "redis" in params:
            backends.add("redis")
        # Carried on the test's report: with `-n` the reports reach the process that
        # writes the summary, the items do not.
        item.user_properties.append(("backends", sorted(backends)))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.passed:
        for name, value in report.user_properties:
            if name == "backends":
                for backend in value:
                    _ran[backend] = _ran.get(backend, 0) + 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter,
                            config: pytest.Config) -> None:
    """The last lines say which backends the suite ran on, and why any did not run."""
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller sums up
        return
    lines = []
    for backend, port, absent in (("sqlite", None, ""), ("postgres", 5432, NO_POSTGRES),
                                  ("redis", 6379, NO_REDIS)):
        count = _ran.get(backend, 0)
        why = absent if port and not listening(port) else "no test of it passed or was selected"
        lines.append(f"{backend}: {count} tests passed" if count else f"{backend}: NOT RUN — {why}")
    terminalreporter.write_sep("-", "backends")
    for line in lines:
        terminalreporter.write_line(line)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "backends.txt").write_text("backends: " + "; ".join(lines) + "\n")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """This session's databases on the machine's PostgreSQL (skips where none runs)."""
    if not listening(5432):
        pytest.skip(NO_POSTGRES)
    pg = Postgres()
    yield pg
    pg.drop_all()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty catalog database on each backend."""
    if request.param == "sqlite":
        (tmp_path / "data").mkdir(exist_ok=True)
        return f"sqlite:///{tmp_path / 'data' / 'papertide.db'}"
    postgres: Postgres = request.getfixturevalue("postgres")
    return postgres.empty("scratch")


@pytest.fixture
def second_database_url(database_url: str, request: pytest.FixtureRequest,
                        tmp_path: Path) -> str:
    """Another empty database on the same backend (a second installation, a migration's
    target)."""
    if database_url.startswith("sqlite"):
        (tmp_path / "other").mkdir(exist_ok=True)
        return f"sqlite:///{tmp_path / 'other' / 'papertide.db'}"
    postgres: Postgres = request.getfixturevalue("postgres")
    return postgres.empty("second")


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path / "data", database_url)


@pytest.fixture
def services(settings: Settings) -> Services:
    return open_services(settings)


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> DemoSnapshot:
    return DemoSnapshot(open_services(make_settings(tmp_path_factory.mktemp("demo-snapshot"))))


@pytest.fixture
def demo(services: Services, demo_snapshot: DemoSnapshot) -> Services:
    """This test's own store (on each backend) holding the demo corpus, free to change."""
    return demo_snapshot.restore(services)


@pytest.fixture(scope="session")
def semantic_snapshot(tmp_path_factory: pytest.TempPathFactory) -> SemanticSnapshot:
    pytest.importorskip("onnxruntime", reason="the `semantic` extra is not installed")
    data = tmp_path_factory.mktemp("semantic-snapshot")
    return SemanticSnapshot(open_services(make_settings(data, search_mode="hybrid")))


@pytest.fixture
def semantic(settings: Settings, semantic_snapshot: SemanticSnapshot) -> Services:
    """This test's own store (on each backend) holding the demo corpus with its embeddings
    and vector index, free to change (hybrid search by default)."""
    return semantic_snapshot.restore(open_services(
        settings.model_copy(update={"search_mode": "hybrid"})))


@pytest.fixture(scope="session", params=BACKENDS)
def demo_services(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Services:
    """The demo corpus, loaded once per backend; tests that take it must not change it."""
    data = tmp_path_factory.mktemp(f"demo-{request.param}")
    url = None
    if request.param == "postgres":
        url = request.getfixturevalue("postgres").database("demo")
    services = open_services(make_settings(data, url))
    load(services, DEMO)
    return services


@pytest.fixture(scope="session", params=BACKENDS)
def semantic_demo(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Services:
    """The demo corpus with embeddings and the vector index built (hybrid by default)."""
    pytest.importorskip("onnxruntime", reason="the `semantic` extra is not installed")
    data = tmp_path_factory.mktemp(f"semantic-demo-{request.param}")
    url = None
    if request.param == "postgres":
        url = request.getfixturevalue("postgres").database("semantic")
    services = open_services(make_settings(data, url, search_mode="hybrid"))
    load(services, DEMO)
    services.search.catch_up(embed=True)
    return services


@pytest.fixture(scope="session")
def redis_session() -> Iterator[str]:
    """The machine's Redis (skips where none runs); this session's queues go at its end."""
    if not listening(6379):
        pytest.skip(NO_REDIS)
    yield REDIS_URL
    drop_queues(REDIS_URL)


@pytest.fixture
def redis_url(redis_session: str) -> str:
    return redis_session


@pytest.fixture(params=["sqlite-queue", "redis"])
def queue_url(request: pytest.FixtureRequest) -> str | None:
    """The job queue on each backend: huey's SQLite file (None: the default) and Redis."""
    if request.param == "redis":
        url: str = request.getfixturevalue("redis_session")
        return url
    return None


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    with SMTPServer() as smtp:
        yield smtp
