"""Settings: every knob of papertide, declared once with its default, its bounds and its
help text, and read from the environment as `PAPERTIDE_<NAME>` (e.g. `PAPERTIDE_DATA_DIR`).

Each field says what it accepts; a value outside that is refused when papertide starts, by
`settings_from_env()`, with a `SettingsError` that names the variable, the value and what
would do. The README's configuration table is generated from this class (`cog -r
README.md`; `make lint` fails when it is stale).

    from papertide.config import Settings, settings_from_env
    settings = Settings(data_dir="/tmp/pt")     # explicit values win over the environment
    settings = settings_from_env()              # SettingsError on a bad value
"""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from papertide import _setting_checks as check
from papertide.options import EmbedProfile, Mode

ENV_PREFIX = "PAPERTIDE_"
_WEB = ("http", "https")
_REDIS = ("redis", "rediss")
_EMAIL = "an email address, user@host"
_SWITCH = "`true` or `false` (also 1/0, yes/no, on/off)"
_RATE = "`N/second`, `N/minute`, `N/hour` or `N/day`, or `N per M hours` (N ≥ 1)"
_HIDDEN = {"secret_key", "metrics_token"}  # never shown in an error message


def _setting(default: Any, description: str, *, accepts: str, shown: str | None = None,
             **bounds: Any) -> Any:
    """A field with what it accepts (for error messages and the README) and, where the
    default is computed, how the README shows it."""
    return Field(default, description=description, **bounds,
                 json_schema_extra={"accepts": accepts, "shown_default": shown})


