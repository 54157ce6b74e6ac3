"""The mails anyone can ask for — a subscription's confirmation, a sign-in link, an address
change — as the job queue sends them: the web app answers 202 at once and enqueues one of
these, so the answer costs the same whether the address is known or not, and no request
thread waits for a relay or the send rate.

Each address gets at most `PAPERTIDE_LIMIT_MAIL_PER_ADDRESS` confirmation and address
mails (moving window), and sign-in links on a budget of their own,
`PAPERTIDE_LIMIT_SIGNIN_PER_ADDRESS`: a short cool-down rather than a daily wall, so that
strangers spending it cannot lock the reader out (a link sent meanwhile is in the reader's
inbox and works for 15 minutes). Past a budget the request is dropped quietly.

    mails = AccountMails(readers, mailer.send, allow)   # allow(address, budget): mail left
    mails.answer_subscribe("ada@example.org", [Topic("model merging")])  # → "confirm", …
    mails.answer_sign_in("ada@example.org")                               # → "sent", …
    mails.answer_address_change(reader_id, "ada@new.example")             # → "sent", …
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from email.message import Message

from papertide.mail import render_address_link, render_confirmation, render_sign_in
from papertide.options import LimitName
from papertide.readers._address import normalize_email
from papertide.readers._errors import InvalidInput
from papertide.readers._readers import Readers
from papertide.readers._store import Reader, Topic

Send = Callable[[Message], None]
Allow = Callable[[str, LimitName], bool]  # may this address have one more mail of a budget?


class AccountMails:
    def __init__(self, readers: Readers, send: Send, allow: Allow) -> None:
        self.readers = readers
        self.settings = readers.settings
        self.send = send
        self.allow = allow

    def _address(self, email: str,
                 budget: LimitName = "mail_per_address") -> str | None:
        """The normalised address, or None when it is invalid or has had its share of mail."""
        try:
            address = normalize_email(email)
        except InvalidInput:
            return None
        return address if self.allow(address, budget) else None

    def answer_subscribe(self, email: str, topics: Sequence[Topic] = ()) -> str:
        """Send the mail a subscribe request calls for (see `Readers.request_subscription`);
        returns its kind, or `dropped`."""
        address = self._address(email)
        if address is None:
            return "dropped"
        reader, new, kind = self.readers.request_subscription(address, topics)
        self.send_confirmation(reader, new, kind)
        return kind

    def send_confirmation(self, reader: Reader, topics: Sequence[Topic] = (),
                          kind: str = "confirm") -> None:
        """The answer to a subscribe request (or the operator's `readers add`, not counted
        against the address's limit); `topics` ride in its link."""
        links = self.readers.links(reader, topics)
        self.send(render_confirmation(self.settings, reader.email, links, kind, topics))

    def answer_sign_in(self, email: str) -> str:
        """Mail a sign-in link (one that creates the account, for a new address); returns
        `sent` or `dropped`."""
        address = self._address(email, "signin_per_address")
        if address is None:
            return "dropped"
        accounts = self.readers.accounts
        new = self.readers.store.by_email(address) is None
        self.send(render_sign_in(self.settings, address, accounts.sign_in_link(address), new))
        return "sent"

    def answer_address_change(self, reader_id: int, email: str) -> str:
        """Mail the link that makes `email` the reader's address (to that address)."""
        address = self._address(email)
        reader = self.readers.store.get(reader_id)
        if address is None or reader is None or address == reader.email:
            return "dropped"
        link = self.readers.link(reader, "address", "/account/address/confirm", n=address)
        self.send(render_address_link(self.settings, reader.email, address, link))
        return "sent"
