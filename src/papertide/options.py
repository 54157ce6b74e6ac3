"""The choices that several fronts offer, each declared once as a `Literal` type.

Settings validate them when papertide starts, Typer and FastAPI turn them into the
choices of an option or a query parameter, and mypy checks every use in between.

    from papertide.options import WINDOWS, Window
"""

from __future__ import annotations

from typing import Literal, get_args

Window = Literal["day", "week", "month", "all"]
Sort = Literal["relevance", "new", "trending"]
Mode = Literal["keyword", "semantic", "hybrid"]
EmbedProfile = Literal["default", "fast", "plain"]
Frequency = Literal["daily", "weekly", "paused"]
Role = Literal["reader", "admin"]
# What a reader's record says about digests: asked and unconfirmed, receiving them, left,
# stopped after bounces, or an account made by signing in that never asked for digests.
Status = Literal["pending", "active", "unsubscribed", "bouncing", "account"]
# The rate limits, each a setting `limit_<name>` (see config.py).
LimitName = Literal["mail_per_address", "signin_per_address", "mail_per_ip", "votes", "searches",
                    "pages", "imports"]

WINDOWS: tuple[Window, ...] = get_args(Window)
SORTS: tuple[Sort, ...] = get_args(Sort)
MODES: tuple[Mode, ...] = get_args(Mode)
EMBED_PROFILES: tuple[EmbedProfile, ...] = get_args(EmbedProfile)
FREQUENCIES: tuple[Frequency, ...] = get_args(Frequency)
ROLES: tuple[Role, ...] = get_args(Role)
STATUSES: tuple[Status, ...] = get_args(Status)
LIMIT_NAMES: tuple[LimitName, ...] = get_args(LimitName)

WINDOW_LABELS: dict[Window, str] = {
    "day": "Today", "week": "This week", "month": "This month", "all": "All time",
}

__all__ = ["EMBED_PROFILES", "FREQUENCIES", "LIMIT_NAMES", "MODES", "ROLES", "SORTS", "STATUSES",
           "WINDOWS", "WINDOW_LABELS", "EmbedProfile", "Frequency", "LimitName", "Mode", "Role",
           "Sort", "Status", "Window"]
