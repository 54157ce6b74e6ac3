"""Settings: every knob of papertide, declared once with its default and help text.

Each field is read from an environment variable `PAPERTIDE_<NAME>` (e.g.
`PAPERTIDE_DATA_DIR`). The README's configuration table is checked against this class by
`tests/test_docs.py`, so a setting added here without documentation fails the suite.

    from papertide.config import Settings
    settings = Settings(data_dir="/tmp/pt")     # explicit values win over the environment
"""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from papertide.options import EmbedProfile, Mode


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAPERTIDE_", extra="ignore")

    data_dir: Path = Field(
        Path("data"),
        description="Folder for the embedded database, search indexes, outbox and secret key.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the catalog database; default: SQLite (WAL) file "
        "`papertide.db` in the data dir. Use `postgresql+psycopg://…` to scale out.",
    )
    index_dir: Path | None = Field(
        None,
        description="Folder of this machine's derived search indexes; default `<data dir>/index`.",
    )
    secret_key: str | None = Field(
        None,
        description="Key that signs cookies and mail links; default: generated once and kept "
        "in `<data dir>/secret.key`. Set the same value on every web and worker machine.",
    )
    base_url: str = Field(
        "http://127.0.0.1:8000",
        description="Public address of the web app, used in links inside mails and feeds.",
    )
    host: str = Field("127.0.0.1", description="Address `papertide serve` listens on.")
    port: int = Field(8000, description="Port `papertide serve` listens on.")
    max_body_bytes: int = Field(
        64 * 1024, description="Largest request body the web app accepts (413 above it)."
    )
    search_mode: Mode = Field(
        "hybrid", description="Default search mode: `keyword`, `semantic` or `hybrid`."
    )
    search_floor: float = Field(
        0.30,
        description="Least cosine similarity a paper found by meaning needs to be listed "
        "(semantic and hybrid), calibrated on SciFact (see README, Search).",
    )
    search_floor_alone: float = Field(
        0.40,
        description="The same floor when no paper matches the query's words: nothing close "
        "in meaning then means no results.",
    )
    embed_profile: EmbedProfile = Field(
        "default",
        description="Embedding path: `default` (int8 ONNX, 2.6× plain, no measurable loss), "
        "`fast` (int8 ONNX, 160 tokens, 4.4× plain, within 1 point nDCG@10) or `plain` (PyTorch).",
    )
    embed_on_ingest: bool = Field(
        True,
        description="Embed new papers after `papertide ingest`: right away, or as queued jobs "
        "for the workers when a queue URL is set (off: run `papertide index`).",
    )
    smtp_url: str | None = Field(
        None,
        description="Mail relay, e.g. `smtp://user:pass@host:587?starttls=1` or "
        "`smtps://user:pass@host:465`; without it mail is written to `<data dir>/outbox`.",
    )
    mail_from: str = Field(
        "papertide <papertide@localhost>", description="From address of every mail."
    )
    send_rate: float = Field(
        10.0, description="Most mails per second one worker sends (0 = unlimited)."
    )
    bounce_threshold: int = Field(
        3, description="Permanent delivery failures after which an address gets no more mail."
    )
    skip_empty_digest: bool = Field(
        True,
        description="Skip a daily edition when arXiv announced nothing since the reader's last "
        "one (off: send trending papers the reader has not seen on those days too). An edition "
        "with no papers at all is never sent.",
    )
    queue_url: str | None = Field(
        None,
        description="Job queue: `redis://host:6379/0` for many workers; default: a SQLite "
        "queue file in the data dir.",
    )
    queue_name: str = Field(
        "papertide",
        description="Name of the job queue (the prefix of its keys in Redis): installations "
        "sharing one Redis database give each its own.",
    )
    embedded_worker: bool | None = Field(
        None,
        description="Run the job consumer inside `papertide serve`; default: on with the "
        "embedded SQLite setup, off when a queue URL is set.",
    )
    cache_url: str | None = Field(
        None,
        description="Shared cache of query embeddings (`redis://host:6379/0`), so that each "
        "distinct query is embedded once across all web processes and machines; default: the "
        "queue URL when it is Redis, else each process keeps its own (in memory).",
    )
    index_follow_seconds: float = Field(
        2.0,
        description="How often each machine's indexer looks for papers and vectors the "
        "database has and its indexes lack (a paper ingested anywhere is searchable on every "
        "machine within about this, plus a second); also how often web processes re-open "
        "what the indexer wrote.",
        gt=0, le=10,
    )

    admin_emails: str = Field(
        "",
        description="Addresses of the operators, space- or comma-separated: once signed in they "
        "see `/admin` and `/outbox` (also `papertide admin grant EMAIL`).",
    )
    metrics_token: str | None = Field(
        None,
        description="Bearer token that may read `/metrics` from any address; without it "
        "(default) only loopback clients may.",
    )
    trusted_proxies: str = Field(
        "",
        description="Addresses or networks of reverse proxies whose `X-Forwarded-For` names "
        "the client (e.g. `127.0.0.1 10.0.0.0/8`); empty: the connecting address is the "
        "client, and the header is ignored.",
    )
    limit_mail_per_address: str = Field(
        "3/day",
        description="Subscription confirmations and address-change links to one address, "
        "together (moving window); requests past it still answer 202 and send nothing.",
    )
    limit_signin_per_address: str = Field(
        "1 per 10 minutes",
        description="Sign-in links to one address (moving window): a cool-down, not a daily "
        "wall, so a stranger asking for links cannot keep the reader out (the last link, "
        "valid 15 minutes, is in the reader's inbox); requests past it answer 202 and send "
        "nothing.",
    )
    limit_mail_per_ip: str = Field(
        "10/hour",
        description="Sign-in and subscribe requests from one client network (an IPv4 /24, "
        "an IPv6 /64; moving window); 429 past it.",
    )
    limit_votes: str = Field(
        "60/minute", description="Votes per client: a signed-in reader, else an IP (429 past it)."
    )
    limit_searches: str = Field(
        "120/minute",
        description="Searches (page and API) and fetches by arXiv id per client (429 past it).",
    )
    limit_pages: str = Field(
        "300/minute",
        description="Pages per client: every page and every route that sets a cookie (sign-in, "
        "confirmation, preferences, unsubscribe), not static files, feeds or the papers API "
        "(429 past it).",
    )

    sources: str = Field(
        "",
        description="What to pull from the live sources, space-separated: "
        "`arxiv-oai:CATEGORY,…` (OAI-PMH harvest; option `format=arXiv|arXivRaw|oai_dc`), "
        "`arxiv-api:CATEGORY,…` (newest papers from the arXiv API; option `max=N`), `hf-daily` "
        "(Hugging Face daily papers with their upvotes); e.g. `arxiv-oai:cs.LG,cs.CL,stat.ML "
        "hf-daily`. Categories and archives as arXiv names them. Empty: pull nothing.",
    )
    arxiv_oai_url: str = Field(
        "https://oaipmh.arxiv.org/oai", description="arXiv's OAI-PMH endpoint."
    )
    arxiv_api_url: str = Field(
        "https://export.arxiv.org/api/query", description="arXiv's API query endpoint (Atom)."
    )
    hf_api_url: str = Field(
        "https://huggingface.co/api",
        description="Hugging Face API base; daily papers are read from `<base>/daily_papers`.",
    )
    contact_email: str | None = Field(
        None,
        description="Contact address sent in the User-Agent of every request to the live "
        "sources, as arXiv asks of harvesters.",
    )
    fetch_interval: float = Field(
        3.0,
        description="Fewest seconds between two requests to the same host of a live source "
        "(arXiv asks for 3).",
    )

    @field_validator("sources")
    @classmethod
    def _check_sources(cls, value: str) -> str:
        from papertide.sources._spec import parse_sources  # the sources import the settings

        parse_sources(value)
        return value

    @field_validator("limit_mail_per_address", "limit_signin_per_address", "limit_mail_per_ip",
                     "limit_votes", "limit_searches", "limit_pages")
    @classmethod
    def _check_limit(cls, value: str) -> str:
        from limits import parse

        parse(value)  # "N/second|minute|hour|day" or "N per M hours"; raises when it is not
        return value

    @property
    def admin_addresses(self) -> frozenset[str]:
        return frozenset(a.lower() for a in self.admin_emails.replace(",", " ").split())

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'papertide.db').resolve()}"

    @cached_property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.data_dir / "index"

    @cached_property
    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def shared_cache_url(self) -> str | None:
        """Where query embeddings are shared: the cache URL, else a Redis queue's URL."""
        if self.cache_url:
            return self.cache_url
        if self.queue_url and self.queue_url.startswith("redis"):
            return self.queue_url
        return None

    @property
    def uses_embedded_worker(self) -> bool:
        if self.embedded_worker is not None:
            return self.embedded_worker
        return self.queue_url is None
