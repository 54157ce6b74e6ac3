"""The mails anyone can ask for — a subscription's confirmation, a sign-in link — as the
job queue sends them: the web app answers 202 at once and enqueues one of these, so the
answer costs the same whether the address is known or not, and no request thread waits
for a relay or the send rate.

Each address gets at most `PAPERTIDE_LIMIT_MAIL_PER_ADDRESS` confirmation and address
mails (moving window), and sign-in links on a budget of their own,
`PAPERTIDE_LIMIT_SIGNIN_PER_ADDRESS`: a short cool-down rather than a daily wall, so that
strangers spending it cannot lock the reader out (a link sent meanwhile is in the reader's
inbox and works for 15 minutes). Past a budget the request is dropped quietly. The limits
count a hash of the address: the table of windows holds no address.

    answer_subscribe(services, "ada@example.org", [Topic("model merging")])  # → "confirm", …
    answer_sign_in(services, "ada@example.org")                               # → "sent", …
    answer_address_change(services, reader_id, "ada@new.example")             # → "sent", …
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from papertide.options import LimitName
from papertide.readers import InvalidInput, Topic, normalize_email

if TYPE_CHECKING:
    from papertide.services import Services


def _address(services: Services, email: str,
             budget: LimitName = "mail_per_address") -> str | None:
    """The normalised address, or None when it is invalid or has had its share of mail."""
    try:
        address = normalize_email(email)
    except InvalidInput:
        return None
    key = "mail:" + hashlib.sha256(address.encode()).hexdigest()[:32]
    return address if services.limits.hit(budget, key) is None else None


def answer_subscribe(services: Services, email: str, topics: Sequence[Topic] = ()) -> str:
    """Send the mail a subscribe request calls for (see `Readers.request_subscription`);
    returns its kind, or `dropped`."""
    address = _address(services, email)
    if address is None:
        return "dropped"
    reader, new, kind = services.readers.request_subscription(address, topics)
    services.digests.send_confirmation(reader, new, kind)
    return kind


def answer_sign_in(services: Services, email: str) -> str:
    """Mail a sign-in link (one that creates the account, for a new address); returns
    `sent` or `dropped`."""
    address = _address(services, email, "signin_per_address")
    if address is None:
        return "dropped"
    accounts = services.readers.accounts
    new = services.readers.store.by_email(address) is None
    services.digests.send_sign_in(address, accounts.sign_in_link(address), new)
    return "sent"


def answer_address_change(services: Services, reader_id: int, email: str) -> str:
    """Mail the link that makes `email` the reader's address (to that address)."""
    address = _address(services, email)
    reader = services.readers.store.get(reader_id)
    if address is None or reader is None or address == reader.email:
        return "dropped"
    link = services.readers.link(reader, "address", "/account/address/confirm", n=address)
    services.digests.send_address_link(reader, address, link)
    return "sent"
