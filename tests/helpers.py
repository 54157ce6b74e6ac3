"""What many tests share, imported by name: paths of the fixtures, loading papers, a live
server on loopback, databases of the session's own on PostgreSQL, and a real SMTP server.

Fixtures live in the `conftest.py` files; plain helpers live here, so that no test imports
a conftest.
"""

from __future__ import annotations

import email
import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from importlib import resources
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from papertide.config import Settings
from papertide.intake import IngestReport, ingest_files
from papertide.readers import Reader, Topic
from papertide.services import Services

FIXTURES = Path(__file__).parent / "fixtures"
DEMO = Path(str(resources.files("papertide") / "demo" / "trending-listing.txt"))
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
POSTGRES_ADMIN_URL = os.environ.get("PAPERTIDE_TEST_POSTGRES_URL",
                                    "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PAPERTIDE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# Every queue this session makes is named under this prefix, so that test runs side by
# side on one Redis never take each other's jobs (and the session removes its keys).
QUEUE_PREFIX = f"papertide-test-{os.getpid()}-{secrets.token_hex(2)}"


FUZZ = bool(os.environ.get("PAPERTIDE_FUZZ"))  # `make fuzz`: the long runs


def fuzz_examples(quick: int, long: int) -> int:
    """How many examples a property or schema test draws: few in `make test`, many in
    `make fuzz`."""
    return long if FUZZ else quick


# How long a test waits for something that must happen before it calls it a hang. Tests
# wait for the event itself (a row, a mail, a round of the follower), never for a time:
# this bound is only reached when the behaviour is broken, so it can be generous.
HANG = 180.0


def eventually(check: Any, what: str, within: float = HANG, every: float = 0.05) -> Any:
    """Poll `check()` until it returns something truthy, and return that; fail naming
    `what` if it has not happened within `within` seconds (a hang, not a slow machine)."""
    deadline = time.monotonic() + within
    while not (result := check()):
        assert time.monotonic() < deadline, f"{what}: not within {within:g} s"
        time.sleep(every)
    return result


def make_settings(data_dir: Path, database_url: str | None = None, **extra: Any) -> Settings:
    """Settings for a test: its own data dir, a fixed secret, keyword search by default,
    nothing embedded unless asked."""
    values: dict[str, Any] = dict(data_dir=data_dir, database_url=database_url,
                                  secret_key="test-secret", embed_on_ingest=False,
                                  search_mode="keyword",
                                  queue_name=f"{QUEUE_PREFIX}-{secrets.token_hex(3)}")
    values.update(extra)
    return Settings(**values)


def load(services: Services, *paths: Path, fmt: str = "auto") -> IngestReport:
    """Ingest files into the catalog and catch the keyword index up, as `papertide ingest`."""
    report = ingest_files(services.catalog, paths, fmt)
    services.search.catch_up()
    return report


class DemoSnapshot:
    """The demo corpus loaded once: its catalog rows and keyword index, copied into a
    test's empty store in milliseconds instead of parsed, upserted and indexed again."""

    def __init__(self, source: Services) -> None:
        from papertide.db.tables import papers

        load(source, DEMO)
        with source.catalog.engine.connect() as conn:
            self.rows = [dict(r._mapping) for r in conn.execute(select(papers))]
        self.seq = source.catalog.max_seq()
        self.index = source.settings.resolved_index_dir / "keyword"

    def restore(self, services: Services) -> Services:
        """Fill `services`' empty store; call it before the store's search is first used."""
        import shutil

        from sqlalchemy import update

        from papertide.db.tables import counters, papers

        with services.catalog.engine.begin() as conn:
            conn.execute(insert(papers), self.rows)
            conn.execute(update(counters).where(counters.c.name == "seq").values(value=self.seq))
        assert "search" not in services.__dict__, "restore before the search index is opened"
        shutil.copytree(self.index, services.settings.resolved_index_dir / "keyword")
        return services


def drop_queues(redis_url: str, prefix: str = QUEUE_PREFIX) -> None:
    """Delete the Redis keys of every queue named under `prefix`."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


class SemanticSnapshot:
    """The demo corpus with its embeddings, computed once: catalog rows, embeddings and
    both indexes (keyword and vectors) copied into a test's empty store, so that tests
    that change the store (libraries, digests) get recommendations without embedding."""

    def __init__(self, source: Services) -> None:
        from papertide.db.tables import embeddings, papers

        load(source, DEMO)
        source.search.catch_up(embed=True)
        with source.catalog.engine.connect() as conn:
            self.papers = [dict(r._mapping) for r in conn.execute(select(papers))]
            self.embeddings = [dict(r._mapping) for r in conn.execute(select(embeddings))]
        self.seq = source.catalog.max_seq()
        self.embed_seq = source.search.semantic.store.max_seq()
        self.index = source.settings.resolved_index_dir

    def restore(self, services: Services) -> Services:
        import shutil

        from sqlalchemy import update

        from papertide.db.tables import counters, embeddings, papers

        assert "search" not in services.__dict__, "restore before the search index is opened"
        with services.catalog.engine.begin() as conn:
            conn.execute(insert(papers), self.papers)
            conn.execute(insert(embeddings), self.embeddings)
            for name, value in (("seq", self.seq), ("embed_seq", self.embed_seq)):
                conn.execute(update(counters).where(counters.c.name == name).values(value=value))
        shutil.copytree(self.index, services.settings.resolved_index_dir, dirs_exist_ok=True)
        return services


def listening(port: int, host: str = "127.0.0.1") -> bool:
    """Is a service (PostgreSQL, Redis) listening on this loopback port?"""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_serve(port: int, env: dict[str, str], *args: str) -> subprocess.Popen:
    """`papertide serve --port PORT ARGS` in a process group of its own, returned once its
    /healthz answers; the caller stops it (SIGTERM to the group). A server that dies first
    fails the test with the end of its stderr."""
    import httpx

    server = subprocess.Popen(
        [sys.executable, "-m", "papertide.cli", "serve", *args, "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)

    def healthy() -> bool:
        assert server.poll() is None, server.stderr.read().decode()[-3000:]
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        eventually(healthy, "the server started", every=0.2)
    except BaseException:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        raise
    return server


class LiveServer:
    """The web app under uvicorn on a free loopback port, in a thread."""

    def __init__(self, settings: Settings, embedded_worker: bool = False,
                 immediate_jobs: bool = False, port: int | None = None) -> None:
        import uvicorn

        from papertide.web import create_app

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings, embedded_worker=embedded_worker,
                              immediate_jobs=immediate_jobs)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                proxy_headers=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


# ---- PostgreSQL ------------------------------------------------------------------------


class Postgres:
    """Databases of this test session's own on the machine's PostgreSQL: created on demand,
    emptied between tests, dropped at the end. Named after the process, so that test runs
    side by side never touch each other's data (and leftovers of dead runs are cleared)."""

    PREFIX = "papertide_test_"

    def __init__(self, admin_url: str = POSTGRES_ADMIN_URL) -> None:
        self.admin_url = make_url(admin_url)
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        self.run = f"{self.PREFIX}{os.getpid()}_{secrets.token_hex(2)}"
        self.urls: dict[str, str] = {}
        self._seeds: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self._drop_leftovers()

    def _drop_leftovers(self) -> None:
        with self.admin.connect() as conn:
            names = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                 {"p": self.PREFIX + "%"}).scalars().all()
            for name in names:
                match = re.match(re.escape(self.PREFIX) + r"(\d+)_", name)
                if match and not _alive(int(match.group(1))):
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def database(self, label: str) -> str:
        """The URL of this session's database `label`, created empty on first use."""
        if label not in self.urls:
            name = f"{self.run}_{label}"
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            self.urls[label] = self.admin_url.set(database=name).render_as_string(
                hide_password=False)
        return self.urls[label]

    def empty(self, label: str) -> str:
        """The URL of database `label`, emptied (what a test that writes starts from)."""
        url = self.database(label)
        self.reset(url)
        return url

    def reset(self, url: str) -> None:
        """Every table back to what the migrations leave in a new database (the counters)."""
        from papertide.db import connect
        from papertide.db.tables import metadata

        engine = connect(url)
        tables = [t for t in metadata.sorted_tables]
        if url not in self._seeds:
            with engine.connect() as conn:
                self._seeds[url] = {t.name: [dict(r._mapping) for r in conn.execute(select(t))]
                                    for t in tables}
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            for table in tables:
                if self._seeds[url][table.name]:
                    conn.execute(insert(table), self._seeds[url][table.name])

    def drop_all(self) -> None:
        from papertide.db import dispose_all

        dispose_all()
        with self.admin.connect() as conn:
            for url in self.urls.values():
                name = make_url(url).database
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ---- mail ------------------------------------------------------------------------------


