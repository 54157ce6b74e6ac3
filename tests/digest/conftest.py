"""A real SMTP server on loopback (aiosmtpd), with STARTTLS on a generated certificate and
AUTH when asked, and a handler whose answers a test can script (421 once, 550 always …)."""

from __future__ import annotations

import email
import threading
from datetime import datetime
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from papertide.config import Settings
from papertide.db.tables import papers
from papertide.readers import Topic
from papertide.services import open_services
from tests.conftest import DEMO, free_port, load


class Recorder:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.rcpt_replies: dict[str, list[str]] = {}  # address → scripted replies, used in turn
        self.on_message = None
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        script = self.rcpt_replies.get(address)
        if script:
            reply = script.pop(0) if len(script) > 1 else script[0]
            if reply != "250":
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            count = len(self.messages)
        if self.on_message:
            self.on_message(count)
        return "250 Message accepted"

    def to(self, address: str):
        return [m for m in self.messages if m["To"] == address]


class SMTPServer:
    def __init__(self, tls: bool = False, auth: tuple[str, str] | None = None, tmp_path=None):
        self.recorder = Recorder()
        self.port = free_port()
        kwargs = {}
        self.cafile = None
        if tls:
            import trustme

            ca = trustme.CA()
            cert = ca.issue_cert("127.0.0.1", "localhost")
            self.cafile = tmp_path / "ca.pem"
            ca.cert_pem.write_to_path(str(self.cafile))
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            cert.configure_cert(context)
            kwargs.update(tls_context=context, require_starttls=True)
        if auth:
            user, password = auth

            def authenticator(server, session, envelope, mechanism, auth_data):
                ok = auth_data.login.decode() == user and auth_data.password.decode() == password
                return AuthResult(success=ok, handled=False)  # the server answers 235 or 535

            kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=tls)
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **kwargs)
        self.auth = auth

    def url(self, user=None, password=None) -> str:
        creds = ""
        if self.auth:
            creds = f"{user or self.auth[0]}:{password or self.auth[1]}@"
        query = f"?starttls=1&cafile={self.cafile}" if self.cafile else ""
        return f"smtp://{creds}127.0.0.1:{self.port}{query}"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


@pytest.fixture
def smtp_server():
    with SMTPServer() as server:
        yield server


def mail_settings(tmp_path, server: SMTPServer | None, **extra) -> Settings:
    values = dict(data_dir=tmp_path / "data", secret_key="test-secret", search_mode="keyword",
                  embed_on_ingest=False, send_rate=0, base_url="https://papers.example.org",
                  mail_from="papertide <digest@papers.example.org>")
    if server is not None:
        values["smtp_url"] = server.url()
    values.update(extra)
    return Settings(**values)


@pytest.fixture
def mail_services(tmp_path, smtp_server):
    """Demo corpus, a real SMTP server, fast retries."""
    from papertide.digest import Retry

    services = open_services(mail_settings(tmp_path, smtp_server))
    load(services, DEMO)
    # The catalog as it stood on a fixed day, so that tests can name their dates.
    with services.catalog.engine.begin() as conn:
        conn.execute(papers.update().values(first_seen=datetime(2026, 11, 20)))
    services.digests.retry = Retry(attempts=3, first_delay=0.01)
    services.smtp = smtp_server
    return services


def add_reader(services, email_address: str, *topics: str, **prefs):
    reader, _ = services.readers.subscribe(email_address, [Topic(t) for t in topics], confirmed=True)
    if prefs:
        base = dict(frequency=reader.frequency, weekday=reader.weekday, send_hour=reader.send_hour,
                    timezone=reader.timezone, per_digest=reader.per_digest, topics=reader.topics)
        reader = services.readers.update_preferences(reader, **{**base, **prefs})
    return reader
