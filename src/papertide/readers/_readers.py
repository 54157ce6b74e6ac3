"""The readers facade: subscribing, confirming, preferences, address changes, and the
signed links a mail carries."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import urlencode
from zoneinfo import available_timezones

from sqlalchemy import Engine

from papertide.catalog import utcnow
from papertide.config import Settings
from papertide.options import FREQUENCIES, Frequency
from papertide.readers._accounts import Accounts
from papertide.readers._address import normalize_email
from papertide.readers._errors import InvalidInput
from papertide.readers._store import Reader, ReaderStore, Topic
from papertide.readers._tokens import TokenError, Tokens

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
MAX_TOPICS = 10


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    """The IANA time zone names this machine knows."""
    return frozenset(available_timezones())


def clean_field(value: str | None, limit: int) -> str | None:
    """Reader text with control characters (CR, LF, …) folded to spaces, and capped."""
    if value is None:
        return None
    text = " ".join(_CONTROL.sub(" ", str(value)).split())[:limit]
    return text or None


def make_topic(
    query: str | None, category: str | None = None, author: str | None = None
) -> Topic | None:
    query, category, author = (
        clean_field(query, 200),
        clean_field(category, 40),
        clean_field(author, 100),
    )
    if not (query or category or author):
        return None
    return Topic(query or "", category, author)


class Readers:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.settings = settings
        self.store = ReaderStore(engine)
        self.tokens = Tokens(settings.resolved_secret_key)
        self.accounts = Accounts(engine, settings, self.store, self.tokens)

    # ---- subscribing --------------------------------------------------------------------

    def subscribe(self, email: str, topics: Sequence[Topic] = (),
                  confirmed: bool = False) -> tuple[Reader, bool]:
        """Add (or find) the reader with these topics: the operator's way (`papertide readers
        add`). Requests from the web go through `request_subscription`."""
        if len(topics) > MAX_TOPICS:
            raise InvalidInput(f"At most {MAX_TOPICS} topics.")
        return self.store.add(normalize_email(email), list(topics), confirmed)

    def request_subscription(self, email: str,
                             topics: Sequence[Topic] = ()) -> tuple[Reader, list[Topic], str]:
        """What a subscribe request from a stranger may do: create a pending record for a
        new address, and nothing else. Returns the reader, the topics its confirmation link
        carries (shown on the page the link opens, never in the mail), and the mail to send:
        `confirm` (not receiving digests yet, or any more) or `already` (active: a link to
        manage the subscription; a request never changes a confirmed reader's topics)."""
        if len(topics) > MAX_TOPICS:
            raise InvalidInput(f"At most {MAX_TOPICS} topics.")
        reader, _ = self.store.add(normalize_email(email), [], confirmed=False)
        if reader.status == "active":
            return reader, [], "already"
        held = {(t.query, t.category, t.author) for t in reader.topics}
        return reader, [t for t in topics if (t.query, t.category, t.author) not in held], \
            "confirm"

    def confirmation(self, token: str) -> tuple[Reader, list[Topic]]:
        """What a confirmation link would do, changing nothing: its reader and the topics
        it carries (the page shows them before the button that confirms)."""
        reader = self.from_token("confirm", token)
        claims = self.tokens.read("confirm", token)
        carried = [make_topic(*t[:3]) for t in claims.extra.get("t", []) if isinstance(t, list)]
        return reader, [t for t in carried if t]

    def confirm(self, token: str) -> Reader:
        """The confirmation was confirmed (a button pressed on the link's page, not the
        link opened): the reader receives digests (again), with the topics the link
        carries, unless the reader was already receiving them: a confirmed reader's topics
        change on the preferences page only."""
        reader, carried = self.confirmation(token)
        if reader.status == "active":
            return reader
        self.store.set_status(reader.id, "active", "confirm", confirmed_at=utcnow(), bounces=0)
        self.store.add_topics(reader.id, carried, MAX_TOPICS)
        return self._reload(reader)

    def from_token(self, purpose: str, token: str) -> Reader:
        claims = self.tokens.read(purpose, token)
        reader = self.store.get(claims.reader_id) if claims.reader_id is not None else None
        if reader is None or reader.token_version != claims.version:
            raise TokenError("This link is no longer valid: the address was unsubscribed or "
                             "changed after it was sent.")
        return reader

    def unsubscribe(self, reader: Reader, via: str) -> None:
        """Takes effect at once, and every link sent before dies with it (a later
        subscription gets links of its own)."""
        if reader.status != "unsubscribed":
            self.store.set_status(reader.id, "unsubscribed", "unsubscribe", via,
                                  revoke_links=True, unsubscribed_at=utcnow())

    def change_address(self, token: str) -> Reader:
        """The link mailed to a new address was followed: the reader's address becomes it,
        and every link sent before (to the old address) dies with the token version."""
        reader = self.from_token("address", token)
        new = self.tokens.read("address", token).extra.get("n")
        if not isinstance(new, str):
            raise TokenError("This link is not valid.")
        if self.store.by_email(new) is not None:
            raise InvalidInput("That address already belongs to an account.")
        self.store.change_email(reader.id, new)
        return self._reload(reader)

    def subscribe_signed_in(self, reader: Reader) -> Reader:
        """A signed-in reader has proved the address: digests start without another mail."""
        if reader.status != "active":
            self.store.set_status(reader.id, "active", "confirm", "account page",
                                  confirmed_at=utcnow(), bounces=0)
        return self._reload(reader)

    # ---- preferences --------------------------------------------------------------------

    def update_preferences(self, reader: Reader, *, frequency: Frequency | str, weekday: int,
                           send_hour: int,
                           timezone: str, per_digest: int, topics: list[Topic]) -> Reader:
        if frequency not in FREQUENCIES:
            raise InvalidInput(f"Frequency must be one of {', '.join(FREQUENCIES)}.")
        if not 0 <= weekday <= 6:
            raise InvalidInput("Weekday must be 0 (Monday) to 6 (Sunday).")
        if not 0 <= send_hour <= 23:
            raise InvalidInput("Send hour must be 0 to 23.")
        if timezone not in time_zones():
            raise InvalidInput(f"Unknown time zone {clean_field(timezone, 60)!r}.")
        if not 5 <= per_digest <= 50:
            raise InvalidInput("Papers per digest must be 5 to 50.")
        if len(topics) > MAX_TOPICS:
            raise InvalidInput(f"At most {MAX_TOPICS} topics.")
        self.store.update_preferences(reader.id, frequency=frequency, weekday=weekday,
                                      send_hour=send_hour, timezone=timezone,
                                      per_digest=per_digest, topic_list=topics)
        return self._reload(reader)

    def _reload(self, reader: Reader) -> Reader:
        """The reader as stored now; a reader deleted meanwhile is an invalid link."""
        fresh = self.store.get(reader.id)
        if fresh is None:
            raise TokenError("This link is no longer valid.")
        return fresh

    # ---- links in mails -----------------------------------------------------------------

    def link(self, reader: Reader, purpose: str, path: str, **claims: object) -> str:
        token = self.tokens.make(purpose, reader.id, reader.token_version, **claims)
        return f"{self.settings.base_url.rstrip('/')}{path}?{urlencode({'token': token})}"

    def links(self, reader: Reader, topics: Sequence[Topic] = ()) -> dict[str, str]:
        """The links a mail to this reader carries; `topics` ride in the confirmation link
        and are added only when it is clicked."""
        carried = [[t.query, t.category, t.author] for t in topics]
        return {
            "confirm": self.link(reader, "confirm", "/confirm", **({"t": carried} if carried
                                                                    else {})),
            "manage": self.link(reader, "manage", "/preferences"),
            "preview": self.link(reader, "manage", "/digest/preview"),
            "unsubscribe": self.link(reader, "unsubscribe", "/unsubscribe"),
        }
