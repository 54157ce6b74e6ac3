"""The paper record: what every source produces and what the catalog stores and returns."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from papertide.catalog._valid import is_web_url


@dataclass
class Paper:
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    arxiv_id: str | None = None
    doi: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    # The date of the arXiv listing that first carried the paper (see `catalog._calendar`),
    # or the day a listing such as Hugging Face's daily papers showed it; None if unknown.
    announced: date | None = None
    version: int | None = None
    url_abs: str | None = None
    url_pdf: str | None = None
    url_code: str | None = None
    comment: str | None = None
    journal_ref: str | None = None
    sources: list[str] = field(default_factory=list)
    rank_hint: int | None = None
    # Set by the catalog (or carried by papertide's own export):
    id: str = ""  # empty until the catalog assigns one
    votes: int = 0
    views: int = 0
    saves: int = 0
    first_seen: datetime | None = None

    CONTENT_FIELDS = (
        "title", "abstract", "authors", "categories", "arxiv_id", "doi", "published",
        "updated", "version", "url_abs", "url_pdf", "url_code", "comment", "journal_ref",
        "announced",
    )
    # Fields added after papers were first stored: they enter the hash only once set, so
    # the hashes stored before they existed stay valid and a re-ingest changes nothing.
    LATER_FIELDS = frozenset({"announced"})

    def content_hash(self) -> str:
        """Hash of the fields a re-ingest may change (not counters, not provenance)."""
        parts = []
        for name in self.CONTENT_FIELDS:
            value = getattr(self, name)
            if value is None and name in self.LATER_FIELDS:
                continue
            parts.append("\x1e".join(value) if isinstance(value, list) else str(value))
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def text_hash(self) -> str:
        """Hash of the text that embeddings are computed from."""
        return hashlib.sha256(f"{self.title}\n{self.abstract}".encode()).hexdigest()

    def to_json(self) -> dict:
        data = asdict(self)
        for key in ("published", "updated", "announced", "first_seen"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return data

    @property
    def links(self) -> dict[str, str]:
        """The http(s) links: a row stored before the catalog checked schemes may hold
        others (`javascript:…`), which are never shown."""
        pairs = (("abs", self.url_abs), ("pdf", self.url_pdf), ("code", self.url_code))
        return {name: url for name, url in pairs if url and is_web_url(url)}
