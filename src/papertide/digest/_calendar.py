"""arXiv's announcement calendar: new papers are announced Sunday to Thursday at 20:00
US Eastern; Friday and Saturday have none, and on holidays the announcement is skipped.

A digest edition covers the announcements since the reader's last edition, so a Monday
digest (after Sunday evening's announcement) picks up everything since Friday's, and a
morning that follows no announcement has no edition at all — never a "no papers today".
Holidays follow arXiv's usual schedule: New Year's Day, Independence Day, Thanksgiving,
Christmas Day and the days between Christmas and New Year.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
ANNOUNCE_AT = time(20, 0)
ANNOUNCE_WEEKDAYS = {6, 0, 1, 2, 3}  # Sunday … Thursday


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
