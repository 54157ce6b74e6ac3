"""Import and export on each backend: a messy real-world BibTeX file matched to the catalog
(arXiv ids wherever exporters put them, DOIs, LaTeX-escaped and misspelt titles,
duplicates), unknown arXiv ids fetched from the recorded arXiv API, a report; BibTeX that
`bibtexparser` reads back, CSL-JSON as Zotero writes it, JSON lines that keep tags and
notes, and each export imported again into the same papers."""

import json
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser import middlewares

from papertide.library import export_library, import_library
from papertide.services import open_services
from papertide.sources import arxiv_api
from tests.helpers import FIXTURES, add_reader, load
from tests.sources.conftest import API, Reply, live_settings

HERE = Path(__file__).parent / "fixtures"
RECORDED = API / "new_format_2025-11"


@pytest.fixture
def live(settings, server):
    """The arXiv sample and a recorded arXiv API answer as the catalog; the arXiv API on
    loopback, knowing 2206.06921 and nothing else."""
    def answer(params):
        known = "2206.06921" in params.get("id_list", "").split(",")
        name = "query_id_list_2206.06921.xml" if known else "query_id_list_1201.56789_empty.xml"
        return Reply(body=(RECORDED / name).read_bytes(), content_type="application/atom+xml")

    server.route("/api/query", answer)
    services = open_services(live_settings(settings, server))
    load(services, FIXTURES / "arxiv-sample-40.jsonl")
    feed = arxiv_api.parse_feed(
        (RECORDED / "query_cat_math.CA_AND_ti_diffuse.xml").read_bytes(), "recorded")
    services.catalog.upsert(feed.papers)
    services.search.catch_up()
    return services


def test_a_messy_bibtex_file_is_matched_fetched_and_reported(live, server):
    ada = add_reader(live, "ada@example.org")
    report = import_library(live.library, ada.id, (HERE / "messy.bib").read_text(),
                            tags=["imported"], fetch=live.intake.fetch_unknown)
    how = {row["entry"].split(":")[0]: (row["id"], row["how"]) for row in report.matched}
    assert how == {
        "zeng_industrial-grade_2025": ("2503.11731", "arXiv id"),
        "d2025safe": ("2503.11742", "arXiv id"),
        "https": ("2503.11780", "arXiv id"),  # DataCite's key is the DOI's address
        "COIFMAN201479": ("1209.0245", "DOI"),
        "fractalcesaro": ("1704.03514", "title"),
        "math0702122": ("math/0702122", "arXiv id"),
        "li2025semantic": ("2503.11794", how["li2025semantic"][1]),
        "timecoupled": ("1608.03628", "title"),
    }
    assert how["li2025semantic"][1].startswith("title (fuzzy, 9")
    assert [(r["entry"].split(":")[0], r["id"]) for r in report.fetched] == [
        ("rutar2022attainable", "2206.06921")]
    assert [(r["entry"].split(":")[0], r["same_as"]) for r in report.duplicates] == [
        ("zeng2025industrial", "zeng_industrial-grade_2025"), ("dinca_safe_2025", "d2025safe")]
    assert {r["entry"].split(":")[0]: r["why"] for r in report.not_matched} == {
        "vaswani2017attention": "no paper in the catalog with this title",
        "jiang2020multi": "no paper in the catalog with this title",
        "coifman2006wavelets": "arXiv has no paper 1201.56789"}
    assert report.problems == ["line 123: @misc{unfinished, (Unexpectedly reached end of file.)"]
    assert report.entries == 14 and report.added == 9
    assert "14 entries (bibtex): 8 matched, 1 fetched from arXiv, 3 not matched" in \
        report.summary()
    # One look-up asked arXiv for both ids that nothing in the catalog matched.
    (asked,) = server.requests_to("/api/query")
    assert asked["id_list"] == "1201.56789,2206.06921"
    saved = live.library.papers(ada.id)
    assert len(saved) == 9 and all("imported" in i.saved.tags for i in saved)
    # The exporters' `keywords` come in as tags; Zotero's `note = {arXiv:… [cs]}` is no note.
    by_id = {i.paper.arxiv_id: i.saved for i in saved}
    assert set(by_id["2503.11731"].tags) == {
        "imported", "computer science - computer vision and pattern recognition",
        "computer science - robotics"}
    assert all(i.saved.note is None for i in saved)
    assert live.catalog.get("2206.06921").title == "Attainable forms of Assouad spectra"
    # Importing again adds nothing; only the id arXiv does not know is asked for again.
    again = import_library(live.library, ada.id, (HERE / "messy.bib").read_text(),
                           fetch=live.intake.fetch_unknown)
    assert again.added == 0 and again.fetched == [] and len(again.matched) == 9
    assert server.requests_to("/api/query")[1]["id_list"] == "1201.56789"


