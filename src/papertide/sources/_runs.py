"""The record of every live-source run (the `source_runs` table): what it brought (added,
updated, unchanged, rejected, skipped), how many pages, how long, and how it ended. The
only module that reads or writes that table.

A run is written when it starts (status `running`, so an interrupted one stays visible)
and again when it ends (`ok` or `failed`).

    for run in history(engine, limit=20):
        print(run.started_at, run.spec, run.status, run.added)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from sqlalchemy import Engine, select, update

from papertide.catalog import utcnow
from papertide.db.tables import source_runs

RunStatus = Literal["running", "ok", "failed"]
KEPT_REJECTIONS = 50
KEPT_NOTES = 50
_COUNTS = ("added", "updated", "unchanged", "rejected", "skipped", "pages")


@dataclass
class SourceRun:
    source: str
    spec: str
    started_at: datetime = field(default_factory=utcnow)
    status: RunStatus = "running"
    finished_at: datetime | None = None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0  # records outside the wanted categories, deleted records, empty entries
    pages: int = 0
    errors: list[str] = field(default_factory=list)
    # The first rejections ("where: why"), notes (retitled papers, duplicates, resumptions).
    detail: dict = field(default_factory=lambda: {"rejections": [], "notes": []})
    id: int | None = None

    @property
    def duration(self) -> float | None:
        """Seconds from start to end (None while running)."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def reject(self, where: str) -> None:
        self.rejected += 1
        if len(self.detail["rejections"]) < KEPT_REJECTIONS:
            self.detail["rejections"].append(where)

    def note(self, text: str) -> None:
        if len(self.detail["notes"]) < KEPT_NOTES:
            self.detail["notes"].append(text)

    def as_dict(self) -> dict:
        return {"id": self.id, "source": self.source, "spec": self.spec, "status": self.status,
                "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "duration": self.duration, **{name: getattr(self, name) for name in _COUNTS},
                "errors": list(self.errors), "detail": self.detail}


@dataclass(frozen=True)
class DayCount:
    """What one source brought on one day (UTC), over all its runs that day."""

    day: date
    source: str
    added: int
    updated: int
    runs: int
    failed: int

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "source": self.source, "added": self.added,
                "updated": self.updated, "runs": self.runs, "failed": self.failed}


def start(engine: Engine, run: SourceRun) -> SourceRun:
    with engine.begin() as conn:
        run.id = conn.execute(source_runs.insert().values(
            source=run.source, spec=run.spec, status=run.status, started_at=run.started_at,
            errors=run.errors, detail=run.detail, **{name: 0 for name in _COUNTS},
        ).returning(source_runs.c.id)).scalar_one()
    return run


def finish(engine: Engine, run: SourceRun) -> SourceRun:
    run.finished_at = utcnow()
    with engine.begin() as conn:
        conn.execute(update(source_runs).where(source_runs.c.id == run.id).values(
            status=run.status, finished_at=run.finished_at, errors=run.errors, detail=run.detail,
            **{name: getattr(run, name) for name in _COUNTS}))
    return run


def history(engine: Engine, limit: int = 50, source: str | None = None) -> list[SourceRun]:
    """The latest runs first."""
    query = select(source_runs).order_by(source_runs.c.started_at.desc(), source_runs.c.id.desc())
    if source:
        query = query.where(source_runs.c.source == source)
    with engine.connect() as conn:
        rows = conn.execute(query.limit(limit)).all()
    return [SourceRun(source=r.source, spec=r.spec, started_at=r.started_at, status=r.status,
                      finished_at=r.finished_at, errors=list(r.errors), detail=dict(r.detail),
                      id=r.id, **{name: getattr(r, name) for name in _COUNTS}) for r in rows]


def per_day(engine: Engine, days: int = 30, source: str | None = None,
            today: date | None = None) -> list[DayCount]:
    """Papers added and updated per day and source over the last `days` days (by the day
    each run started), oldest first; days without runs are left out."""
    first = (today or utcnow().date()) - timedelta(days=days - 1)
    query = (select(source_runs.c.source, source_runs.c.started_at, source_runs.c.status,
                    source_runs.c.added, source_runs.c.updated)
             .where(source_runs.c.started_at >= datetime.combine(first, time.min)))
    if source:
        query = query.where(source_runs.c.source == source)
    totals: dict[tuple[date, str], list[int]] = {}
    with engine.connect() as conn:
        for row in conn.execute(query):
            counts = totals.setdefault((row.started_at.date(), row.source), [0, 0, 0, 0])
            counts[0] += row.added
            counts[1] += row.updated
            counts[2] += 1
            counts[3] += row.status == "failed"
    return [DayCount(day, name, *counts) for (day, name), counts in sorted(totals.items())]
