"""The whole promise, through the web app and a real SMTP server: subscribe → confirm →
preferences → digest received → one-click unsubscribe → no more mail. Tokens that are
forged, altered or expired get a clear page and change nothing."""

import re
import shutil
import time
from datetime import datetime
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient

from papertide.web import create_app
from tests.helpers import ARTIFACTS

NOW = datetime(2026, 11, 24, 12, 0)


def link(text: str, path: str) -> str:
    url = re.search(
        r"https://papers\.example\.org" + re.escape(path) + r"\?token=[\w.\-%]+", text
    ).group(0)
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}"


@pytest.fixture
def client(mail_services):
    with TestClient(create_app(mail_services.settings, immediate_jobs=True)) as client:
        client.app.state.services.digests.retry = mail_services.digests.retry
        yield client


@pytest.mark.slow  # a whole reader's life through the pages: seconds
def test_subscribe_confirm_choose_receive_unsubscribe(client, mail_services):
    smtp = mail_services.smtp.recorder
    page = client.post("/subscribe", data={"email": "Ada@Example.org", "topic": "model merging"})
    assert page.status_code == 200 and "Check your inbox" in page.text
    (confirmation,) = smtp.messages
    assert confirmation["To"] == "ada@example.org"
    # Nothing but the confirmation until the link is clicked.
    app_services = client.app.state.services
    assert app_services.digests.run(NOW, everyone=True) == {}
    # Subscribing again is harmless and answers the same: another confirmation mail.
    again = client.post("/subscribe", data={"email": "ada@example.org"})
    assert again.text.count("Check your inbox") == page.text.count("Check your inbox")
    assert len(smtp.messages) == 2

    # The topic rides in the first mail's link, and is added when it is clicked.
    opened = client.get(link(confirmation.get_body(("plain",)).get_content(), "/confirm"))
    assert "model merging" in opened.text and "Confirm subscription" in opened.text
    assert app_services.readers.store.by_email("ada@example.org").status == "pending"
    token = re.search(r'name="token" value="([^"]+)"', opened.text).group(1)
    confirmed = client.post("/confirm", data={"token": token})
    assert "You are subscribed" in confirmed.text
    manage = link(confirmed.text.replace("&amp;", "&"), "/preferences")
    prefs = client.get(manage)
    assert prefs.status_code == 200 and "model merging" in prefs.text
    token = manage.split("token=")[1]
    saved = client.post("/preferences", data={
        "token": token, "frequency": "daily", "weekday": "0", "send_hour": "8",
        "timezone": "Europe/Berlin", "per_digest": "6",
        "topic_query": ["model merging", "speculative decoding", ""],
        "topic_category": ["", "", ""], "topic_author": ["", "", ""]})
    assert saved.status_code == 200 and "Saved." in saved.text
    reader = app_services.readers.store.by_email("ada@example.org")
    assert (reader.send_hour, reader.timezone, reader.per_digest) == (8, "Europe/Berlin", 6)
    assert [t.query for t in reader.topics] == ["model merging", "speculative decoding"]

    assert app_services.digests.run(NOW, everyone=True) == {"sent": 1}
    digest = smtp.messages[-1]
    text = digest.get_body(("plain",)).get_content()
    assert "== model merging ==" in text and "== speculative decoding ==" in text
    _screenshot(digest.get_body(("html",)).get_content())

    # One-click unsubscribe as a mail client does it (RFC 8058): POST to the https link.
    https = re.search(r"<(https://[^>]+)>", digest["List-Unsubscribe"]).group(1)
    parsed = urlparse(https)
    response = client.post(f"{parsed.path}?{parsed.query}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "You are unsubscribed" in response.text
    assert app_services.readers.store.get(reader.id).status == "unsubscribed"
    assert ("unsubscribe", "one-click") in app_services.readers.store.events(reader.id)
    sent = len(smtp.messages)
    assert app_services.digests.run(datetime(2026, 11, 25, 12), everyone=True) == {}
    assert len(smtp.messages) == sent


def test_api_subscribe_validates_and_reveals_nothing(client, mail_services):
    first = client.post(
        "/api/subscribe", json={"email": "bob@example.org", "topics": [{"query": "RL"}]}
    )
    second = client.post("/api/subscribe", json={"email": "bob@example.org"})
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert client.post("/api/subscribe", json={"email": "not an address"}).status_code == 400
    assert client.post("/api/subscribe", json={"topics": "x"}).status_code == 422
    assert (
        client.post(
            "/api/subscribe", json={"email": "b@example.org", "topics": [{"query": "x" * 500}]}
        ).status_code
        == 422
    )


@pytest.mark.parametrize(
    "purpose,path",
    [
        ("manage", "/preferences"),
        ("unsubscribe", "/unsubscribe"),
        ("confirm", "/confirm"),
        ("manage", "/digest/preview"),
    ],
)
def test_forged_altered_and_expired_tokens_change_nothing(
    client, mail_services, monkeypatch, purpose, path
):
    services = client.app.state.services
    reader, _ = services.readers.subscribe("eve@example.org")  # pending
    good = services.readers.tokens.make(purpose, reader.id, reader.token_version)
    altered = good[:-3] + ("AAA" if good[-3:] != "AAA" else "BBB")
    forged = services.readers.tokens.__class__("another-key").make(purpose, reader.id, 0)
    for token, status in ((altered, 400), (forged, 400), ("", 400), ("nonsense", 400)):
        page = client.get(f"{path}?token={token}")
        assert page.status_code == status and "not valid" in page.text
    real_time = time.time
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real_time() - 400 * 86400)
    expired = services.readers.tokens.make(purpose, reader.id, reader.token_version)
    monkeypatch.undo()
    page = client.get(f"{path}?token={expired}")
    assert page.status_code == 410 and "expired" in page.text
    client.post(f"/unsubscribe?token={expired}")
    assert services.readers.store.get(reader.id).status == "pending"


def _screenshot(html: str) -> None:
    """The digest's HTML part as a mail client shows it, at phone and desktop width."""
    chromium = shutil.which("chromium")
    if chromium is None:
        return
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for name, width, scheme in (
            ("digest-phone.png", 390, "light"),
            ("digest-dark.png", 700, "dark"),
        ):
            page = browser.new_page(viewport={"width": width, "height": 1100}, color_scheme=scheme)
            page.set_content(html)
            assert page.locator("h1").inner_text().startswith("Your papers for")
            page.screenshot(path=str(ARTIFACTS / name), full_page=False)
        browser.close()