def _decoded(text):
    library = bibtexparser.parse_string(text, append_middleware=[
        middlewares.LatexDecodingMiddleware(), middlewares.SeparateCoAuthors()])
    assert library.failed_blocks == []
    return {e.key: (e.entry_type, {k: f.value for k, f in e.fields_dict.items()})
            for e in library.entries}


def test_bibtex_round_trip(live):
    ada = add_reader(live, "ada@example.org")
    bob = add_reader(live, "bob@example.org")
    for pid in ("2503.11731", "2503.12014", "2503.12001", "1209.0245", "1704.03514",
                "math/0702122"):
        live.library.save(ada.id, pid, tags=["to read"], note="50% done & §3")
    text = export_library(live.library, ada.id, "bibtex")
    entries = _decoded(text)
    assert len(entries) == 6
    kind, zeng = entries["zeng2025industrial"]
    assert kind == "misc" and zeng["eprint"] == "2503.11731"
    assert (zeng["archivePrefix"], zeng["primaryClass"]) == ("arXiv", "cs.CV")
    assert zeng["url"] == "https://arxiv.org/abs/2503.11731"
    assert zeng["title"] == ("Industrial-Grade Sensor Simulation via Gaussian Splatting: A "
                             "Modular Framework for Scalable Editing and Full-Stack Validation")
    assert zeng["author"][:2] == ["Xianming Zeng", "Sicong Du"]
    assert zeng["keywords"] == "to read" and zeng["annote"] == "50% done & §3"
    kind, coifman = entries["coifman2012diffusion"]
    assert coifman["doi"] == "10.1016/j.acha.2013.03.001" and coifman["year"] == "2012"
    assert entries["golmankhaneh2017diffusion"][1]["title"] == "Diffusion on Fractal Cesàro Curve"
    assert entries["davies2007indefinite"][1]["eprint"] == "math/0702122"
    # Two papers by Zou in 2025 on "Learning …" and "Fraesormer …" keep their own keys.
    assert "zou2025learning" in entries
    # Raw, capitals that must survive a style's lower-casing are braced.
    assert "{Gaussian}" not in text and "Industrial-{Grade}" not in text
    assert "Ces\\`a" in text or "Ces\\`{a}" in text
    back = import_library(live.library, bob.id, text)
    assert sorted(r["id"] for r in back.matched) == sorted(
        ["2503.11731", "2503.12014", "2503.12001", "1209.0245", "1704.03514", "math/0702122"])
    assert {r["how"] for r in back.matched} <= {"arXiv id", "DOI"}


def test_csl_json_as_zotero_writes_it_and_json_lines_keep_tags_and_notes(live):
    ada = add_reader(live, "ada@example.org")
    bob = add_reader(live, "bob@example.org")
    live.library.save(ada.id, "2503.11731", tags=["splatting", "to read"], note="§3\nthen §4")
    live.library.save(ada.id, "1209.0245")
    items = json.loads(export_library(live.library, ada.id, "csl-json"))
    zeng = next(i for i in items if i["id"] == "zeng2025industrial")
    assert zeng["type"] == "article" and zeng["number"] == "arXiv:2503.11731"
    assert zeng["DOI"] == "10.48550/arXiv.2503.11731" and zeng["issued"]["date-parts"][0][0] == 2025
    assert zeng["author"][0] == {"family": "Zeng", "given": "Xianming"}
    assert zeng["keyword"] == "splatting, to read"
    # Zotero's own CSL-JSON of an arXiv preprint and of a journal article.
    zotero = [
        {"id": "http://zotero.org/users/1/items/ABCD", "type": "article",
         "title": "Safe <i>Vision-Language Models</i> via Unsafe Weights Manipulation",
         "publisher": "arXiv", "number": "arXiv:2503.11742", "source": "arXiv.org",
         "URL": "http://arxiv.org/abs/2503.11742", "DOI": "10.48550/arXiv.2503.11742",
         "author": [{"family": "D'Incà", "given": "Moreno"}],
         "issued": {"date-parts": [["2025", 3, 14]]}},
        {"id": "coifman", "type": "article-journal", "title": "Diffusion maps for changing data",
         "container-title": "Applied and Computational Harmonic Analysis",
         "DOI": "10.1016/j.acha.2013.03.001", "issued": {"date-parts": [[2014]]}},
        {"id": "nothing", "type": "book", "title": "Gödel, Escher, Bach"}, "not an item"]
    report = import_library(live.library, bob.id, json.dumps(zotero))
    assert report.format == "csl-json"
    assert [(r["id"], r["how"]) for r in report.matched] == [("2503.11742", "arXiv id"),
                                                            ("1209.0245", "DOI")]
    assert len(report.not_matched) == 1 and report.problems == ["item 4: not an object"]
    lines = export_library(live.library, ada.id, "jsonl")
    carol = add_reader(live, "carol@example.org")
    back = import_library(live.library, carol.id, lines)
    assert back.format == "jsonl" and back.added == 2
    restored = live.library.get(carol.id, "2503.11731").saved
    assert restored.tags == ("splatting", "to read") and restored.note == "§3\nthen §4"


