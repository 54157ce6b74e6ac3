"""Private feeds: secret Atom feed URLs a reader makes for a feed reader, which carries no
cookie. All storage access for `private_feeds`.

    feeds = services.library.feeds
    feed, secret = feeds.create(reader.id, "tag", "to read")   # the secret is shown once
    feeds.by_secret(secret)        # on each fetch: the feed, or None (revoked, never was)
    feeds.revoke(reader.id, feed.id)

A feed is "For you" (the reader's recommendations), one tag of their library (its
papers, latest saved first) or a saved search (its newest matches). Its URL holds a
random secret and nothing else: never the reader's address or id. Only the secret's
SHA-256 is stored, so a copy of the database opens no feed; deleting the row makes the
URL answer 404.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

from sqlalchemy import Engine, delete, func, insert, select, update

from papertide.catalog import text_problem, utcnow
from papertide.db.tables import private_feeds

FeedKind = Literal["for-you", "tag", "search"]
FEED_KINDS: tuple[FeedKind, ...] = get_args(FeedKind)
MAX_FEEDS = 20  # a reader's feeds at once
MAX_QUERY = 500
SECRET_BYTES = 24
TOUCH_EVERY = timedelta(minutes=5)  # last-used times are this coarse: no write per fetch


class FeedError(ValueError):
    """A feed a reader asked for that cannot be made: the message says why."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class PrivateFeed:
    id: int
    reader_id: int
    kind: FeedKind
    value: str  # the tag or the query; "" for For you
    created_at: datetime
    last_used_at: datetime | None

    @property
    def label(self) -> str:
        if self.kind == "for-you":
            return "For you"
        return f"tag “{self.value}”" if self.kind == "tag" else f"search “{self.value}”"


def _feed(row: object) -> PrivateFeed:
    return PrivateFeed(row.id, row.reader_id, row.kind, row.value,  # type: ignore[attr-defined]
                       row.created_at, row.last_used_at)  # type: ignore[attr-defined]


class PrivateFeeds:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, reader_id: int, kind: str, value: str = "") -> tuple[PrivateFeed, str]:
        """A new feed and its secret (for the URL: shown to the reader once). The tag or
        query must already be cleaned by the caller (`Library.create_feed` does)."""
        if kind not in FEED_KINDS:
            raise FeedError(f"A feed is one of {', '.join(FEED_KINDS)}.")
        value = "" if kind == "for-you" else value
        if kind != "for-you" and not value.strip():
            raise FeedError("A tag feed needs a tag, a search feed a query.")
        if len(value) > MAX_QUERY or text_problem(value):
            raise FeedError(f"A feed's query is text of at most {MAX_QUERY} characters.")
        secret = secrets.token_urlsafe(SECRET_BYTES)
        with self.engine.begin() as conn:
            count = conn.execute(select(func.count()).select_from(private_feeds)
                                 .where(private_feeds.c.reader_id == reader_id)).scalar_one()
            if count >= MAX_FEEDS:
                raise FeedError(f"At most {MAX_FEEDS} private feeds: revoke one first.")
            feed_id = conn.execute(insert(private_feeds).values(
                reader_id=reader_id, kind=kind, value=value, secret_hash=_hash(secret),
                created_at=utcnow())).inserted_primary_key[0]  # type: ignore[index]
            row = conn.execute(select(private_feeds)
                               .where(private_feeds.c.id == feed_id)).one()
        return _feed(row), secret

    def of(self, reader_id: int) -> list[PrivateFeed]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(private_feeds)
                                .where(private_feeds.c.reader_id == reader_id)
                                .order_by(private_feeds.c.id))
            return [_feed(r) for r in rows]

    def revoke(self, reader_id: int, feed_id: int) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(private_feeds).where(
                (private_feeds.c.id == feed_id)
                & (private_feeds.c.reader_id == reader_id))).rowcount)

    def by_secret(self, secret: str) -> PrivateFeed | None:
        """The feed behind a URL's secret, or None."""
        if not secret or len(secret) > 100 or not secret.isascii():
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(private_feeds)
                               .where(private_feeds.c.secret_hash == _hash(secret))).first()
        if row is None:
            return None
        now = utcnow()
        if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
            with self.engine.begin() as conn:
                conn.execute(update(private_feeds).where(private_feeds.c.id == row.id)
                             .values(last_used_at=now))
        return _feed(row)
