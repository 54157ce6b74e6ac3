"""The catalog's door: one range of dates and numbers, links that are http(s) only, text
every database can hold; a record that fails is refused alone, never its batch."""

import json
from datetime import date, datetime

import pytest

from papertide.catalog import EARLIEST, LATEST, InvalidPaper, Paper, clamp, validate
from papertide.sources import Rejected, read_file


def _jsonl(tmp_path, *records):
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.mark.parametrize("field,value", [
    ("published", "0001-01-01"), ("published", "0208-05-23"), ("updated", "2262-04-11"),
    ("announced", "9999-12-31"), ("first_seen", "1677-09-21"),
    ("published", "0001-01-01T00:00:00+01:00"),
])
def test_a_date_outside_the_range_is_refused_with_file_and_line(tmp_path, field, value):
    path = _jsonl(tmp_path, {"title": "Fine"}, {"id": "p", "title": "T", field: value})
    fine, refused = read_file(path, "jsonl")
    assert isinstance(fine, Paper) and isinstance(refused, Rejected)
    assert refused.line == 2 and field in refused.reason
    assert f"{EARLIEST}..{LATEST}" in refused.reason or "outside" in refused.reason


def test_the_range_ends_are_accepted(tmp_path):
    path = _jsonl(tmp_path, {"title": "First", "published": "1700-01-01"},
                  {"title": "Last", "published": "2199-12-31T23:59:59"})
    assert all(isinstance(item, Paper) for item in read_file(path, "jsonl"))


@pytest.mark.parametrize("field", ["votes", "views", "saves", "version", "rank_hint"])
def test_a_number_too_large_for_the_store_rejects_only_its_record(tmp_path, field):
    records = [{"title": f"Paper {i}"} for i in range(30)]
    records[17][field] = 10**30
    items = list(read_file(_jsonl(tmp_path, *records), "jsonl"))
    refused = [i for i in items if isinstance(i, Rejected)]
    assert len(items) == 30 and len(refused) == 1
    assert refused[0].line == 18 and field in refused[0].reason


@pytest.mark.parametrize("value", [-1, 2**31, 1.5, True, "7"])
def test_counts_must_be_whole_numbers_in_range(value):
    with pytest.raises(InvalidPaper, match="votes"):
        validate(Paper(title="T", votes=value))


@pytest.mark.parametrize("url", ["httpx:alert(1)", "javascript:alert(1)", "http:/x", "ftp://x.org",
                                 "https://", "data:text/html,hi"])
def test_links_of_any_scheme_but_http_and_https_are_dropped_at_the_door(services, url):
    result = services.catalog.upsert([Paper(title="Linked", id="p1", url_code=url,
                                            url_pdf="HTTP://X.ORG/a.pdf")])
    assert result.added == 1
    paper = services.catalog.get("p1")
    assert paper.url_code is None and paper.links == {"pdf": "HTTP://X.ORG/a.pdf"}


@pytest.mark.parametrize("field,value", [
    ("title", "T\x00"), ("authors", ["A\ud800"]), ("id", "x" * 201), ("id", "a\nb"),
    ("doi", "10." + "İ" * 197), ("title", " "), ("comment", "\ud800"), ("url_abs", "http://x\x00"),
    ("comment", 0),
])
def test_text_no_database_can_hold_is_refused(field, value):
    with pytest.raises(InvalidPaper, match=field):
        validate(Paper(**{"title": "T", field: value}))


def test_a_time_with_a_zone_is_refused_not_compared():
    from datetime import UTC

    with pytest.raises(InvalidPaper, match="published must be a UTC time without a zone"):
        validate(Paper(title="T", published=datetime(2024, 1, 1, tzinfo=UTC)))


def test_query_moments_are_clamped_into_the_range():
    assert clamp(datetime(1, 1, 1)) == datetime(1700, 1, 1)
    assert clamp(datetime(9999, 12, 31, 23, 59)).date() == date(2199, 12, 31)
    assert clamp(datetime(2024, 5, 31)) == datetime(2024, 5, 31)


def test_a_record_refused_at_the_door_leaves_the_rest_of_its_batch_in(services):
    """The last guard: a record that reaches `upsert` unchecked is left out alone."""
    result = services.catalog.upsert([
        Paper(title="Before", arxiv_id="2401.00001"),
        Paper(title="Dated in year one", published=datetime(1, 1, 1)),
        Paper(title="Counted too far", votes=10**30),
        Paper(title="After", arxiv_id="2401.00002"),
    ])
    assert result.added == 2
    assert [position for position, _ in result.rejected] == [1, 2]
    assert "published 0001-01-01" in result.rejected[0][1]
    assert {p.title for p in services.catalog.newest(10)} == {"Before", "After"}


def test_links_stored_before_the_check_are_never_shown(services):
    from sqlalchemy import update

    from papertide.db.tables import papers

    services.catalog.upsert([Paper(title="Linked", arxiv_id="2401.00003",
                                   url_abs="https://arxiv.org/abs/2401.00003")])
    with services.catalog.engine.begin() as conn:  # as the code before the check stored it
        conn.execute(update(papers).values(url_code="httpx:alert(1)"))
    paper = services.catalog.get("2401.00003")
    assert paper.links == {"abs": "https://arxiv.org/abs/2401.00003"}
    from fastapi.testclient import TestClient

    from papertide.web import create_app

    with TestClient(create_app(services.settings)) as client:
        page = client.get("/papers/2401.00003").text
        api = client.get("/api/papers/2401.00003").json()
    assert "alert(1)" not in page and 'href="https://arxiv.org/abs/2401.00003"' in page
    assert api["links"] == {"abs": "https://arxiv.org/abs/2401.00003"}


def test_papers_titled_with_punctuation_alone_are_told_apart(services):
    """Found by the property tests: such titles had one empty dedup key, so one id, and the
    second such paper failed its whole batch."""
    first = services.catalog.upsert([Paper(title=":"), Paper(title="Fine")])
    second = services.catalog.upsert([Paper(title="???"), Paper(title=":"), Paper(title="Also")])
    assert (first.added, second.added, second.unchanged) == (2, 2, 1)
    assert len({p.id for p in services.catalog.newest(10)}) == 4
