"""arXiv's announcement calendar: new papers are announced Sunday to Thursday at 20:00
US Eastern; Friday and Saturday have none, and on holidays the announcement is skipped.

A digest edition covers the announcements since the reader's last edition, so a Monday
digest (after Sunday evening's announcement) picks up everything since Friday's, and a
morning that follows no announcement has no edition at all — never a "no papers today".
Holidays follow arXiv's usual schedule: New Year's Day, Independence Day, Thanksgiving,
Christmas Day and the days between Christmas and New Year.

A paper's announcement date is the date of the listing that first carries it: a paper
submitted before the 14:00 US Eastern cutoff on a weekday goes out in that evening's
20:00 announcement (Friday's in Sunday's), which is the next day's listing — 20:00
Eastern is already the next day in UTC, and that date is what arXiv's listings, its
OAI-PMH datestamps and the digest use. Submissions before a skipped (holiday)
announcement roll over into the next one.

    from papertide.catalog import announcement_day
    announcement_day(datetime(2025, 3, 14, 12, 0))   # a Friday → date(2025, 3, 18)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
ANNOUNCE_AT = time(20, 0)
ANNOUNCE_WEEKDAYS = {6, 0, 1, 2, 3}  # Sunday … Thursday
CUTOFF = time(14, 0)


def _thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def is_holiday(day: date) -> bool:
    if (day.month, day.day) in {(1, 1), (7, 4), (12, 25)}:
        return True
    if day.month == 12 and day.day >= 24 or (day.month == 1 and day.day == 1):
        return True
    return day == _thanksgiving(day.year)


def is_announcement_day(day: date) -> bool:
    return day.weekday() in ANNOUNCE_WEEKDAYS and not is_holiday(day)


def last_announcement(at: datetime) -> datetime:
    """The latest announcement at or before `at` (naive UTC in, naive UTC out)."""
    local = at.replace(tzinfo=UTC).astimezone(EASTERN)
    day = local.date()
    for _ in range(30):
        moment = datetime.combine(day, ANNOUNCE_AT, EASTERN)
        if is_announcement_day(day) and moment <= local:
            return moment.astimezone(UTC).replace(tzinfo=None)
        day -= timedelta(days=1)
    return at - timedelta(days=30)


def announcement_day(submitted: datetime) -> date:
    """The listing date of a paper submitted at `submitted` (naive UTC)."""
    local = submitted.replace(tzinfo=UTC).astimezone(EASTERN)
    cutoff_day = local.date() + timedelta(days=1 if local.time() >= CUTOFF else 0)
    for _ in range(60):
        weekday = cutoff_day.weekday()
        if weekday < 5:  # Monday … Friday cutoffs; Friday's goes out on Sunday evening
            day = cutoff_day + timedelta(days=2 if weekday == 4 else 0)
            if is_announcement_day(day):
                moment = datetime.combine(day, ANNOUNCE_AT, EASTERN)
                return moment.astimezone(UTC).date()
        cutoff_day += timedelta(days=1)
    return submitted.date()  # unreachable: no 60-day stretch is all holidays
