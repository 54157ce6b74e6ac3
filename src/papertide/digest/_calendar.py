"""arXiv's announcement calendar, as the digest uses it. The calendar itself lives in
`papertide.catalog._calendar` since the sources need it too (to date each paper's
announcement); digest code keeps importing it from here."""

from papertide.catalog._calendar import (  # noqa: F401
    ANNOUNCE_AT,
    ANNOUNCE_WEEKDAYS,
    EASTERN,
    is_announcement_day,
    is_holiday,
    last_announcement,
)