class SettingsError(ValueError):
    """A setting with a value papertide cannot use: which variable, its value, why not,
    and what it accepts."""

    def __init__(self, variable: str, value: str, reason: str, accepted: str) -> None:
        self.variable, self.value, self.reason, self.accepted = variable, value, reason, accepted
        # The accepted values as the README shows them, without its code marks.
        super().__init__(f"{variable}={value}: {reason}\n  accepted: {accepted.replace('`', '')}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = _setting(
        Path("data"),
        "Folder for the embedded database, search indexes, outbox and secret key.",
        accepts="a folder (created when missing)",
    )
    database_url: str | None = _setting(
        None,
        "SQLAlchemy URL of the catalog database; `postgresql+psycopg://user@host/db` to "
        "scale out.",
        accepts="a SQLAlchemy URL, e.g. `sqlite:///path/papertide.db` or "
        "`postgresql+psycopg://user@host/db`",
        shown="SQLite (WAL) file `papertide.db` in the data dir",
    )
    index_dir: Path | None = _setting(
        None,
        "This machine's derived search indexes (keyword index, vector index).",
        accepts="a folder (created when missing)", shown="`<data dir>/index`",
    )
    secret_key: str | None = _setting(
        None,
        "Signs cookies and mail links. Use one value on every web and worker machine.",
        accepts="any text; keep it secret", shown="generated into `<data dir>/secret.key`",
    )
    base_url: str = _setting(
        "http://127.0.0.1:8000",
        "Public address of the web app, used in links inside mails and feeds.",
        accepts="an `http://` or `https://` URL",
        shown="`http://<host>:<port>` of the two settings below",
    )
    host: str = _setting(
        "127.0.0.1", "Address `papertide serve` listens on.",
        accepts="an IP address or a host name",
    )
    port: int = _setting(
        8000, "Port `papertide serve` listens on.", accepts="a whole number from 1 to 65535",
        ge=1, le=65535,
    )
    max_body_bytes: int = _setting(
        64 * 1024, "Largest request body the web app accepts (413 above it).",
        accepts="a whole number of bytes from 1024 to 67108864 (64 MiB)",
        ge=1024, le=64 * 1024 * 1024,
    )
    search_mode: Mode = _setting(
        "hybrid", "Default search mode.", accepts="`keyword`, `semantic` or `hybrid`",
    )
    search_floor: float = _setting(
        0.30,
        "Least cosine similarity a paper found by meaning needs to be listed (semantic and "
        "hybrid), calibrated on SciFact (see [Search](#search)).",
        accepts="a number from 0 to 1", ge=0, le=1,
    )
    search_floor_alone: float = _setting(
        0.40,
        "The same floor when no paper matches the query's words: nothing close in meaning "
        "then means no results.",
        accepts="a number from 0 to 1", ge=0, le=1,
    )
    embed_profile: EmbedProfile = _setting(
        "default",
        "Embedding path: `default` (int8 ONNX, 1.9–2.6× plain with VNNI, 1.3× on an AVX2 "
        "CPU, no measurable loss), `fast` (int8 ONNX, 160 tokens, 3.5–4.4× plain with VNNI, "
        "2.0× on AVX2, within 1 point nDCG@10) or `plain` (PyTorch, the `torch` extra).",
        accepts="`default`, `fast` or `plain`",
    )
    embed_on_ingest: bool = _setting(
        True,
        "Embed new papers after `papertide ingest`: right away, or as queued jobs for the "
        "workers when a queue URL is set (off: run `papertide index`).",
        accepts=_SWITCH,
    )
    smtp_url: str | None = _setting(
        None,
        "Mail relay, e.g. `smtp://user:pass@host:587?starttls=1` or "
        "`smtps://user:pass@host:465`.",
        accepts="an `smtp://` or `smtps://` URL", shown="unset: write `.eml` files to "
        "`<data dir>/outbox`",
    )
    mail_from: str = _setting(
        "papertide <papertide@localhost>", "From address of every mail.",
        accepts="an address, bare or as `Name <user@host>`",
    )
    send_rate: float = _setting(
        10.0, "Most mails per second one worker sends (0 = unlimited).",
        accepts="a number from 0 to 10000", ge=0, le=10_000,
    )
    bounce_threshold: int = _setting(
        3, "Permanent delivery failures after which an address gets no more mail.",
        accepts="a whole number from 1 to 1000", ge=1, le=1000,
    )
    skip_empty_digest: bool = _setting(
        True,
        "Skip a daily edition when arXiv announced nothing since the reader's last one (off: "
        "send unseen trending papers on those days too). An edition with no papers is never "
        "sent.",
        accepts=_SWITCH,
    )
    queue_url: str | None = _setting(
        None, "Job queue; `redis://host:6379/0` for many workers.",
        accepts="a `redis://` or `rediss://` URL", shown="SQLite queue in the data dir",
    )
    queue_name: str = _setting(
        "papertide",
        "Name of the job queue (its keys' prefix in Redis): installations sharing one Redis "
        "database give each its own.",
        accepts="1 to 100 letters, digits or `_.:-`",
    )
    embedded_worker: bool | None = _setting(
        None, "Run the job consumer inside `papertide serve`.",
        accepts=_SWITCH, shown="on when no queue URL is set",
    )
    cache_url: str | None = _setting(
        None,
        "Shared cache of query embeddings (`redis://host:6379/0`): each distinct query is "
        "embedded once across all web processes and machines; without one, each process "
        "caches its own (in memory, 2,048 queries).",
        accepts="a `redis://` or `rediss://` URL",
        shown="the queue URL when it is Redis, else none",
    )
    index_follow_seconds: float = _setting(
        2.0,
        "How often this machine's indexer applies what the database has and its indexes lack: "
        "a paper ingested on any machine is searchable on every machine within about this "
        "plus a second. Also how often web processes re-open what the indexer wrote.",
        accepts="seconds, more than 0 and at most 10", gt=0, le=10,
    )

    admin_emails: str = _setting(
        "",
        "Operators' addresses: signed in, they see `/admin` and `/outbox` (or `papertide "
        "admin grant EMAIL`).",
        accepts="email addresses, space- or comma-separated",
    )
    metrics_token: str | None = _setting(
        None,
        "Bearer token that may read `/metrics` from any address; without it only loopback "
        "clients may (see [Deployment](#deployment)).",
        accepts="any text; keep it secret", shown="unset: loopback only",
    )
    trusted_proxies: str = _setting(
        "",
        "Addresses or networks of reverse proxies whose `X-Forwarded-For` names the client "
        "(e.g. `127.0.0.1 10.0.0.0/8`); empty: the connecting address is the client and the "
        "header is ignored.",
        accepts="IP addresses or networks (`10.0.0.0/8`), space- or comma-separated",
    )
    limit_mail_per_address: str = _setting(
        "3/day",
        "Subscription confirmations and address-change links to one address, together, "
        "in a moving window; past it requests still answer 202 and nothing is sent.",
        accepts=_RATE,
    )
    limit_signin_per_address: str = _setting(
        "1 per 10 minutes",
        "Sign-in links to one address, in a moving window: a cool-down, not a daily wall, "
        "so a stranger asking for links cannot keep the reader out (the last link, good for "
        "15 minutes, is in the reader's inbox); past it requests answer 202 and nothing is "
        "sent.",
        accepts=_RATE,
    )
    limit_mail_per_ip: str = _setting(
        "10/hour",
        "Sign-in and subscribe requests from one client network (an IPv4 /24, an IPv6 "
        "/64) in a moving window; 429 past it.",
        accepts=_RATE,
    )
    limit_votes: str = _setting(
        "60/minute", "Votes per client (a signed-in reader, else an IP); 429 past it.",
        accepts=_RATE,
    )
    limit_searches: str = _setting(
        "120/minute",
        "Searches, page and API, and fetches by arXiv id, per client; 429 past it.",
        accepts=_RATE,
    )
    limit_pages: str = _setting(
        "300/minute",
        "Pages per client: every page and every route that sets a cookie (sign-in, "
        "confirmation, preferences, unsubscribe), not static files, feeds or the papers "
        "API; 429 past it.",
        accepts=_RATE,
    )
    limit_imports: str = _setting(
        "10/hour",
        "Library imports (the /library form) per reader, in a moving window: each may queue "
        "hundreds of look-ups at arXiv, which every reader's fetches share; 429 past it.",
        accepts=_RATE,
    )

    sources: str = _setting(
        "",
        "Live sources to pull, e.g. `arxiv-oai:cs.LG,cs.CL,stat.ML hf-daily` (see [Live "
        "sources](#live-sources)).",
        accepts="space-separated items: `arxiv-oai:CATEGORY,…` (option "
        "`format=arXiv|arXivRaw|oai_dc`), `arxiv-api:CATEGORY,…` (option `max=N`, 1 to 2000), "
        "`hf-daily`; categories and archives as arXiv names them",
        shown="empty: pull nothing",
    )
    arxiv_oai_url: str = _setting(
        "https://oaipmh.arxiv.org/oai", "arXiv's OAI-PMH endpoint.",
        accepts="an `http://` or `https://` URL",
    )
    arxiv_api_url: str = _setting(
        "https://export.arxiv.org/api/query", "arXiv's API query endpoint (Atom).",
        accepts="an `http://` or `https://` URL",
    )
    hf_api_url: str = _setting(
        "https://huggingface.co/api",
        "Hugging Face API base; daily papers are read from `<base>/daily_papers`.",
        accepts="an `http://` or `https://` URL",
    )
    contact_email: str | None = _setting(
        None,
        "Contact address in the User-Agent of every request to the live sources (arXiv asks "
        "harvesters for one).",
        accepts=_EMAIL, shown="unset",
    )
    fetch_interval: float = _setting(
        3.0,
        "Fewest seconds between two requests to the same host of a live source (arXiv asks "
        "for 3).",
        accepts="seconds from 0 to 3600", ge=0, le=3600,
    )

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        return check.database_url(value) if value else value

    @field_validator("base_url", "arxiv_oai_url", "arxiv_api_url", "hf_api_url")
    @classmethod
    def _check_web_url(cls, value: str) -> str:
        return check.url(value, _WEB)

    @field_validator("smtp_url")
    @classmethod
    def _check_smtp_url(cls, value: str | None) -> str | None:
        return check.url(value, ("smtp", "smtps")) if value else value

    @field_validator("queue_url", "cache_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        return check.url(value, _REDIS) if value else value

    @field_validator("host")
    @classmethod
    def _check_host(cls, value: str) -> str:
        return check.host(value)

    @field_validator("queue_name")
    @classmethod
    def _check_queue_name(cls, value: str) -> str:
        return check.queue_name(value)

    @field_validator("mail_from")
    @classmethod
    def _check_mail_from(cls, value: str) -> str:
        return check.mail_address(value)

    @field_validator("contact_email")
    @classmethod
    def _check_contact_email(cls, value: str | None) -> str | None:
        return check.mail_address(value) if value else value

    @field_validator("admin_emails")
    @classmethod
    def _check_admin_emails(cls, value: str) -> str:
        return check.admin_addresses(value)

    @field_validator("trusted_proxies")
    @classmethod
    def _check_trusted_proxies(cls, value: str) -> str:
        return check.networks(value)

    @field_validator("limit_mail_per_address", "limit_signin_per_address", "limit_mail_per_ip",
                     "limit_votes", "limit_searches", "limit_pages", "limit_imports")
    @classmethod
    def _check_limit(cls, value: str) -> str:
        return check.rate_limit(value)

    @field_validator("sources")
    @classmethod
    def _check_sources(cls, value: str) -> str:
        # Only the syntax: which names and categories exist is the sources package's to
        # say, checked at start-up (`papertide.startup.check_settings`).
        return check.sources_syntax(value)

    @model_validator(mode="after")
    def _base_url_follows_the_port(self) -> Settings:
        # Unset, the links papertide prints and mails point where `serve` listens: a
        # sign-in link for port 8000 is no use to a server started on another port.
        if "base_url" not in self.model_fields_set:
            host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
            host = f"[{host}]" if ":" in host else host
            self.base_url = f"http://{host}:{self.port}"
        return self

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


def accepted(name: str) -> str:
    """What the setting `name` accepts, as the README and error messages say it."""
    extra = Settings.model_fields[name].json_schema_extra
    assert isinstance(extra, dict)
    return str(extra["accepts"])


def shown_value(name: str, value: object) -> str:
    """A value as an error message may show it: secrets hidden, so are URL passwords."""
    if name in _HIDDEN:
        return "(hidden)"
    text = str(value)
    try:
        parts = urlsplit(text)
        password = parts.password
    except ValueError:  # not a URL (e.g. a broken IPv6 address): nothing to hide in it
        return repr(text)
    if password:
        host = parts.netloc.rpartition("@")[2]
        text = urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
    return repr(text)


def settings_error(error: ValidationError) -> SettingsError:
    """The first problem of a validation error, as a `SettingsError`."""
    first = error.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else ""
    reason = first["msg"].removeprefix("Value error, ")
    reason = reason[:1].lower() + reason[1:]
    if name not in Settings.model_fields:  # not one field's fault; nothing more to name
        return SettingsError("settings", shown_value("", first.get("input", "")), reason, "")
    return SettingsError(ENV_PREFIX + name.upper(), shown_value(name, first.get("input", "")),
                         reason, accepted(name))


def settings_from_env(**overrides: Any) -> Settings:
    """Settings from the environment (and `overrides`), or a `SettingsError` that names the
    first bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise settings_error(exc) from None
