"""JSON lines: papertide's export format and other dumps (the real arXiv sample's aliases),
and every way a line can be broken."""

import gzip
import json

from papertide.catalog import Paper
from papertide.sources import Rejected, detect_format, read_file
from tests.helpers import FIXTURES

SAMPLE = FIXTURES / "arxiv-sample-40.jsonl"


def test_real_arxiv_sample_reads_through_the_aliases():
    papers = list(read_file(SAMPLE))
    assert len(papers) == 40 and all(isinstance(p, Paper) for p in papers)
    first = papers[0]
    assert first.arxiv_id == "2503.11731"
    assert first.abstract.startswith("Sensor simulation is pivotal")
    assert "\n" not in first.abstract  # the API's hard wraps are joined
    assert first.authors[0] == "Xianming Zeng" and len(first.authors) == 16
    assert first.categories == ["cs.CV", "cs.RO"]
    assert first.published.date().isoformat() == "2025-03-18"
    assert first.url_pdf == "https://arxiv.org/pdf/2503.11731"
    assert first.comment is None  # the sample writes a missing comment as null or "None"
    assert first.announced.isoformat() == "2025-03-18"  # its first listing date


def test_announcement_dates_round_trip_through_the_export_and_stay_none_without_dates(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"title": "Dated", "announced": "2025-03-19"}) + "\n"
                    + json.dumps({"title": "Undated"}) + "\n")
    dated, undated = read_file(path, "jsonl")
    assert (
        dated.announced.isoformat() == "2025-03-19" and dated.to_json()["announced"] == "2025-03-19"
    )
    assert undated.announced is None


def test_acm_and_msc_class_codes_are_not_categories(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(
        json.dumps({"title": "T", "categories": ["cs.CV", "I.2.10", "68T45", "cs.LG"]}) + "\n"
    )
    (paper,) = read_file(path)
    assert paper.categories == ["cs.CV", "cs.LG"]


def test_string_authors_and_categories_and_summary_alias(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(
        json.dumps(
            {
                "title": "A  title\n wrapped",
                "summary": "Text.",
                "authors": "Ada Lovelace, Alan Turing and Grace Hopper",
                "categories": "cs.AI stat.ML",
                "published": "2024-05-01T12:00:00Z",
            }
        )
        + "\n"
    )
    (paper,) = read_file(path)
    assert paper.title == "A title wrapped"
    assert paper.abstract == "Text."
    assert paper.authors == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert paper.categories == ["cs.AI", "stat.ML"]
    assert paper.published.isoformat() == "2024-05-01T12:00:00"


def test_broken_lines_are_rejected_with_line_and_reason_and_the_rest_is_read(tmp_path):
    good = json.dumps({"title": "Good paper", "abstract": "Fine."})
    lines = [
        good.encode(),
        b'{"title": "truncated',                                     # 2 truncated JSON
        json.dumps({"abstract": "no title"}).encode(),               # 3 missing field
        json.dumps({"title": 42}).encode(),                          # 4 wrong type
        json.dumps({"title": "T", "authors": 7}).encode(),           # 5 wrong type
        b'{"title": "caf\xe9"}',                                     # 6 invalid UTF-8
        json.dumps({"title": "x" * (10 * 1024 * 1024)}).encode(),    # 7 a 10 MB line
        json.dumps(["not", "an", "object"]).encode(),                # 8
        json.dumps({"title": "T", "published": "yesterday"}).encode(),  # 9 bad date
        json.dumps({"title": "Last good paper"}).encode(),
    ]
    path = tmp_path / "broken.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    items = list(read_file(path, "jsonl"))
    papers = [i.title for i in items if isinstance(i, Paper)]
    rejected = {r.line: r.reason for r in items if isinstance(r, Rejected)}
    assert papers == ["Good paper", "Last good paper"]
    assert sorted(rejected) == [2, 3, 4, 5, 6, 7, 8, 9]
    assert "malformed JSON" in rejected[2]
    assert "missing title" in rejected[3]
    assert "title must be a string" in rejected[4]
    assert "authors" in rejected[5]
    assert "UTF-8" in rejected[6]
    assert "longer than" in rejected[7]
    assert "object" in rejected[8]
    assert "not a date" in rejected[9]


def test_gzipped_files_are_streamed(tmp_path):
    path = tmp_path / "p.jsonl.gz"
    with gzip.open(path, "wt") as f:
        f.write(SAMPLE.read_text())
    assert detect_format(path) == "jsonl"
    assert len(list(read_file(path))) == 40


def test_odd_unicode_and_html_survive_as_text(tmp_path):
    path = tmp_path / "p.jsonl"
    title = "Ünïcödé 🚀 <script>alert('x')</script> \u202e"
    path.write_text(
        json.dumps({"title": title, "abstract": "<b>bold</b> & co"}, ensure_ascii=False) + "\n"
    )
    (paper,) = read_file(path)
    assert paper.title == title.strip()
    assert paper.abstract == "<b>bold</b> & co"
