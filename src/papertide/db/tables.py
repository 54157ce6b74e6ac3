"""The database schema: every table papertide keeps, in one place.

The catalog database is the only source of truth; search indexes and vectors files are
derived from it. Queries live with the capability that owns them (`catalog/_store.py`,
`readers/_store.py`, …); the shape of the data lives here and in `migrations/`, whose
revisions must build exactly these tables (`tests/db/test_migrations.py` compares them).
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# Counters and change numbers that may pass 2**31 on a long-lived public instance (views,
# events, the `seq` counters, delivery rows): 64 bits on PostgreSQL. SQLite's INTEGER is
# 64 bits already, and only an INTEGER primary key is the rowid that numbers new rows
# itself (a BIGINT one is not), so SQLite keeps INTEGER.
BigInt = BigInteger().with_variant(Integer(), "sqlite")

papers = Table(
    "papers",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("arxiv_id", String(64), unique=True),
    Column("doi", String(200), index=True),
    Column("title_key", String(300), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("authors", JSON, nullable=False),
    Column("abstract", Text, nullable=False),
    Column("categories", JSON, nullable=False),
    Column("published", DateTime),
    Column("updated", DateTime),
    Column("announced", Date),  # the arXiv listing (or daily-papers) date; see Paper
    # When a listing shows the paper (the announcement day, else the publication time):
    # what "newest first" orders by; set by the catalog from the two (`listing_time`).
    Column("listed", DateTime),
    Column("version", Integer),
    Column("url_abs", Text),
    Column("url_pdf", Text),
    Column("url_code", Text),
    Column("comment", Text),
    Column("journal_ref", Text),
    Column("sources", JSON, nullable=False),
    Column("rank_hint", Integer),
    Column("votes", BigInt, nullable=False, default=0),
    Column("views", BigInt, nullable=False, default=0),
    Column("saves", BigInt, nullable=False, default=0),
    Column("content_hash", String(64), nullable=False),
    Column("text_hash", String(64), nullable=False),  # of title + abstract: what embeddings cover
    Column("first_seen", DateTime, nullable=False),
    # Change counter: every insert or update of a batch takes the next value, so a derived
    # index catches up by reading rows with seq above its high-water mark.
    Column("seq", BigInt, nullable=False),
)
Index("ix_papers_published", papers.c.published)
Index("ix_papers_seq_id", papers.c.seq, papers.c.id)  # keyset paging in seq order
Index("ix_papers_announced", papers.c.announced)
Index("ix_papers_listed", papers.c.listed)

# Votes, views and saves, one row each; the unique key is what makes a vote count once
# per actor and a view once per actor per day (`day` is '' where the day doesn't matter).
events = Table(
    "events",
    metadata,
    Column("id", BigInt, primary_key=True, autoincrement=True),
    Column("paper_id", String(200), ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("day", String(10), nullable=False),
    Column("created_at", DateTime, nullable=False, index=True),
    UniqueConstraint("paper_id", "kind", "actor", "day", name="uq_events_once"),
)

counters = Table(
    "counters",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", BigInt, nullable=False),
)

# Durable embeddings: one float32 vector per paper, valid for the text whose hash it carries.
# `seq` comes from the `embed_seq` counter, the vector indexes' high-water mark.
embeddings = Table(
    "embeddings",
    metadata,
    Column("paper_id", String(200), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(80), nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("vector", LargeBinary, nullable=False),
    Column("seq", BigInt, nullable=False),
)
Index("ix_embeddings_seq_id", embeddings.c.seq, embeddings.c.paper_id)

readers = Table(
    "readers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),
    # pending | active | unsubscribed | bouncing | account (signed up, no digest)
    Column("status", String(16), nullable=False),
    Column("frequency", String(8), nullable=False, default="daily"),  # daily|weekly|paused
    Column("weekday", Integer, nullable=False, default=0),  # 0 = Monday, for weekly
    Column("send_hour", Integer, nullable=False, default=7),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("per_digest", Integer, nullable=False, default=10),
    Column("bounces", Integer, nullable=False, default=0),
    Column("token_version", Integer, nullable=False, default=0),
    Column("created_at", DateTime, nullable=False),
    Column("confirmed_at", DateTime),
    Column("unsubscribed_at", DateTime),
    Column("last_edition", String(10)),
    Column("last_sent_at", DateTime),
    Column("role", String(16), nullable=False, default="reader", server_default="reader"),
)

topics = Table(
    "topics",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "reader_id",
        Integer,
        ForeignKey("readers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("query", Text, nullable=False),
    Column("category", String(40)),
    Column("author", String(200)),
)

# A reader's saved papers, with a private note each (see `library/_store.py`).
library = Table(
    "library",
    metadata,
    Column("reader_id", Integer, ForeignKey("readers.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", String(200), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("saved_at", DateTime, nullable=False),
    Column("note", Text),
)
Index("ix_library_reader_saved", library.c.reader_id, library.c.saved_at)

# Tags of saved papers, several per paper; they go when the paper leaves the library.
library_tags = Table(
    "library_tags",
    metadata,
    Column("reader_id", Integer, primary_key=True),
    Column("paper_id", String(200), primary_key=True),
    Column("tag", String(60), primary_key=True),
    ForeignKeyConstraint(["reader_id", "paper_id"], ["library.reader_id", "library.paper_id"],
                         ondelete="CASCADE", name="fk_library_tags_saved"),
)
Index("ix_library_tags_reader_tag", library_tags.c.reader_id, library_tags.c.tag)

# "Not interested": papers a reader never wants recommended again.
dismissals = Table(
    "dismissals",
    metadata,
    Column("reader_id", Integer, ForeignKey("readers.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", String(200), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("dismissed_at", DateTime, nullable=False),
)

# What a reader follows before (and besides) saving papers: authors and arXiv categories.
follows = Table(
    "follows",
    metadata,
    Column("reader_id", Integer, ForeignKey("readers.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(12), primary_key=True),  # author | category
    Column("value", String(200), primary_key=True),
    Column("created_at", DateTime, nullable=False),
)

# One row per (reader, edition): the unique key is the exactly-once guarantee of sending.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigInt, primary_key=True, autoincrement=True),
    Column("reader_id", Integer, ForeignKey("readers.id", ondelete="CASCADE"), nullable=False),
    Column("edition", String(10), nullable=False),
    Column("status", String(12), nullable=False),  # sent | skipped | bounced
    Column("attempts", Integer, nullable=False, default=0),
    Column("message_id", String(200)),
    Column("paper_ids", JSON),
    Column("error", Text),
    Column("claimed_at", DateTime),
    Column("finished_at", DateTime),
    UniqueConstraint("reader_id", "edition", name="uq_deliveries_once"),
)

sent_papers = Table(
    "sent_papers",
    metadata,
    Column("reader_id", Integer, ForeignKey("readers.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", String(200), primary_key=True),
    Column("edition", String(10), nullable=False),
)

mail_events = Table(
    "mail_events",
    metadata,
    Column("id", BigInt, primary_key=True, autoincrement=True),
    Column(
        "reader_id",
        Integer,
        ForeignKey("readers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(20), nullable=False),  # unsubscribe | bounce | confirm | …
    Column("detail", Text),
    Column("created_at", DateTime, nullable=False),
)

# What live sources say about a paper beyond its record: Hugging Face upvotes, GitHub stars.
# One row per (paper, source, name); the latest observation replaces the previous one.
signals = Table(
    "signals",
    metadata,
    Column("paper_id", String(200), ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Column("source", String(40), primary_key=True),
    Column("name", String(40), primary_key=True),
    Column("value", Float, nullable=False),
    Column("observed_at", DateTime, nullable=False),
)

# Where each live harvest stands, so that the next run (or a resumed one) starts there:
# e.g. the last harvested OAI-PMH datestamp and, mid-harvest, the resumption token.
source_state = Table(
    "source_state",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("scope", String(300), primary_key=True),  # e.g. the OAI set, format and filter
    Column("value", JSON, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# One row per fetch of a live source: what it brought and how it ended.
source_runs = Table(
    "source_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(40), nullable=False),
    Column("spec", Text, nullable=False),
    Column("status", String(12), nullable=False),  # running | ok | failed
    Column("started_at", DateTime, nullable=False, index=True),
    Column("finished_at", DateTime),
    Column("added", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("skipped", Integer, nullable=False, default=0),
    Column("pages", Integer, nullable=False, default=0),
    Column("errors", JSON, nullable=False),
    Column("detail", JSON, nullable=False),  # first rejections, windows, notes
)

# Signed-in browsers: one row per session, keyed by the hash of the cookie's token (the
# token itself is never stored); deleting the row signs that browser out.
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("reader_id", Integer, ForeignKey("readers.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("user_agent", String(200), nullable=False),
)

# Personal API tokens for scripts (`Authorization: Bearer …`), stored as hashes only.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reader_id", Integer, ForeignKey("readers.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_used_at", DateTime),
)

# A reader's private Atom feeds (For you, one tag, a saved search), each behind a random
# secret in its URL, stored as a hash only; deleting the row revokes the URL.
private_feeds = Table(
    "private_feeds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reader_id", Integer, ForeignKey("readers.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("kind", String(12), nullable=False),  # for-you, tag, search
    Column("value", String(500), nullable=False),  # the tag or the query; "" for For you
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_used_at", DateTime),
)

# Sign-in links are single-use: the id of every redeemed link, kept past its expiry.
used_links = Table(
    "used_links",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("used_at", DateTime, nullable=False, index=True),
)

# Rate-limit windows shared by every web process when no Redis is configured: a counter
# per key for fixed windows, the hit times for moving windows (see ratelimit/_sql.py).
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", String(250), primary_key=True),
    Column("count", BigInteger, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),  # seconds since the epoch
    Column("hits", JSON),
)

# Who is fetching a live source right now (a lease, so that two workers or a worker and
# `papertide fetch` never pull the same source at once), and the last announcement day a
# scheduled pull of it completed for (so that the daily schedule pulls it once per day).
source_claims = Table(
    "source_claims",
    metadata,
    Column("spec", String(300), primary_key=True),  # the canonical source item
    Column("holder", String(200)),  # who holds the lease; None when free
    Column("claimed_at", DateTime),
    Column("expires_at", DateTime),
    Column("done_for", Date),
)

__all__ = ["BigInt", "metadata", "papers", "events", "counters", "embeddings", "readers", "topics",
           "library", "library_tags", "dismissals", "follows", "deliveries", "sent_papers",
           "mail_events", "signals", "source_state", "source_runs", "source_claims", "sessions",
           "api_tokens", "used_links", "rate_limits", "private_feeds"]
