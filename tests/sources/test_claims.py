"""Claims on live sources: one holder at a time across processes (a lease in the
database), taken over when it runs out, and the day a scheduled pull covered."""

import threading
from datetime import date, timedelta

from papertide.catalog import utcnow
from papertide.sources import claims


def test_only_one_claimant_holds_a_source_until_it_lets_go(services):
    engine = services.catalog.engine
    assert claims.claim(engine, "hf-daily", "worker a")
    assert not claims.claim(engine, "hf-daily", "worker b")
    assert claims.claim(engine, "arxiv-oai:cs.LG", "worker b")  # another source is free
    assert claims.get(engine, "hf-daily").holder == "worker a"
    claims.release(engine, "hf-daily", "worker b")  # not b's to release
    assert not claims.claim(engine, "hf-daily", "worker b")
    claims.release(engine, "hf-daily", "worker a", done_for=date(2025, 3, 18))
    held = claims.get(engine, "hf-daily")
    assert (held.holder, held.done_for) == (None, date(2025, 3, 18))
    assert claims.claim(engine, "hf-daily", "worker b")


def test_a_lease_that_ran_out_is_taken_over_and_a_renewal_keeps_it(services):
    engine = services.catalog.engine
    past = utcnow() - timedelta(hours=2)
    assert claims.claim(engine, "hf-daily", "crashed worker", now=past)
    assert claims.claim(engine, "hf-daily", "worker b")
    assert not claims.renew(engine, "hf-daily", "crashed worker")
    assert claims.renew(engine, "hf-daily", "worker b")
    assert not claims.claim(engine, "hf-daily", "worker c")


def test_of_many_racing_claimants_exactly_one_wins(services):
    engine = services.catalog.engine
    barrier = threading.Barrier(8)
    won = []

    def race(name: str) -> None:
        barrier.wait()
        if claims.claim(engine, "arxiv-oai:cs.LG", name):
            won.append(name)

    threads = [threading.Thread(target=race, args=(f"worker {n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and claims.get(engine, "arxiv-oai:cs.LG").holder == won[0]
