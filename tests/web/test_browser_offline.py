"""A real browser (Debian's chromium, headless, driven by Playwright) that may reach this
machine only: every request to another host is aborted, and recorded. A paper page draws
its math as MathML; /docs lists the API's operations with Swagger UI served by the app."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest

from tests.helpers import ARTIFACTS, FIXTURES, HANG, LiveServer, load

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture
def offline_page():
    """A page whose requests to any host but loopback are aborted; `page.blocked` lists
    them, `page.problems` the console's errors (a refused script, a CSP violation)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.set_default_timeout(HANG * 1000)  # a busy machine is slow, not broken
        page.blocked, page.problems = [], []

        def route(route):
            url = urlsplit(route.request.url)
            if url.scheme in ("data", "blob") or url.hostname in LOOPBACK:
                route.continue_()
            else:
                page.blocked.append(route.request.url)
                route.abort()

        page.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        yield page
        browser.close()


def test_a_paper_page_draws_math_as_mathml(settings, services, offline_page):
    load(services, FIXTURES / "arxiv-math-36.jsonl")
    ARTIFACTS.mkdir(exist_ok=True)
    page = offline_page
    with LiveServer(settings) as server:
        page.goto(server.url + "/papers/2503.14881")
        abstract = page.locator(".abstract")
        formulas = abstract.locator("math")
        assert formulas.count() == 4
        box = formulas.first.bounding_box()  # drawn by the browser, not shown as source
        assert box is not None and box["width"] > 20 and box["height"] > 5
        shown = abstract.inner_text()
        assert "$\\Omega" not in shown and "\\Omega" not in shown and "$" not in shown
        assert formulas.first.text_content() == "Ω(n2d)"
        page.goto(server.url + "/papers/2503.15457")
        assert page.locator("h1 math").count() == 1
        assert page.title().startswith("Di[M]O: Distilling")
        page.screenshot(path=str(ARTIFACTS / "paper-math.png"))
    assert page.blocked == [] and page.problems == []


def test_docs_list_the_operations_with_no_network(settings, services, offline_page):
    ARTIFACTS.mkdir(exist_ok=True)
    page = offline_page
    with LiveServer(settings) as server:
        page.goto(server.url + "/docs")
        page.wait_for_selector(".opblock")
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert "/api/search" in paths and "/api/papers/{paper_id}" in paths
        assert page.locator(".info .title").inner_text().startswith("papertide")
        page.screenshot(path=str(ARTIFACTS / "docs-offline.png"))
    assert page.blocked == [], page.blocked
    assert page.problems == [], page.problems
