"""A real browser (Debian's chromium, headless, driven by Playwright) on a live server:
search from the home page, open a paper, vote."""

import shutil

import pytest

from tests.helpers import ARTIFACTS, LiveServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def test_search_from_home_open_paper_and_vote(settings, demo, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    with LiveServer(settings) as server:
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.goto(server.url + "/")
        assert page.locator("h1").inner_text() == "Trending papers"
        page.screenshot(path=str(ARTIFACTS / "home-phone.png"))
        page.fill("header input[name=q]", "sample efficient multi-agent reinforcement learning")
        page.press("header input[name=q]", "Enter")
        page.wait_for_url("**/search?**")
        first = page.locator("ol.papers article h3 a").first
        assert first.inner_text() == "Sample-Efficient Multi-Agent RL: An Optimization Perspective"
        page.screenshot(path=str(ARTIFACTS / "search-phone.png"), full_page=False)
        first.click()
        page.wait_for_url("**/papers/**")
        assert (
            page.locator("h1").inner_text()
            == "Sample-Efficient Multi-Agent RL: An Optimization Perspective"
        )
        assert (
            "We study multi-agent reinforcement learning" in page.locator(".abstract").inner_text()
        )
        page.click(".vote button")
        page.wait_for_selector(".vote button.voted")
        assert page.locator(".vote .n").inner_text() == "1"
        page.screenshot(path=str(ARTIFACTS / "paper-phone.png"))
