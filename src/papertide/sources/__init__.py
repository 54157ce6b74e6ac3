"""Sources: each module turns one input format into catalog records (`Paper`) and
`Rejected` entries for what it could not read. Files: the trending listing, JSON lines,
arXiv's metadata snapshot. Live: arXiv OAI-PMH, the arXiv API, Hugging Face daily papers,
through the polite HTTP client, each run recorded with its state and claim.

    from papertide.sources import read_file
    for item in read_file(Path("listing.txt"), "auto"): ...

    from papertide.sources import fetch, run_history
    run = fetch(catalog, "arxiv-oai:cs.LG,cs.CL", settings)   # a SourceRun
    if claims.claim(engine, "hf-daily", holder): …            # one run of a source at a time

The fronts do not call these: `papertide.intake` pulls the sources and fetches by id.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from papertide.catalog import Paper
from papertide.sources import _claims, arxiv_snapshot, jsonl, listing
from papertide.sources._claims import Claim
from papertide.sources._common import Rejected, iter_lines
from papertide.sources._errors import FetchError, MalformedResponse, SourceError
from papertide.sources._http import PoliteClient, client_for, request_client
from papertide.sources._runs import DayCount, RunStatus, SourceRun
from papertide.sources._spec import (
    OAI_FORMATS,
    SOURCE_KINDS,
    OaiFormat,
    SourceKind,
    SourceSpec,
    SpecError,
    parse_source,
    parse_sources,
)
from papertide.sources.live import fetch, fetched_per_day, harvest_states, lookup_ids, run_history

__all__ = ["FORMATS", "OAI_FORMATS", "SOURCE_KINDS", "Claim", "DayCount", "FetchError",
           "MalformedResponse", "OaiFormat", "PoliteClient", "Rejected", "RunStatus",
           "SourceError", "SourceKind", "SourceRun", "SourceSpec", "SpecError", "claims",
           "client_for", "detect_format", "fetch", "fetched_per_day",
           "harvest_states", "lookup_ids", "parse_source", "parse_sources", "read_file",
           "request_client", "run_history"]

claims = _claims  # claim / renew / release / get: one run of a source at a time

FORMATS = {"listing": listing.read, "jsonl": jsonl.read, "arxiv-snapshot": arxiv_snapshot.read}
_SNAPSHOT_KEYS = {"submitter", "authors_parsed", "versions", "journal-ref"}


def detect_format(path: Path) -> str:
    """`arxiv-snapshot` or `jsonl` for JSON lines (by the keys of the first record),
    `listing` for anything else."""
    for line in iter_lines(path):
        if line.text is None or not line.text.strip():
            continue
        try:
            first = json.loads(line.text)
        except (ValueError, RecursionError):  # not JSON, too many digits, nested too deep
            return "jsonl" if line.text.lstrip().startswith("{") else "listing"
        if isinstance(first, dict) and _SNAPSHOT_KEYS & first.keys():
            return "arxiv-snapshot"
        return "jsonl"
    return "listing"


def read_file(path: Path, fmt: str = "auto",
              on_bytes: Callable[[int], None] | None = None) -> Iterator[Paper | Rejected]:
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from auto, {', '.join(FORMATS)}")
    return FORMATS[fmt](path, on_bytes)
