"""The mails anyone can ask for — a subscription's confirmation, a sign-in link — as the
job queue sends them: the web app answers 202 at once and enqueues one of these, so the
answer costs the same whether the address is known or not, and no request thread waits
for a relay or the send rate.

Each address gets at most `PAPERTIDE_LIMIT_MAIL_PER_ADDRESS` of these mails (moving
window, sign-in and subscription together); past it the request is dropped quietly.

    answer_subscribe(services, "ada@example.org", [Topic("model merging")])  # → "confirm", …
    answer_sign_in(services, "ada@example.org")                               # → "sent", …
    answer_address_change(services, reader_id, "ada@new.example")             # → "sent", …
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from papertide.readers import InvalidInput, Topic, normalize_email

if TYPE_CHECKING:
    from papertide.services import Services


def _address(services: Services, email: str) -> str | None:
    """The normalised address, or None when it is invalid or has had its share of mail."""
    try:
        address = normalize_email(email)
    except InvalidInput:
        return None
    return address if services.limits.hit("mail_per_address", address) is None else None


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
    address = _address(services, email)
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
