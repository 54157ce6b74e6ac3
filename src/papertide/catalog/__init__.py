"""The catalog: paper records, their identity (arXiv id, DOI, normalised title) and storage.

    from papertide.catalog import open_catalog
    catalog = open_catalog(settings)
    catalog.upsert([Paper(title="…", abstract="…", arxiv_id="2503.11731")])
"""

from papertide.catalog._calendar import announcement_day
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
from papertide.config import Settings
from papertide.db import connect

__all__ = ["Catalog", "CatalogStats", "DayEntry", "Paper", "Signal", "SignalName",
           "UpsertResult", "announcement_day", "code_url", "find_urls", "listing_time",
           "normalize_doi", "open_catalog", "paper_key", "parse_arxiv_id", "readable",
           "split_urls", "title_key", "utcnow", "web_url"]


def open_catalog(settings: Settings) -> Catalog:
    return Catalog(connect(settings.resolved_database_url))
