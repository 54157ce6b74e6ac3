"""All storage access for readers: subscriptions, preferences, topics, and the
mail events (confirmations, unsubscribes, bounces) that change them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from papertide.catalog import utcnow
from papertide.db.tables import mail_events, readers, topics


@dataclass
class Topic:
    query: str
    category: str | None = None
    author: str | None = None
    id: int | None = None


@dataclass
class Reader:
    id: int
    email: str
    status: str
    frequency: str = "daily"
    weekday: int = 0
    send_hour: int = 7
    timezone: str = "UTC"
    per_digest: int = 10
    bounces: int = 0
    token_version: int = 0
    created_at: datetime | None = None
    confirmed_at: datetime | None = None
    unsubscribed_at: datetime | None = None
    last_edition: str | None = None
    last_sent_at: datetime | None = None
    role: str = "reader"
    topics: list[Topic] = field(default_factory=list)


def _reader(row: Row, topic_rows: list[Row] | tuple[()] = ()) -> Reader:
    data = {column.name: row._mapping[column] for column in readers.c}
    return Reader(**data, topics=[Topic(t.query, t.category, t.author, t.id) for t in topic_rows])


class ReaderStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, email: str, topic_list: list[Topic], confirmed: bool,
            status: str | None = None) -> tuple[Reader, bool]:
        """The reader for this address, created if new (topics are added either way).
        `confirmed` makes an existing reader active again (the operator's choice), unless
        `status` is given: then it is only the status of a new record."""
        now = utcnow()
        created = False
        with self.engine.begin() as conn:
            row = conn.execute(select(readers).where(readers.c.email == email)).first()
            if row is None:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(readers).values(
                                email=email,
                                status=status or ("active" if confirmed else "pending"),
                                frequency="daily",
                                weekday=0,
                                send_hour=7,
                                timezone="UTC",
                                per_digest=10,
                                bounces=0,
                                token_version=0,
                                created_at=now,
                                confirmed_at=now if confirmed else None,
                            )
                        )
                    created = True
                except IntegrityError:
                    pass  # subscribed at the same moment by another request
                row = conn.execute(select(readers).where(readers.c.email == email)).one()
            elif confirmed and status is None and row.status != "active":
                conn.execute(update(readers).where(readers.c.id == row.id).values(
                    status="active", confirmed_at=now, bounces=0))
            self._add_topics(conn, row.id, topic_list)
        return self._get(row.id), created

    def add_topics(self, reader_id: int, topic_list: list[Topic], most: int) -> None:
        """Add the topics the reader does not have yet, up to `most` topics in all."""
        with self.engine.begin() as conn:
            self._add_topics(conn, reader_id, topic_list, most)

    def _add_topics(self, conn: Connection, reader_id: int, topic_list: list[Topic],
                    most: int | None = None) -> None:
        known = {(t.query, t.category, t.author) for t in
                 conn.execute(select(topics).where(topics.c.reader_id == reader_id))}
        for topic in topic_list:
            key = (topic.query, topic.category, topic.author)
            if key in known or (most is not None and len(known) >= most):
                continue
            known.add(key)
            conn.execute(insert(topics).values(reader_id=reader_id, query=topic.query,
                                               category=topic.category, author=topic.author))

    def set_role(self, reader_id: int, role: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(readers).where(readers.c.id == reader_id).values(role=role))

    def change_email(self, reader_id: int, email: str) -> None:
        """A new address; every link sent to the old one dies with the token version."""
        with self.engine.begin() as conn:
            conn.execute(update(readers).where(readers.c.id == reader_id).values(
                email=email, token_version=readers.c.token_version + 1))
            conn.execute(insert(mail_events).values(reader_id=reader_id, kind="address",
                                                    detail="", created_at=utcnow()))

    def counts_by_status(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {status: count for status, count in conn.execute(
                select(readers.c.status, func.count()).group_by(readers.c.status))}

    def recent(self, limit: int = 50) -> list[Reader]:
        """The newest readers first, without their topics."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(readers).order_by(readers.c.id.desc()).limit(limit))
            return [_reader(r) for r in rows]

    def recent_events(self, kind: str, limit: int = 20) -> list[tuple[str, str, datetime]]:
        """(address, detail, when) of the latest mail events of one kind (e.g. bounces)."""
        query = (select(readers.c.email, mail_events.c.detail, mail_events.c.created_at)
                 .join(readers, readers.c.id == mail_events.c.reader_id)
                 .where(mail_events.c.kind == kind)
                 .order_by(mail_events.c.id.desc()).limit(limit))
        with self.engine.connect() as conn:
            return [(r.email, r.detail or "", r.created_at) for r in conn.execute(query)]

    def _get(self, reader_id: int) -> Reader:
        """A reader known to exist (just written by this store)."""
        reader = self.get(reader_id)
        assert reader is not None, f"reader {reader_id} vanished"
        return reader

    def get(self, reader_id: int) -> Reader | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(readers).where(readers.c.id == reader_id)).first()
            if row is None:
                return None
            rows = conn.execute(
                select(topics).where(topics.c.reader_id == reader_id).order_by(topics.c.id)
            )
            return _reader(row, list(rows))

    def by_email(self, email: str) -> Reader | None:
        with self.engine.connect() as conn:
            found = conn.execute(select(readers.c.id).where(readers.c.email == email)).scalar()
        return self.get(found) if found is not None else None

    def all(self, status: str | None = None) -> list[Reader]:
        query = select(readers).order_by(readers.c.id)
        if status:
            query = query.where(readers.c.status == status)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            by_reader: dict[int, list[Row]] = {}
            for t in conn.execute(select(topics).order_by(topics.c.id)):
                by_reader.setdefault(t.reader_id, []).append(t)
        return [_reader(r, by_reader.get(r.id, [])) for r in rows]

    def set_status(self, reader_id: int, status: str, event: str, detail: str = "",
                   revoke_links: bool = False, **values: Any) -> None:
        """A new status and its mail event; `revoke_links` bumps the token version, so
        that every link sent before stops working."""
        now = utcnow()
        if revoke_links:
            values["token_version"] = readers.c.token_version + 1
        with self.engine.begin() as conn:
            conn.execute(
                update(readers).where(readers.c.id == reader_id).values(status=status, **values)
            )
            conn.execute(insert(mail_events).values(reader_id=reader_id, kind=event, detail=detail,
                                                    created_at=now))

    def update_preferences(self, reader_id: int, *, frequency: str, weekday: int, send_hour: int,
                           timezone: str, per_digest: int, topic_list: list[Topic]) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(readers).where(readers.c.id == reader_id).values(
                frequency=frequency, weekday=weekday, send_hour=send_hour, timezone=timezone,
                per_digest=per_digest))
            conn.execute(delete(topics).where(topics.c.reader_id == reader_id))
            for topic in topic_list:
                conn.execute(insert(topics).values(reader_id=reader_id, query=topic.query,
                                                   category=topic.category, author=topic.author))

    def mark_sent(self, reader_id: int, key: str, at: datetime, conn: Connection) -> None:
        """Remember the reader's latest edition, inside the delivery log's transaction (the
        next edition counts its new papers from `at`)."""
        conn.execute(update(readers).where(readers.c.id == reader_id)
                     .values(last_edition=key, last_sent_at=at))

    def record_bounce(self, reader_id: int, detail: str, threshold: int) -> bool:
        """Count a permanent failure; True when the address has now reached the threshold."""
        with self.engine.begin() as conn:
            bounces = conn.execute(update(readers).where(readers.c.id == reader_id)
                                   .values(bounces=readers.c.bounces + 1)
                                   .returning(readers.c.bounces)).scalar_one()
            conn.execute(
                insert(mail_events).values(
                    reader_id=reader_id, kind="bounce", detail=detail, created_at=utcnow()
                )
            )
            if bounces >= threshold:
                conn.execute(
                    update(readers).where(readers.c.id == reader_id).values(status="bouncing")
                )
                return True
        return False

    def events(self, reader_id: int) -> list[tuple[str, str]]:
        with self.engine.connect() as conn:
            return [
                (r.kind, r.detail)
                for r in conn.execute(
                    select(mail_events)
                    .where(mail_events.c.reader_id == reader_id)
                    .order_by(mail_events.c.id)
                )
            ]
