"""Readers: subscribers with double opt-in, their preferences and topics, and the signed
links that act for them (confirm, manage, unsubscribe) in place of passwords.

    readers = services.readers
    reader, created = readers.subscribe("ada@example.org", [Topic("graph neural networks")])
    readers.confirm(token)        # from the link in the confirmation mail
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import urlencode
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Engine

from papertide.catalog import utcnow
from papertide.config import Settings
from papertide.options import FREQUENCIES, Frequency
from papertide.readers._store import Reader, ReaderStore, Topic
from papertide.readers._tokens import TokenError, Tokens

__all__ = ["InvalidInput", "Reader", "ReaderStore", "Readers", "Topic", "TokenError", "Tokens",
           "clean_field", "make_topic", "normalize_email", "time_zones"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
MAX_TOPICS = 10


class InvalidInput(ValueError):
    """A reader-supplied value that cannot be used; the message says why."""


@lru_cache(maxsize=1)
def time_zones() -> frozenset[str]:
    """The IANA time zone names this machine knows."""
    return frozenset(available_timezones())


def normalize_email(raw: str) -> str:
    if not isinstance(raw, str) or len(raw) > 320:
        raise InvalidInput("That does not look like an email address.")
    try:
        # `test_environment` accepts `.test` domains (RFC 6761: applications should not
        # treat them as special; a lab's own relay may serve one), so that any address of
        # the API schema's `format: email` is taken; names that can never receive mail
        # (.local, .localhost, .invalid, .onion, .arpa) are still refused.
        checked = validate_email(raw.strip(), check_deliverability=False,
                                 test_environment=True)
    except EmailNotValidError as exc:
        raise InvalidInput(f"That does not look like an email address: {exc}") from None
    return checked.normalized.lower()


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

    # ---- subscribing --------------------------------------------------------------------

    def subscribe(self, email: str, topics: Sequence[Topic] = (),
                  confirmed: bool = False) -> tuple[Reader, bool]:
        """Add (or find) the reader. Subscribing again is harmless; the caller answers the
        same way either way, so nothing reveals whether the address was known."""
        if len(topics) > MAX_TOPICS:
            raise InvalidInput(f"At most {MAX_TOPICS} topics.")
        return self.store.add(normalize_email(email), list(topics), confirmed)

    def confirm(self, token: str) -> Reader:
        reader = self.from_token("confirm", token)
        if reader.status in ("pending", "unsubscribed"):
            self.store.set_status(reader.id, "active", "confirm", confirmed_at=utcnow(), bounces=0)
        return self._reload(reader)

    def from_token(self, purpose: str, token: str) -> Reader:
        claims = self.tokens.read(purpose, token)
        reader = self.store.get(claims.reader_id)
        if reader is None or reader.token_version != claims.version:
            raise TokenError("This link is no longer valid.")
        return reader

    def unsubscribe(self, reader: Reader, via: str) -> None:
        """Takes effect at once; the links already sent keep working for this page only."""
        if reader.status != "unsubscribed":
            self.store.set_status(
                reader.id, "unsubscribed", "unsubscribe", via, unsubscribed_at=utcnow()
            )

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

    def link(self, reader: Reader, purpose: str, path: str) -> str:
        token = self.tokens.make(purpose, reader.id, reader.token_version)
        return f"{self.settings.base_url.rstrip('/')}{path}?{urlencode({'token': token})}"

    def links(self, reader: Reader) -> dict[str, str]:
        return {
            "confirm": self.link(reader, "confirm", "/confirm"),
            "manage": self.link(reader, "manage", "/preferences"),
            "preview": self.link(reader, "manage", "/digest/preview"),
            "unsubscribe": self.link(reader, "unsubscribe", "/unsubscribe"),
        }
