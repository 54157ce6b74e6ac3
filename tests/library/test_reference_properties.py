"""Whatever a reader uploads, reading it gives references and problems, never an
exception: BibTeX entries with any text in any field, CSL-JSON items of any JSON, JSON
lines of anything; and every reference's ids are ids the catalog could hold."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papertide.catalog import ID_WIDTHS, parse_arxiv_id
from papertide.library import import_library, read_references
from tests.strategies import any_text, json_values, plain_text

pytestmark = pytest.mark.fuzz

FIELDS = ["title", "author", "eprint", "archivePrefix", "doi", "url", "journal", "note",
          "year", "keywords"]
bibtex_values = st.one_of(plain_text, any_text, st.sampled_from([
    "{", "}", "\\", "{\\\"U}", "$\\alpha", "arXiv:2503.11731v2", "10.48550/arXiv.hep-th/9901001",
    "https://arxiv.org/pdf/2503.11731v1.pdf", "{{{{", "\\c{", "--", "~", "%"]))
entries = st.lists(st.tuples(st.sampled_from(["misc", "article", "inproceedings", "string"]),
                             any_text, st.dictionaries(st.sampled_from(FIELDS), bibtex_values,
                                                       max_size=6)), max_size=4)


def _bibtex(items):
    return "\n".join(f"@{kind}{{{key},\n" + ",\n".join(f"  {k} = {{{v}}}" for k, v in
                                                       fields.items()) + "\n}"
                     for kind, key, fields in items)


def _sane(parsed):
    for ref in parsed.references:
        if ref.arxiv_id is not None:
            assert parse_arxiv_id(ref.arxiv_id) == (ref.arxiv_id, None)
            assert len(ref.arxiv_id) <= ID_WIDTHS["arxiv_id"]
        assert isinstance(ref.title, str) and isinstance(ref.authors, list)


@given(entries)
def test_any_bibtex_is_read_into_references_or_problems(items):
    _fmt, parsed = read_references(_bibtex(items))
    _sane(parsed)


@given(st.one_of(any_text, st.binary(max_size=60).map(lambda b: b.decode("latin-1"))))
def test_any_text_at_all(text):
    _fmt, parsed = read_references(text)
    _sane(parsed)


@given(json_values)
def test_any_json_as_csl_or_json_lines(value):
    text = json.dumps(value)
    _sane(read_references(text)[1])
    _sane(read_references(text + "\n" + text)[1])


@given(entries)
def test_any_bibtex_imports_on_each_backend_without_an_error(demo, items):
    from tests.helpers import add_reader

    reader = add_reader(demo, "ada@example.org")
    report = import_library(demo.library, reader.id, _bibtex(items))
    assert report.entries == len(report.matched) + len(report.not_matched) + len(
        report.duplicates) + len(report.fetched)


def test_nul_characters_and_overlong_dois_reach_no_query(demo):
    from tests.helpers import add_reader

    reader = add_reader(demo, "ada@example.org")
    text = ("@misc{a, title = {Sample-Efficient Multi-Agent RL\x00}, doi = {10.1000/x\x00y}}\n"
            "@misc{b, title = {x}, doi = {10.1000/" + "y" * 300 + "}}\n")
    report = import_library(demo.library, reader.id, text)
    assert report.entries == 2 and len(report.not_matched) == 2
