"""Web fixtures: the app over the demo corpus with a real SMTP server behind the job queue
(huey's immediate mode: a queued mail is sent before the request answers)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from papertide.config import Settings
from papertide.services import Services
from papertide.web import create_app
from tests.helpers import SMTPServer, mail_settings


@pytest.fixture
def web_settings(settings: Settings, demo: Services, smtp_server: SMTPServer) -> Settings:
    return mail_settings(settings, smtp_server, base_url="http://testserver",
                         admin_emails="boss@example.org")


@pytest.fixture
def make_client(web_settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """`make_client(**settings)`: a browser (TestClient) on an app made with these settings;
    every client made in one test shares the first app unless settings are given."""
    apps: dict[str, object] = {}
    clients: list[TestClient] = []

    def make(ip: str = "127.0.0.1", **values: object) -> TestClient:
        key = repr(sorted(values.items()))
        if key not in apps:
            apps[key] = create_app(web_settings.model_copy(update=values), immediate_jobs=True)
        client = TestClient(apps[key], client=(ip, 50000))  # type: ignore[arg-type]
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright (the browser tests)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()
