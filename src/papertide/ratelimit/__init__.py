"""Rate limits, declared once in the settings (`PAPERTIDE_LIMIT_*`) and shared by every
process: in Redis when the job queue is on Redis (`PAPERTIDE_QUEUE_URL`), else in the
catalog database. Counting is done by the `limits` library.

    limits = services.limits
    wait = limits.hit("searches", "ip:203.0.113.9")   # None: go ahead; else seconds to wait

Mail limits use moving windows (at most N in any span of that length: a mail bomb gets
no burst at a window's edge); the per-client limits on votes, searches and pages use
fixed windows, one counter update per request.

A key found over its limit is remembered in this process until its window lets another
hit through (hits only add up until then, whichever process made them), so a flood of
refused requests costs no storage round trip after the first.
"""

from __future__ import annotations

import threading
import time
from typing import cast

from limits import RateLimitItem, parse
from limits.storage import RedisStorage, Storage
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter, RateLimiter
from sqlalchemy import Engine

from papertide.config import Settings
from papertide.options import LIMIT_NAMES, LimitName
from papertide.ratelimit._sql import SqlStorage

__all__ = ["MOVING", "RateLimits", "SqlStorage", "make_storage"]

MOVING: frozenset[LimitName] = frozenset({"mail_per_address", "signin_per_address",
                                          "mail_per_ip"})
MAX_REMEMBERED = 10_000


def make_storage(settings: Settings, engine: Engine) -> Storage:
    if settings.queue_url and settings.queue_url.startswith("redis"):
        return RedisStorage(settings.queue_url, key_prefix="papertide-limits")
    return SqlStorage(engine)


class RateLimits:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.storage = make_storage(settings, engine)
        self.items: dict[LimitName, RateLimitItem] = {
            name: parse(cast(str, getattr(settings, f"limit_{name}"))) for name in LIMIT_NAMES}
        self._moving = MovingWindowRateLimiter(self.storage)
        self._fixed = FixedWindowRateLimiter(self.storage)
        self._refused: dict[str, float] = {}  # key → when it may hit again (time.time())
        self._lock = threading.Lock()

    def _limiter(self, name: LimitName) -> RateLimiter:
        return self._moving if name in MOVING else self._fixed

    def refused(self, name: LimitName, who: str) -> float | None:
        """Seconds until `who` may hit `name` again, when this process already knows it is
        over the limit (no storage round trip); None when it does not know."""
        until = self._refused.get(f"{name}/{who}")
        now = time.time()
        return until - now if until is not None and until > now else None

    def hit(self, name: LimitName, who: str) -> float | None:
        """Count one request of `who` against the limit `name`: None when it is within the
        limit, else the seconds until one would be."""
        key = f"{name}/{who}"
        now = time.time()
        wait = self.refused(name, who)
        if wait is not None:
            return wait
        item, limiter = self.items[name], self._limiter(name)
        if limiter.hit(item, name, who):
            return None
        until = max(limiter.get_window_stats(item, name, who).reset_time, now + 1.0)
        with self._lock:
            if len(self._refused) >= MAX_REMEMBERED:
                self._refused = {k: t for k, t in self._refused.items() if t > now}
            self._refused[key] = until
        return until - now

    def clear(self, name: LimitName, who: str) -> None:
        self._refused.pop(f"{name}/{who}", None)
        self._limiter(name).clear(self.items[name], name, who)
