"""Math in titles and abstracts: real arXiv records (tests/fixtures/arxiv-math-36.jsonl)
read as Unicode and render as MathML; broken LaTeX and markup stay text, escaped."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from papertide.mathtext import to_html, to_plain
from tests.strategies import any_text

FIXTURE = Path(__file__).parent / "fixtures" / "arxiv-math-36.jsonl"
RECORDS = [json.loads(line) for line in FIXTURE.read_text().splitlines()]
# Real abstracts whose LaTeX cannot be read: the authors' own macros (`\ours`, `\method`,
# `\projectname`) and a `$` pairing across a bold phrase (`$\textbf{$ … $Bench+}$`).
BROKEN = {"2504.17180", "2505.21471", "2510.18032", "2601.20221"}
WELL_FORMED = [r for r in RECORDS if r["id"] not in BROKEN]
LATEX_LEFT = re.compile(r"\$|\\[A-Za-z]|\\[()\[\]{}]")
MATHML_TAGS = {"math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub",
               "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable",
               "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "mmultiscripts",
               "mprescripts", "none", "semantics", "merror"}


def tags(html: str) -> set[str]:
    return set(re.findall(r"<\s*/?\s*([A-Za-z][\w:-]*)", html))


def test_the_issue_s_examples_read_as_text():
    assert to_plain("Di$\\mathtt{[M]}$O: Distilling Masked Diffusion Models into One-step "
                    "Generator").startswith("Di[M]O: Distilling")
    assert to_plain("a lower bound of $\\Omega(n^2 d)$ time") == "a lower bound of Ω(n²d) time"
    assert to_plain("$O(n \\log n)$, $\\mathbb{R}^{d}$, $x_{i}^{2}$, $\\frac{a+b}{2}$") == (
        "O(n log n), ℝᵈ, xᵢ², (a + b)/2")
    assert to_plain("\\(\\alpha \\in (0,1)\\) and $$E = mc^2$$") == "α ∈ (0, 1) and E = mc²"


@pytest.mark.parametrize("record", WELL_FORMED, ids=[r["id"] for r in WELL_FORMED])
def test_real_titles_and_abstracts_read_without_latex(record):
    for text in (record["title"], record["summary"]):
        plain = to_plain(text)
        assert not LATEX_LEFT.search(plain), plain
        html = str(to_html(text))
        if "$" in text or "\\(" in text:
            assert "<math" in html and "$" not in html  # every formula became MathML
        assert tags(html) <= MATHML_TAGS


def test_mathml_keeps_the_formula():
    html = str(to_html("bound $\\Omega(n^2 d)$"))
    assert html.startswith('bound <math alttext="Ω(n²d)" xmlns="http://www.w3.org/1998/Math/MathML"')
    assert "<msup><mi>n</mi><mn>2</mn></msup>" in html and "<mi>Ω</mi>" in html
    assert 'display="block"' in str(to_html("$$x$$"))


@pytest.mark.parametrize("broken", [
    "costs $5 and $10",                      # money, not math
    "an unbalanced $x^2 here",
    "a fraction $\\frac{a$ cut short",
    "the authors' $\\ours$ macro",
    "braces $\\frac{1}{2$ that never close",
])
def test_broken_latex_stays_as_written_and_escaped(broken):
    assert to_plain(broken) == broken
    assert str(to_html(broken)) == str(escape(broken))


@pytest.mark.parametrize("record", [r for r in RECORDS if r["id"] in BROKEN],
                         ids=sorted(BROKEN))
def test_real_broken_latex_keeps_the_author_s_text(record):
    plain, html = to_plain(record["summary"]), str(to_html(record["summary"]))
    for macro in ("\\ours", "\\method", "\\projectname", "$\\textbf{$"):
        if macro in record["summary"]:
            assert macro in plain and str(escape(macro)) in html


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script> with $x<y$",
    "$\\text{<script>alert(1)</script>}$",
    "$\\href{javascript:alert(1)}{click}$",
    "$\\style{background:url(//evil)}{x}$",
    "$\\mathrm{a&b}$ and $\\text{</math><img src=x onerror=alert(1)>}$",
    "\\(<b onclick=alert(1)>x</b>\\)",
])
def test_markup_in_an_abstract_never_becomes_a_tag(hostile):
    html = str(to_html(hostile))
    assert tags(html) <= MATHML_TAGS
    assert not re.search(r"<[^>]*\s(href|style|src|on\w+)=", html)  # no attribute that acts


def test_links_between_formulas_are_still_links():
    from papertide.web._links import linkify

    html = str(to_html("see https://example.org/x for $\\alpha$", linkify))
    assert '<a href="https://example.org/x" rel="nofollow noopener">' in html and "<math" in html


@pytest.mark.fuzz
@given(text=st.lists(st.sampled_from(["$", "$$", "\\(", "\\)", "\\[", "{", "}", "\\frac",
                                      "^", "_", "\\text{", "<", "&", "x", " ", "\\"])
                     | any_text, max_size=12).map("".join))
def test_any_text_renders_without_raising(text):
    html = str(to_html(text))
    assert tags(html) <= MATHML_TAGS
    assert isinstance(to_plain(text), str)