class Recorder:
    """An aiosmtpd handler that keeps every message and answers RCPT as a test scripts it
    (`rcpt_replies["x@y"] = ["421 try later", "250"]`: used in turn, the last one sticks)."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.rcpt_replies: dict[str, list[str]] = {}
        self.on_message: Any = None
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        script = self.rcpt_replies.get(address)
        if script:
            reply = script.pop(0) if len(script) > 1 else script[0]
            if reply != "250":
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            count = len(self.messages)
        if self.on_message:
            self.on_message(count)
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class SMTPServer:
    """A real SMTP server on loopback (aiosmtpd), with STARTTLS on a generated certificate,
    AUTH and SMTPUTF8 when asked."""

    def __init__(self, tls: bool = False, auth: tuple[str, str] | None = None,
                 tmp_path: Path | None = None, smtputf8: bool = False) -> None:
        self.recorder = Recorder()
        self.port = free_port()
        kwargs: dict[str, Any] = {"enable_SMTPUTF8": smtputf8}
        self.cafile: Path | None = None
        if tls:
            import trustme

            assert tmp_path is not None
            ca = trustme.CA()
            cert = ca.issue_cert("127.0.0.1", "localhost")
            self.cafile = tmp_path / "ca.pem"
            ca.cert_pem.write_to_path(str(self.cafile))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            cert.configure_cert(context)
            kwargs.update(tls_context=context, require_starttls=True)
        if auth:
            user, password = auth

            def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                              auth_data: Any) -> AuthResult:
                ok = auth_data.login.decode() == user and auth_data.password.decode() == password
                return AuthResult(success=ok, handled=False)  # the server answers 235 or 535

            kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=tls)
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **kwargs)
        self.auth = auth

    def url(self, user: str | None = None, password: str | None = None) -> str:
        creds = ""
        if self.auth:
            creds = f"{user or self.auth[0]}:{password or self.auth[1]}@"
        query = f"?starttls=1&cafile={self.cafile}" if self.cafile else ""
        return f"smtp://{creds}127.0.0.1:{self.port}{query}"

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def mail_settings(settings: Settings, server: SMTPServer | None, **extra: Any) -> Settings:
    """`settings` as a mail test wants them: a relay (or the outbox), no send-rate pause, a
    public base URL and From address."""
    values: dict[str, Any] = dict(send_rate=0, base_url="https://papers.example.org",
                                  mail_from="papertide <digest@papers.example.org>")
    if server is not None:
        values["smtp_url"] = server.url()
    values.update(extra)
    return settings.model_copy(update=values)


def add_reader(services: Services, email_address: str, *topics: str, **prefs: Any) -> Reader:
    """A confirmed reader with these topics (and preferences)."""
    reader, _ = services.readers.subscribe(email_address, [Topic(t) for t in topics],
                                           confirmed=True)
    if prefs:
        base = dict(frequency=reader.frequency, weekday=reader.weekday,
                    send_hour=reader.send_hour, timezone=reader.timezone,
                    per_digest=reader.per_digest, topics=reader.topics)
        reader = services.readers.update_preferences(reader, **{**base, **prefs})
    return reader


def sign_in(client: Any, services: Services, email_address: str) -> str:
    """Sign a TestClient in as `email_address` by following a sign-in link, as a browser
    does; returns the session's CSRF token (from the page's meta tag)."""
    from urllib.parse import parse_qs, urlsplit

    link = services.readers.accounts.sign_in_link(email_address)
    token = parse_qs(urlsplit(link).query)["token"][0]
    response = client.post("/auth/signin", data={"token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get("/account")
    found = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert found, "the account page has no CSRF token"
    return found.group(1)