def test_one_json_line_is_read_as_papertides_own_lines_with_its_tags(live):
    dan = add_reader(live, "dan@example.org")
    line = json.dumps({"id": "2503.11731", "tags": ["later"], "note": "one line"})
    report = import_library(live.library, dan.id, line + "\n")
    assert report.format == "jsonl" and report.added == 1
    saved = live.library.get(dan.id, "2503.11731").saved
    assert saved.tags == ("later",) and saved.note == "one line"


@pytest.mark.parametrize("text", ["[" * 30_000, '{"a":' * 1000 + "1" + "}" * 1000])
def test_json_nested_deeper_than_the_stack_is_reported_not_raised(live, text):
    eve = add_reader(live, "eve@example.org")
    report = import_library(live.library, eve.id, text)
    assert report.added == 0 and report.problems == ["line 1: not JSON"]


def test_math_tags_and_notes_come_back_from_bibtex_and_csl_json(live):
    from dataclasses import replace

    ada = add_reader(live, "ada@example.org")
    title = "Di$\\mathtt{[M]}$O: Distilling Masked Diffusion Models into One-step Generator"
    abstract = "We reach $\\mathcal{O}(n^2)$ cost at 50% of the time & more."
    live.catalog.upsert([replace(live.catalog.get("2503.11731"), title=title, abstract=abstract,
                                 authors=["Yuanzhi Zhu", "Xi Wang"])])
    live.library.save(ada.id, "2503.11731", tags=["distillation", "to read"],
                      note="Read §3 first\nthen the 50% & $x$ bits")
    live.library.save(ada.id, "2503.12014", tags=["other"])
    text = export_library(live.library, ada.id, "bibtex")
    assert "@misc{zhu2025dimo," in text  # last name, year, first word as it reads
    assert "title = {Di{$\\mathtt{[M]}$}O: Distilling" in text
    assert "{$\\mathcal{O}(n^2)$} cost at 50\\% of the time \\& more." in text

    head = text.split("annote")[0]
    assert "textbackslash" not in head and "\\$" not in head
    assert "keywords = {distillation, to read}" in text
    for fmt, exported in (("bibtex", text),
                          ("csl-json", export_library(live.library, ada.id, "csl-json"))):
        reader = add_reader(live, f"{fmt}@example.org")
        back = import_library(live.library, reader.id, exported)
        assert back.format == fmt and back.added == 2
        saved = live.library.get(reader.id, "2503.11731").saved
        assert saved.tags == ("distillation", "to read"), fmt
        assert saved.note == "Read §3 first\nthen the 50% & $x$ bits", fmt
        assert live.library.get(reader.id, "2503.12014").saved.tags == ("other",)
    # The keys stay unique within a file.
    keys = [line.split("{", 1)[1].rstrip(",") for line in text.splitlines()
            if line.startswith("@")]
    assert len(keys) == len(set(keys)) == 2
    from papertide.library._bibtex import read_bibtex

    (entry,) = [r for r in read_bibtex(text).references if r.key == "zhu2025dimo"]
    assert entry.title == title  # the formula as written


def test_unicode_in_math_is_exported_as_latex_macros_and_reads_back_the_same(live):
    """pdflatex refuses Unicode inside `$…$`: `$φ$` goes out as `$\\varphi$`, and what
    comes back reads as the author wrote it."""
    from dataclasses import replace

    from papertide.library._bibtex import read_bibtex
    from papertide.mathtext import to_plain

    bea = add_reader(live, "bea@example.org")
    title = "$φ$-Former: $α$-stable noise in $ℝ^n$ with $x²$ and $a × b → c$"
    abstract = "We bound $‖∇f‖ ≤ ε$ for all $θ ∈ Θ$."
    live.catalog.upsert([replace(live.catalog.get("2503.11731"), title=title, abstract=abstract)])
    live.library.save(bea.id, "2503.11731", tags=["φ-models"])
    text = export_library(live.library, bea.id, "bibtex")

    assert ("title = {{$\\varphi$}-Former: {$\\alpha$}-stable noise in {$\\mathbb{R}^n$} "
            "with {$x^{2}$} and {$a \\times b \\rightarrow c$}}") in text
    assert "{$\\Vert\\nabla f\\Vert \\leq \\varepsilon$}" in text
    assert "{$\\theta \\in \\Theta$}" in text
    maths = [m for line in text.splitlines() for m in line.split("$")[1::2]]
    assert maths and all(m.isascii() for m in maths), [m for m in maths if not m.isascii()]

    (entry,) = read_bibtex(text).references
    assert to_plain(entry.title) == to_plain(title) == (
        "φ-Former: α-stable noise in ℝⁿ with x² and a × b → c")
    back = add_reader(live, "back@example.org")
    report = import_library(live.library, back.id, text)
    assert report.added == 1
    assert live.library.get(back.id, "2503.11731").saved.tags == ("φ-models",)
