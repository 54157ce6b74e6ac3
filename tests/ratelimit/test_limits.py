"""Rate limits counted by the `limits` library on the database (each backend) and on
Redis: fixed and moving windows, shared by every process, exact at the last slot."""

import threading
import uuid

from papertide.db import connect
from papertide.ratelimit import RateLimits


def _limits(settings, **values):
    settings = settings.model_copy(update=values)
    return RateLimits(settings, connect(settings.resolved_database_url))


def test_a_moving_window_allows_exactly_its_count(settings):
    limits = _limits(settings, limit_mail_per_address="3/day")
    answers = [limits.hit("mail_per_address", "ada@example.org") for _ in range(5)]
    assert answers[:3] == [None] * 3
    assert all(86_000 < wait <= 86_400 for wait in answers[3:])
    assert limits.hit("mail_per_address", "bob@example.org") is None  # per address


def test_another_process_sees_the_same_windows(settings):
    first = _limits(settings, limit_votes="2/minute")
    second = _limits(settings, limit_votes="2/minute")  # another web process, same database
    assert first.hit("votes", "r:1") is None and second.hit("votes", "r:1") is None
    assert first.hit("votes", "r:1") is not None and second.hit("votes", "r:1") is not None


def test_a_fixed_window_starts_again_when_it_ends(settings, monkeypatch):
    import time as clock

    limits = _limits(settings, limit_searches="2/minute")
    assert [limits.hit("searches", "ip:1") is None for _ in range(3)] == [True, True, False]
    later = clock.time() + 61
    monkeypatch.setattr("papertide.ratelimit._sql.time.time", lambda: later)
    monkeypatch.setattr("papertide.ratelimit.time.time", lambda: later)
    assert limits.hit("searches", "ip:1") is None


def test_racing_processes_never_share_the_last_slot(settings):
    # Eight threads with engines of their own, as eight web processes, race for 3 slots.
    winners = []
    barrier = threading.Barrier(8)

    def race(n):
        limits = _limits(settings, limit_mail_per_address="3/day")
        barrier.wait()
        if limits.hit("mail_per_address", "victim@example.org") is None:
            winners.append(n)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(winners) == 3


def test_redis_holds_the_windows_when_the_queue_is_on_redis(settings, redis_url):
    who = uuid.uuid4().hex  # Redis is shared by test runs: a key of this test's own
    limits = _limits(settings, queue_url=redis_url, limit_mail_per_ip="2/hour",
                     limit_votes="1/minute")
    assert type(limits.storage).__name__ == "RedisStorage"
    assert [limits.hit("mail_per_ip", who) is None for _ in range(3)] == [True, True, False]
    assert [limits.hit("votes", who) is None for _ in range(2)] == [True, False]
    limits.clear("mail_per_ip", who)
    limits.clear("votes", who)
