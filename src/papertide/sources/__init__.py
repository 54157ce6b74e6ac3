"""Sources: each module turns one input format into catalog records (`Paper`) and
`Rejected` entries for what it could not read.

    from papertide.sources import read_file
    for item in read_file(Path("listing.txt"), "auto"): ...
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from papertide.catalog import Paper
from papertide.sources import arxiv_snapshot, jsonl, listing
from papertide.sources._common import Rejected, iter_lines

__all__ = ["FORMATS", "Rejected", "detect_format", "read_file"]

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
        except json.JSONDecodeError:
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
