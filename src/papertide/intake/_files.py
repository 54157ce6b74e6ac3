"""Files → catalog: read source files into the catalog in batches. `Intake.load_files`
(`papertide ingest`, `make run`) feeds the keyword index as batches commit.

Each batch is one transaction: a malformed record is rejected (file, line, reason) and
the rest of the file goes in; nothing half-written stays behind. A file that cannot be
read to its end (a cut or corrupt gzip stream, not gzip, empty, a directory) keeps every
record before the problem and is listed in `unreadable` (`file: truncated gzip stream
after line 490`): the CLI prints the summary and exits with status 3.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from papertide.catalog import Catalog, Paper, UpsertResult
from papertide.sources import Rejected, read_file

BATCH_SIZE = 2000
KEPT_REJECTIONS = 100


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[Rejected] = field(default_factory=list)  # the first KEPT_REJECTIONS
    changed: int = 0
    unreadable: list[Rejected] = field(default_factory=list)  # files not read to their end

    def reject(self, item: Rejected) -> None:
        if item.whole_file:
            self.unreadable.append(item)
            return
        self.rejected += 1
        if len(self.rejections) < KEPT_REJECTIONS:
            self.rejections.append(item)

    def as_dict(self) -> dict:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "rejections": [str(r) for r in self.rejections],
                "unreadable": [str(r) for r in self.unreadable]}


OnChanged = Callable[[UpsertResult], None]


def ingest_records(
    catalog: Catalog,
    items: Iterable[Paper | Rejected],
    report: IngestReport,
    batch_size: int = BATCH_SIZE,
    on_changed: OnChanged | None = None,
) -> IngestReport:
    batch: list[Paper] = []
    seen = 0  # records given so far: what names one the catalog refuses

    def flush() -> None:
        result = catalog.upsert(batch)
        first = seen - len(batch) + 1
        for position, why in result.rejected:
            report.reject(Rejected("record", first + position, why))
        report.added += result.added
        report.updated += result.updated
        report.unchanged += result.unchanged
        report.changed += len(result.changed)
        if on_changed and result.changed:
            on_changed(result)
        batch.clear()

    for item in items:
        if isinstance(item, Rejected):
            report.reject(item)
            continue
        seen += 1
        batch.append(item)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return report


def ingest_files(catalog: Catalog, paths: Iterable[Path], fmt: str = "auto",
                 on_bytes: Callable[[int], None] | None = None,
                 on_changed: OnChanged | None = None) -> IngestReport:
    """Ingest every file. `on_changed` sees each committed batch's changed papers (the
    search service feeds its index from it); without it, call `SearchService.catch_up`."""
    report = IngestReport()
    for path in paths:
        ingest_records(catalog, read_file(Path(path), fmt, on_bytes), report, on_changed=on_changed)
    return report
