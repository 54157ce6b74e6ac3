"""arXiv's bulk metadata snapshot format."""

import json

from papertide.catalog import Paper
from papertide.sources import Rejected, detect_format, read_file
from tests.helpers import FIXTURES

SNAPSHOT = FIXTURES / "arxiv-snapshot-5.jsonl"


def test_snapshot_is_detected_and_parsed():
    assert detect_format(SNAPSHOT) == "arxiv-snapshot"
    papers = list(read_file(SNAPSHOT))
    assert len(papers) == 5 and all(isinstance(p, Paper) for p in papers)
    first = papers[0]
    assert first.arxiv_id == "2503.11731"
    assert first.authors[:2] == ["Xianming Zeng", "Sicong Du"]  # from authors_parsed
    assert first.abstract.startswith("Sensor simulation is pivotal for scalable")
    assert first.doi == "10.48550/arXiv.2503.11731"
    assert first.published.isoformat() == "2025-03-18T10:00:00"
    assert first.url_abs == "https://arxiv.org/abs/2503.11731"
    assert papers[1].version == 2
    # v1 stamped Tuesday 10:00 GMT, before the 14:00 Eastern cutoff: Wednesday's listing.
    assert first.announced.isoformat() == "2025-03-19"


def test_snapshot_record_without_valid_id_is_rejected(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(
        json.dumps({"id": "not an id", "title": "T", "submitter": "x"})
        + "\n"
        + json.dumps(
            {
                "id": "hep-th/9901001",
                "title": "Old style",
                "submitter": "x",
                "versions": [{"version": "v1", "created": "Fri, 1 Jan 1999 00:00:00 GMT"}],
            }
        )
        + "\n"
    )
    items = list(read_file(path, "arxiv-snapshot"))
    assert isinstance(items[0], Rejected) and "arXiv id" in items[0].reason
    assert items[1].arxiv_id == "hep-th/9901001" and items[1].published.year == 1999


def test_a_version_created_in_year_1_is_rejected_not_read_as_2001(tmp_path):
    path = tmp_path / "s.jsonl"
    record = {"id": "2503.11731", "title": "A paper", "abstract": "Text.",
              "versions": [{"version": "v1", "created": "Mon, 1 Jan 0001 00:00:00 GMT"}]}
    good = {**record, "id": "2503.11732",
            "versions": [{"version": "v1", "created": "Tue, 18 Mar 2025 10:00:00 GMT"}]}
    path.write_text(json.dumps(record) + "\n" + json.dumps(good) + "\n")
    rejected, read = [], []
    for item in read_file(path, "arxiv-snapshot"):
        (rejected if isinstance(item, Rejected) else read).append(item)
    assert [r.line for r in rejected] == [1] and "0001" in rejected[0].reason
    assert [p.published.year for p in read] == [2025]
