"""The catalog: paper records, their identity (arXiv id, DOI, normalised title) and storage.

    from papertide.catalog import open_catalog
    catalog = open_catalog(settings)
    catalog.upsert([Paper(title="…", abstract="…", arxiv_id="2503.11731")])
"""

from papertide.catalog._calendar import announcement_day, is_announcement_day, last_announcement
from papertide.catalog._identity import normalize_doi, paper_key, parse_arxiv_id, title_key
from papertide.catalog._links import code_url, find_urls, split_urls, web_url
from papertide.catalog._paper import Paper
from papertide.catalog._signals import Signal, SignalName
from papertide.catalog._store import (
    Catalog,
    CatalogStats,
    DayEntry,
    UpsertResult,
    listing_time,
    utcnow,
)
from papertide.catalog._text import readable
from papertide.catalog._valid import (
    EARLIEST,
    ID_WIDTHS,
    LATEST,
    MAX_NUMBER,
    InvalidPaper,
    clamp,
    in_range,
    is_web_url,
    text_problem,
    validate,
)
from papertide.config import Settings
from papertide.db import connect

__all__ = ["EARLIEST", "ID_WIDTHS", "LATEST", "MAX_NUMBER", "Catalog", "CatalogStats", "DayEntry",
           "InvalidPaper", "Paper", "Signal", "SignalName", "UpsertResult", "announcement_day",
           "clamp", "code_url", "find_urls", "in_range", "is_announcement_day", "is_web_url",
           "last_announcement", "listing_time", "normalize_doi", "open_catalog", "paper_key",
           "parse_arxiv_id", "readable", "split_urls", "text_problem", "title_key", "utcnow",
           "validate", "web_url"]


def open_catalog(settings: Settings) -> Catalog:
    return Catalog(connect(settings.resolved_database_url))
