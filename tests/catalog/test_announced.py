"""Announcement dates: arXiv's calendar (cutoff 14:00 US Eastern on weekdays, announced at
20:00, listed the next day), and how the catalog keeps the first one."""

from datetime import date, datetime

import pytest

from papertide.catalog import Catalog, Paper, announcement_day
from papertide.db import connect


@pytest.mark.parametrize("submitted, listed", [
    # Tuesday 2025-03-18, 10:00 EDT, before the cutoff: announced that evening, listed Wednesday.
    (datetime(2025, 3, 18, 14, 0), date(2025, 3, 19)),
    # The same Tuesday at 14:30 EDT, after the cutoff: Wednesday evening, listed Thursday.
    (datetime(2025, 3, 18, 18, 30), date(2025, 3, 20)),
    # Friday 2025-03-14 noon EDT: Friday's submissions go out on Sunday at 20:00 EDT,
    # which is Monday 00:00 UTC: listed Monday.
    (datetime(2025, 3, 14, 16, 0), date(2025, 3, 17)),
    # Friday after the cutoff and the whole weekend: Monday evening, listed Tuesday (the
    # real arXiv sample lists 2503.11731, submitted that Friday afternoon, on 2025-03-18).
    (datetime(2025, 3, 14, 20, 0), date(2025, 3, 18)),
    (datetime(2025, 3, 16, 12, 0), date(2025, 3, 18)),
    # Winter time: 20:00 EST is 01:00 UTC the next day.
    (datetime(2025, 1, 14, 15, 0), date(2025, 1, 15)),
    # Thanksgiving (Thursday 2025-11-27) has no announcement: Wednesday's-after-cutoff and
    # Thursday's submissions roll into Sunday's, listed Monday.
    (datetime(2025, 11, 26, 20, 0), date(2025, 12, 1)),
])
def test_announcement_day_follows_the_cutoff_and_the_calendar(submitted, listed):
    assert announcement_day(submitted) == listed


@pytest.fixture
def catalog(database_url) -> Catalog:
    return Catalog(connect(database_url))


def test_the_earliest_announcement_wins_whichever_source_comes_first(catalog):
    catalog.upsert(
        [
            Paper(
                title="T", arxiv_id="2410.17243", announced=date(2024, 10, 25), sources=["hf-daily"]
            )
        ]
    )
    catalog.upsert(
        [
            Paper(
                title="T",
                arxiv_id="2410.17243v1",
                announced=date(2024, 10, 23),
                sources=["arxiv-oai"],
            )
        ]
    )
    catalog.upsert(
        [
            Paper(
                title="T",
                arxiv_id="2410.17243v2",
                announced=date(2024, 10, 28),
                sources=["arxiv-api"],
            )
        ]
    )
    assert catalog.get("2410.17243").announced == date(2024, 10, 23)


def test_papers_stored_before_announcement_dates_existed_stay_unchanged(catalog):
    paper = Paper(title="Undated", abstract="From a file without dates.", sources=["listing"])
    catalog.upsert([paper])
    again = catalog.upsert(
        [Paper(title="Undated", abstract="From a file without dates.", sources=["listing"])]
    )
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    assert catalog.get(paper.id).announced is None


def test_upsert_reports_each_records_paper_and_retitled_papers(catalog):
    catalog.upsert([Paper(title="Old title", arxiv_id="2303.00735v1")])
    result = catalog.upsert([
        Paper(title="New title", arxiv_id="2303.00735v2"),
        Paper(title="Another", arxiv_id="2303.00001"),
        Paper(title="New title", arxiv_id="2303.00735v2"),  # listed twice in one batch
    ])
    assert result.ids == ["2303.00735", "2303.00001", "2303.00735"]
    assert result.retitled == [("2303.00735", "Old title", "New title")]
    assert catalog.get("2303.00735").title == "New title"
