"""The pages in a real browser (headless chromium through Playwright), as a phone and a
desktop show them, light and dark: axe-core finds no serious or critical accessibility
problem on any of them; on a phone the first result is above the fold; a reader votes from
a card, copies a citation and a formula, and comes back to the page after signing in. The
run writes each page's weight (bytes over the wire, a first visit) and time to first
contentful paint to test-artifacts/page-weight.json (the README quotes them) and
screenshots beside it."""

import json
import re
from dataclasses import replace
from datetime import date

import pytest

from papertide.catalog import Signal
from tests.helpers import ARTIFACTS, LiveServer, free_port
from tests.web.conftest import CHROMIUM

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")]
PAPER = "t6585e84c9ec5f39"  # the demo's first paper
MATH_TITLE = "Di$\\mathtt{[M]}$O: Distilling Masked Diffusion Models into One-step Generator"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PAGES = {"home": "/", "search": "/search?q=reinforcement+learning", "paper": f"/papers/{PAPER}",
         "daily": "/daily", "library": "/library", "for-you": "/for-you", "account": "/account"}
SERIOUS = {"serious", "critical"}


@pytest.fixture
def site(settings, demo):
    """A live server over the demo, one paper dressed as a trending Hugging Face paper with
    a formula in its title and an announcement day; a reader who saved and voted for it."""
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the pages are the same on every backend; one is enough in a browser")
    port = free_port()
    settings = settings.model_copy(update={"base_url": f"http://127.0.0.1:{port}"})
    paper = replace(demo.catalog.get(PAPER), title=MATH_TITLE, arxiv_id="2503.11731",
                    url_code="https://github.com/org/code", sources=["hf-daily"],
                    announced=date(2025, 3, 18), categories=["cs.LG", "I.2.6; C.5.3"])
    demo.catalog.upsert([paper], signals=[[Signal("hf-daily", "upvotes", 42),
                                           Signal("hf-daily", "comments", 1),
                                           Signal("hf-daily", "github_stars", 1480)]])
    with LiveServer(settings, port=port) as server:
        yield server


def _sign_in(context, server, email="ada@example.org"):
    page = context.new_page()
    page.goto(server.app.state.services.readers.accounts.sign_in_link(email))
    page.click("button:text('Sign in')")
    page.wait_for_load_state()
    return page


def _weight_and_paint(page) -> dict[str, float]:
    """Bytes the page and everything it loaded took over the wire, and its first
    contentful paint (waited for, never timed here)."""
    return page.evaluate("""() => new Promise(resolve => {
        const done = entry => {
          const nav = performance.getEntriesByType('navigation')[0];
          const bytes = [nav, ...performance.getEntriesByType('resource')]
            .reduce((sum, e) => sum + (e.transferSize || 0), 0);
          resolve({bytes: bytes, first_contentful_paint_ms: Math.round(entry.startTime)});
        };
        const seen = performance.getEntriesByName('first-contentful-paint')[0];
        if (seen) return done(seen);
        new PerformanceObserver(list => done(list.getEntries()[0]))
          .observe({type: 'paint', buffered: true});
      })""")


def test_no_serious_accessibility_problem_on_any_page_in_either_theme(site, browser):
    from axe_playwright_python.sync_playwright import Axe

    signing_in = browser.new_context()
    _sign_in(signing_in, site).close()
    signed_in = signing_in.storage_state()  # the reader's pages, signed in
    signing_in.close()
    axe, found = Axe(), {}
    ARTIFACTS.mkdir(exist_ok=True)
    for scheme in ("light", "dark"):
        for device, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            context = browser.new_context(viewport=viewport, color_scheme=scheme,
                                          storage_state=signed_in)
            page = context.new_page()
            for name, path in PAGES.items():
                page.goto(site.url + path)
                page.screenshot(path=str(ARTIFACTS / f"page-{name}-{device}-{scheme}.png"))
                violations = axe.run(page).response["violations"]
                bad = [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
                       for v in violations if v["impact"] in SERIOUS]
                if bad:
                    found[f"{name}, {device}, {scheme}"] = bad
            context.close()
    assert found == {}
    # Each page as a first visit (an empty cache) on a phone: its weight and first paint.
    figures = {}
    for name, path in PAGES.items():
        context = browser.new_context(viewport=PHONE, storage_state=signed_in)
        page = context.new_page()
        page.goto(site.url + path)
        figures[name] = _weight_and_paint(page)
        context.close()
    (ARTIFACTS / "page-weight.json").write_text(json.dumps(figures, indent=2) + "\n")
    assert all(f["bytes"] > 1000 for f in figures.values())


