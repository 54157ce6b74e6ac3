"""Digests: which readers are due, composing and rendering their edition, sending it, and
the delivery log that makes sending exactly-once.

    digests = Digests(settings, catalog, search, readers, library, mailer)   # or services.digests
    digests.run(now)                    # every due reader, in this process
    digests.deliver(reader_id, key)     # one reader's edition (what a queued job runs)

The log has one row per (reader, edition) under a unique key, written in the same
transaction as the papers it sent (`sent_papers`), at the commit point the transport
offers (see `papertide.mail`). A worker killed mid-fan-out and started again finds the
rows of what went out and sends every remaining reader one digest, nobody a second; two
senders racing over one reader both reach the commit, and the one that loses the insert
drops its copy before the final dot.

Queued jobs deliver one reader each; those a process runs within `COMPOSER_REUSE` share one
`Composer` (trending, topic searches), and their edition and log are as of its time.
"""

from papertide.digest._compose import Composer, Edition, Section
from papertide.digest._digests import (
           COMPOSER_REUSE,
           Digests,
           Retry,
           edition_key,
           is_due,
           local_time,
)
from papertide.digest._log import AlreadyDelivered, DeliveryLog
from papertide.digest._render import render_digest

__all__ = ["COMPOSER_REUSE", "AlreadyDelivered", "Composer", "DeliveryLog", "Digests", "Edition",
           "Retry", "Section", "edition_key", "is_due", "local_time", "render_digest"]
