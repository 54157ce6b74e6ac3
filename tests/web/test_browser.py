"""A real browser (Debian's chromium, headless, driven by Playwright) on a live server with
the real job consumer inside: search from the home page and open a paper (anonymous: "Sign
in to vote"); then an admin signs in from a printed link, a reader asks for a sign-in
link, follows it from the outbox, and votes — the button and the counts line agree."""

import re

import pytest

from tests.helpers import ARTIFACTS, LiveServer, free_port
from tests.web.conftest import CHROMIUM

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")]
TITLE = "Sample-Efficient Multi-Agent RL: An Optimization Perspective"


def test_search_from_home_and_open_a_paper(settings, demo, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    with LiveServer(settings) as server:
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.goto(server.url + "/")
        assert page.locator("h1").inner_text() == "Trending papers"
        page.screenshot(path=str(ARTIFACTS / "home-phone.png"))
        page.fill("header input[name=q]", "sample efficient multi-agent RL")
        page.press("header input[name=q]", "Enter")
        page.wait_for_url("**/search?**")
        first = page.locator("ol.papers article h3 a").first
        assert first.inner_text() == TITLE
        page.screenshot(path=str(ARTIFACTS / "search-phone.png"), full_page=False)
        first.click()
        page.wait_for_url("**/papers/**")
        assert page.locator("h1").inner_text() == TITLE
        assert (
            "We study multi-agent reinforcement learning" in page.locator(".abstract").inner_text()
        )
        assert "Sign in to vote" in page.locator(".vote").inner_text()


def test_sign_in_from_the_outbox_and_vote(settings, demo, browser):
    port = free_port()
    settings = settings.model_copy(update={"base_url": f"http://127.0.0.1:{port}",
                                           "admin_emails": "admin@example.org", "send_rate": 0})
    with LiveServer(settings, embedded_worker=True, port=port) as server:
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        # The operator follows the link `papertide admin link` printed.
        page.goto(server.app.state.services.readers.accounts.sign_in_link("admin@example.org"))
        page.click("button:text('Sign in')")
        page.wait_for_url("**/onboarding")  # a new account starts there
        page.goto(server.url + "/account")
        assert "admin@example.org" in page.locator(".meta").first.inner_text()
        # A reader asks for a link; the job consumer writes it to the outbox.
        page.goto(server.url + "/login")
        page.fill("input[name=email]", "reader@example.org")
        page.click("text=Mail me a sign-in link")
        assert page.locator("h1").inner_text() == "Check your inbox"
        page.goto(server.url + "/admin")
        page.click("text=Outbox")
        mail = page.locator("a", has_text="Sign in to papertide")
        for _ in range(50):  # the consumer sends within moments
            if mail.count():
                break
            page.wait_for_timeout(200)
            page.reload()
        mail.first.click()
        page.screenshot(path=str(ARTIFACTS / "outbox-sign-in-mail.png"))
        text = page.locator("pre.plain").text_content()
        link = re.search(r"http://127\.0\.0\.1:\d+/auth/signin\?token=\S+", text).group(0)
        page.goto(link)
        assert page.locator("h1").inner_text() == "Sign in as reader@example.org?"
        page.click("button:text('Sign in')")
        page.wait_for_url("**/onboarding")
        page.goto(server.url + "/account")
        assert "reader@example.org" in page.locator(".meta").first.inner_text()
        # Signed in as the reader: vote, with htmx sending the CSRF token.
        page.goto(server.url + "/papers/t6585e84c9ec5f39")
        assert page.locator(".counts").inner_text().startswith("▲ 0 votes")
        page.click(".vote button")
        page.wait_for_selector(".vote button.voted")
        assert page.locator(".vote .n").inner_text() == "1"
        assert page.locator(".counts").inner_text().startswith("▲ 1 vote ·")
        page.screenshot(path=str(ARTIFACTS / "paper-voted.png"))
        page.reload()
        assert page.locator(".vote .n").inner_text() == "1"
        assert "Voted" in page.locator(".vote button").inner_text()


def test_saving_from_a_card_updates_it_without_a_reload(settings, demo, browser):
    port = free_port()
    settings = settings.model_copy(update={"base_url": f"http://127.0.0.1:{port}"})
    with LiveServer(settings, port=port) as server:
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.goto(server.app.state.services.readers.accounts.sign_in_link("ada@example.org"))
        page.click("button:text('Sign in')")
        page.wait_for_url("**/onboarding")
        page.goto(server.url + "/")
        card = page.locator("ol.papers article").first
        title = card.locator("h3 a").inner_text()
        assert card.locator(".save button").inner_text() == "★ 0 Save"
        page.evaluate("window.notReloaded = true")  # gone if the page loads again
        card.locator(".save button").click()
        page.wait_for_selector("ol.papers article >> nth=0 >> .save button.saved")
        assert card.locator(".save button").inner_text() == "★ 1 Saved"
        assert page.evaluate("window.notReloaded") is True
        page.screenshot(path=str(ARTIFACTS / "card-saved.png"))
        page.goto(server.url + "/library")
        assert page.locator("ol.papers article h3 a").first.inner_text() == title
        card = page.locator("ol.papers article").first
        card.locator(".save button").click()  # unsave, in place
        page.wait_for_selector("ol.papers article >> nth=0 >> .save button:not(.saved)")
        assert card.locator(".save button").inner_text() == "★ 0 Save"
