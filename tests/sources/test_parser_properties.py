"""Property tests over every record parser: whatever a file or a live response holds, the
parser gives back papers and rejections (a live response that is not what its source
speaks raises a `SourceError`, which ends that run cleanly), never another exception; and
every paper it gives back is one the catalog can store (`catalog.validate`) and the
keyword index can take. The last test puts what the file sources read into the real store
on both backends and indexes it."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papertide.catalog import Paper, validate
from papertide.intake import ingest_files
from papertide.search._keyword import KeywordIndex
from papertide.sources import Rejected, arxiv_snapshot, jsonl, read_file
from papertide.sources._arxiv_records import ARXIV, ARXIV_RAW, DC, OAI_DC
from papertide.sources._common import UNEXPECTED, BadRecord
from papertide.sources._errors import SourceError
from papertide.sources.arxiv_api import parse_feed
from papertide.sources.arxiv_oai import OAI, parse_page
from papertide.sources.hf_daily import parse_daily
from tests.strategies import (
    any_text,
    date_strings,
    field_value,
    ids,
    json_values,
    lines,
    numbers,
    paper_objects,
    snapshot_objects,
    urls,
)

pytestmark = pytest.mark.fuzz
FORMATS = ["auto", "jsonl", "arxiv-snapshot", "listing"]


@pytest.fixture(scope="module")
def keyword(tmp_path_factory):
    """A keyword index to build documents with (what raised on out-of-range dates)."""
    return KeywordIndex(tmp_path_factory.mktemp("keyword"), None)


def _storable(paper: Paper, keyword: KeywordIndex) -> None:
    validate(paper)  # raises InvalidPaper, naming the field, if the catalog would refuse it
    keyword._document(paper)


def _expected(reason: str | None) -> None:
    """A rejection a parser meant: its safety net for bugs (UNEXPECTED) never caught one."""
    assert reason is None or not reason.startswith(UNEXPECTED), reason


def _read(content: bytes, name: str, fmt: str) -> list[Paper | Rejected]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        return list(read_file(path, fmt))


# ---- files -------------------------------------------------------------------------------


@given(obj=paper_objects | json_values)
def test_a_jsonl_record_is_a_paper_or_a_bad_record(obj, keyword):
    try:
        paper = jsonl.from_object(obj)
    except BadRecord:
        return
    assert isinstance(paper, Paper)


@given(obj=snapshot_objects | json_values)
def test_a_snapshot_record_is_a_paper_or_a_bad_record(obj):
    try:
        paper = arxiv_snapshot.from_object(obj)
    except BadRecord:
        return
    assert isinstance(paper, Paper)


@given(records=st.lists(lines, max_size=6), fmt=st.sampled_from(FORMATS),
       packing=st.sampled_from(["plain", "gzip", "cut gzip", "gzip named plain"]))
def test_any_file_reads_as_storable_papers_and_rejections(records, fmt, packing, keyword):
    content = b"\n".join(records)
    name = "papers.jsonl"
    if packing != "plain":
        content = gzip.compress(content)
        name = "papers.jsonl" if packing == "gzip named plain" else "papers.jsonl.gz"
    if packing == "cut gzip":
        content = content[: len(content) // 2]
    for item in _read(content, name, fmt):
        assert isinstance(item, Paper | Rejected)
        if isinstance(item, Paper):
            _storable(item, keyword)
        else:
            _expected(item.reason)


# ---- live sources ----------------------------------------------------------------------

xml_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)).filter(
        lambda c: c in "\t\n\r" or ("\x20" <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd")
        or c >= "\U00010000"),
    max_size=30,
)


def _field(plausible: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(plausible, xml_text)


xml_ids = _field(ids.filter(lambda i: isinstance(i, str)).map(lambda i: "".join(
    c for c in i if c in "\t\n\r" or "\x20" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd")))
xml_dates = _field(date_strings.map(lambda d: "".join(
    c for c in d if "\x20" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd")))


def _element(tag: str, value: str | None) -> str:
    return "" if value is None else f"<{tag}>{escape(value)}</{tag}>"


@st.composite
def arxiv_metadata(draw) -> str:
    kind = draw(st.sampled_from(["arXiv", "arXivRaw", "oai_dc"]))
    title, abstract, cats = draw(xml_text), draw(xml_text), draw(xml_text)
    if kind == "arXiv":
        authors = "".join(f"<author>{_element('keyname', a)}{_element('forenames', b)}</author>"
                          for a, b in draw(st.lists(st.tuples(xml_text, xml_text), max_size=2)))
        return (f'<arXiv xmlns="{ARXIV}">{_element("id", draw(xml_ids))}'
                f'{_element("created", draw(xml_dates))}{_element("updated", draw(xml_dates))}'
                f"<authors>{authors}</authors>{_element('title', title)}"
                f"{_element('categories', cats)}{_element('doi', draw(xml_text))}"
                f"{_element('comments', draw(xml_text))}{_element('abstract', abstract)}</arXiv>")
    if kind == "arXivRaw":
        versions = "".join(f"<version version={quoteattr(v)}>{_element('date', d)}</version>"
                           for v, d in draw(st.lists(st.tuples(
                               st.sampled_from(["v1", "v2", "v0", "v99999999999999999999"])
                               | xml_text, xml_dates), max_size=3)))
        return (f'<arXivRaw xmlns="{ARXIV_RAW}">{_element("id", draw(xml_ids))}{versions}'
                f"{_element('title', title)}{_element('authors', draw(xml_text))}"
                f"{_element('categories', cats)}{_element('abstract', abstract)}</arXivRaw>")
    values = "".join(_element(f"dc:{tag}", value) for tag, value in draw(st.lists(st.tuples(
        st.sampled_from(["title", "creator", "subject", "description", "date", "identifier"]),
        st.one_of(xml_text, xml_dates, xml_ids)), max_size=8)))
    return f'<oai_dc:dc xmlns:oai_dc="{OAI_DC}" xmlns:dc="{DC}">{values}</oai_dc:dc>'


@st.composite
def oai_pages(draw) -> bytes:
    records = []
    for _ in range(draw(st.integers(0, 3))):
        status = ' status="deleted"' if draw(st.booleans()) and draw(st.booleans()) else ""
        header = (f"<header{status}>{_element('identifier', 'oai:arXiv.org:' + draw(xml_ids))}"
                  f"{_element('datestamp', draw(xml_dates))}<setSpec>cs</setSpec></header>")
        records.append(f"<record>{header}<metadata>{draw(arxiv_metadata())}</metadata></record>")
    token = draw(st.one_of(st.none(), xml_text))
    size = draw(st.one_of(xml_text, st.integers().map(str), st.just("²")))
    tail = "" if token is None else (f"<resumptionToken completeListSize={quoteattr(size)}>"
                                      f"{escape(token)}</resumptionToken>")
    return (f'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="{OAI}"><ListRecords>'
            f"{''.join(records)}{tail}</ListRecords></OAI-PMH>").encode()


@given(body=oai_pages() | st.binary(max_size=200))
def test_any_oai_pmh_page_gives_storable_papers_or_a_source_error(body, keyword):
    try:
        page = parse_page(body, "https://oai.example/oai")
    except SourceError:
        return
    for record in page.records:
        assert record.paper is None or record.problem is None
        _expected(record.problem)
        if record.paper is not None:
            _storable(record.paper, keyword)


@st.composite
def atom_feeds(draw) -> bytes:
    atom, arxiv = "http://www.w3.org/2005/Atom", "http://arxiv.org/schemas/atom"
    entries = []
    for _ in range(draw(st.integers(0, 3))):
        raw_id = draw(st.one_of(xml_ids.map(lambda i: "http://arxiv.org/abs/" + i), xml_text))
        authors = "".join(f"<author>{_element('name', n)}</author>"
                          for n in draw(st.lists(xml_text, max_size=2)))
        cats = "".join(f"<category term={quoteattr(t)}/>"
                       for t in draw(st.lists(xml_text | st.just("cs.LG"), max_size=2)))
        entries.append(
            f"<entry>{_element('id', raw_id)}{_element('title', draw(xml_text))}"
            f"{_element('summary', draw(xml_text))}{_element('published', draw(xml_dates))}"
            f"{_element('updated', draw(xml_dates))}{authors}{cats}"
            f"{_element('arxiv:doi', draw(xml_text))}{_element('arxiv:comment', draw(xml_text))}"
            "</entry>")
    total = _element("opensearch:totalResults", draw(st.one_of(xml_text, st.just("١٢"))))
    return (f'<feed xmlns="{atom}" xmlns:arxiv="{arxiv}" '
            f'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}'
            f"{''.join(entries)}</feed>").encode()


@given(body=atom_feeds() | st.binary(max_size=200))
def test_any_arxiv_api_feed_gives_storable_papers_or_a_source_error(body, keyword):
    try:
        feed = parse_feed(body, "https://api.example/query")
    except SourceError:
        return
    for paper in feed.papers:
        _storable(paper, keyword)
    for rejected in feed.rejected:
        _expected(rejected.reason)


hf_items = st.fixed_dictionaries(
    {"paper": field_value(st.fixed_dictionaries({}, optional={
        "id": field_value(ids), "title": any_text, "summary": any_text,
        "authors": field_value(st.lists(st.fixed_dictionaries({}, optional={"name": any_text}),
                                        max_size=2)),
        "publishedAt": field_value(date_strings), "submittedOnDailyAt": field_value(date_strings),
        "upvotes": field_value(numbers), "githubStars": field_value(numbers),
        "githubRepo": field_value(urls)}))},
    optional={"publishedAt": field_value(date_strings), "title": any_text},
)


@given(items=st.lists(hf_items | json_values, max_size=4) | json_values,
       day=st.one_of(st.none(), st.dates()), raw=st.booleans(), noise=st.binary(max_size=40))
def test_any_daily_papers_answer_gives_storable_papers_or_a_source_error(items, day, raw, noise,
                                                                         keyword):
    body = noise if raw else json.dumps(items).encode()
    try:
        papers, signals, rejected = parse_daily(body, "https://hf.example/daily", day)
    except SourceError:
        return
    assert len(papers) == len(signals)
    for paper in papers:
        _storable(paper, keyword)
    for item in rejected:
        _expected(item.reason)


# ---- into the store --------------------------------------------------------------------


@given(records=st.lists(lines, min_size=1, max_size=6))
def test_whatever_a_file_holds_the_good_records_are_stored_and_indexed(records, services):
    """The end to end property behind issues 1 and 2: no record a file source accepts can
    fail its batch, the store or the index, on either backend."""
    content = b"\n".join(records)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "papers.jsonl"
        path.write_bytes(content)
        report = ingest_files(services.catalog, [path], "jsonl")
    services.search.catch_up()
    assert services.search.skipped()["keyword"] == {}
    assert services.search.keyword.indexed_seq == services.catalog.max_seq()
    assert services.search.keyword.num_docs() == services.catalog.stats()["papers"]
    lines = len(content.split(b"\n"))  # a binary "record" may hold line breaks of its own
    assert report.added + report.updated + report.unchanged + report.rejected <= lines