def test_on_a_phone_the_first_result_is_above_the_fold(site, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    for path in ("/", "/search?q=reinforcement+learning"):
        page.goto(site.url + path)
        title = page.locator("ol.papers article h3").first.bounding_box()
        assert title is not None and title["y"] + title["height"] <= PHONE["height"], path
    # The search filters wait behind one line until asked for.
    assert not page.locator("details.more input[name=author]").is_visible()
    page.click("details.more summary")
    assert page.locator("details.more input[name=author]").is_visible()


def test_a_card_shows_signals_and_takes_a_vote_in_place(site, browser):
    context = browser.new_context(viewport=DESKTOP)
    page = _sign_in(context, site)
    page.goto(site.url + "/")
    card = page.locator("ol.papers article", has=page.locator(f"a[href='/papers/{PAPER}']"))
    counts = card.locator(".counts").inner_text()
    assert "42 HF upvotes · 1 comment" in counts and "Code · 1.5k GitHub stars" in counts
    assert "I.2.6" not in card.inner_text()
    page.evaluate("window.notReloaded = true")
    card.locator(".vote button").click()
    card.locator(".vote button.voted").wait_for()
    assert card.locator(".vote button").inner_text() == "▲ 1 Voted"
    assert page.evaluate("window.notReloaded") is True
    page.screenshot(path=str(ARTIFACTS / "card-voted.png"))


def test_cite_copies_and_a_formula_copies_as_text(site, browser):
    context = browser.new_context(viewport=DESKTOP,
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(site.url + f"/papers/{PAPER}")
    assert page.locator(".actions a", has_text="HTML").get_attribute("href") == \
        "https://arxiv.org/html/2503.11731"
    page.click("details.cite summary")
    page.click("button[data-copy=cite-bibtex]")
    page.locator("button[data-copy=cite-bibtex]", has_text="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@misc{") and "{Di{$\\mathtt{[M]}$}O: Distilling" in copied
    page.click("button[data-copy=cite-apa]")
    page.locator("button[data-copy=cite-apa]", has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()").endswith(
        "arXiv. https://doi.org/10.48550/arXiv.2503.11731")
    page.screenshot(path=str(ARTIFACTS / "paper-cite.png"))
    # Selecting the title and copying it gives readable text, not MathML's boxes.
    text = page.evaluate("""() => {
        const range = document.createRange();
        range.selectNodeContents(document.querySelector('h1'));
        getSelection().removeAllRanges(); getSelection().addRange(range);
        const event = new ClipboardEvent('copy', {clipboardData: new DataTransfer(),
                                                  cancelable: true});
        document.dispatchEvent(event);
        return event.clipboardData.getData('text/plain');
      }""")
    assert text.startswith("Di[M]O: Distilling Masked") or text.startswith("Di𝚖"), text


def test_sign_in_to_save_comes_back_to_the_paper(site, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(site.url + f"/papers/{PAPER}")
    page.click("a.button.save")
    page.wait_for_url(re.compile(rf".*/login\?next=/papers/{PAPER}$"))
    page.fill("input[name=email]", "new@example.org")
    page.click("text=Mail me a sign-in link")
    assert page.locator("h1").inner_text() == "Check your inbox"
    page.goto(site.app.state.services.readers.accounts.sign_in_link("new@example.org"))
    page.click("button:text('Sign in')")
    page.wait_for_url(re.compile(r".*/onboarding\?next=/papers/"))  # a new account starts here
    assert page.locator("label", has_text="Machine Learning").first.is_visible()
    page.click("text=Go back to the page you were on")
    page.wait_for_url(f"**/papers/{PAPER}")
    page.click(".actions .save button")
    page.locator(".actions .save button.saved").wait_for()
