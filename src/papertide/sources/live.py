"""Running the live sources as recorded runs: what `papertide.intake` calls to pull them
and to fetch papers by arXiv id.

    run = fetch(catalog, "arxiv-oai:cs.LG,cs.CL", settings, on_changed=feed)
    run = lookup_ids(catalog, ["2503.15457", "2206.06921"], settings)   # by arXiv id
    for run in run_history(catalog.engine, limit=20): …
    fetched_per_day(catalog.engine, days=30)     # papers each source brought, day by day

Each call is one run of one source, recorded in `source_runs` when it starts and when it
ends: what it added, updated, left unchanged, rejected and skipped, how many pages, how
long, and the errors. A source that fails (unreachable, malformed answers, an OAI-PMH
error) makes a `failed` run, never an exception: the pages it committed stay, the page it
failed on left nothing, and its saved state lets the next run resume. Any other exception
(a bug, the database gone) is recorded and raised.

`on_changed` sees each committed page's changed papers, as in `ingest_files`: the search
service feeds its keyword index from it (`with services.search.feeding() as feed`).
`on_page` sees the run after each page, its counts up to date (progress displays, leases).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine

from papertide.catalog import Catalog, parse_arxiv_id
from papertide.config import Settings
from papertide.sources import _runs, _state, arxiv_api, arxiv_oai, hf_daily
from papertide.sources._errors import SourceError
from papertide.sources._harvest import Harvest, OnChanged, OnPage
from papertide.sources._http import PoliteClient, client_for
from papertide.sources._runs import DayCount, SourceRun
from papertide.sources._spec import SourceKind, SourceSpec, parse_source

log = logging.getLogger("papertide.sources")

Fetcher = Callable[[Harvest, SourceSpec, "date | None", "date | None"], None]
FETCHERS: dict[SourceKind, Fetcher] = {
    "arxiv-oai": arxiv_oai.fetch,
    "arxiv-api": arxiv_api.fetch,
    "hf-daily": hf_daily.fetch,
}


def fetch(catalog: Catalog, spec: SourceSpec | str, settings: Settings, *,
          on_changed: OnChanged | None = None, on_page: OnPage | None = None,
          client: PoliteClient | None = None, since: date | None = None,
          until: date | None = None) -> SourceRun:
    """One run of one source (a `SourceSpec` or its text, e.g. `hf-daily`). `since` and
    `until` (inclusive) replace the window the source would choose from its saved state."""
    spec = parse_source(spec) if isinstance(spec, str) else spec

    def work(harvest: Harvest) -> None:
        FETCHERS[spec.kind](harvest, spec, since, until)

    return _recorded(catalog, SourceRun(source=spec.kind, spec=str(spec)), settings, work,
                     on_changed, on_page, client)


def lookup_ids(catalog: Catalog, ids: list[str], settings: Settings, *,
               on_changed: OnChanged | None = None, on_page: OnPage | None = None,
               client: PoliteClient | None = None) -> SourceRun:
    """Look papers up by arXiv id through the arXiv API and add them: one recorded run
    (`arxiv-api --id …`); the ids arXiv does not know are listed in `detail["missing"]`.
    Raises ValueError for a text that is no arXiv id."""
    wanted = []
    for value in ids:
        parsed = parse_arxiv_id(value)
        if parsed is None:
            raise ValueError(f"{value!r} is not an arXiv id (e.g. 2503.15457 or hep-th/9901001)")
        wanted.append(parsed[0])
    wanted = list(dict.fromkeys(wanted))
    spec = "arxiv-api --id " + " ".join(wanted)

    def work(harvest: Harvest) -> None:
        missing: list[str] = []
        for start in range(0, len(wanted), arxiv_api.PAGE_SIZE):
            chunk = wanted[start:start + arxiv_api.PAGE_SIZE]
            papers, unknown = arxiv_api.lookup(harvest.client, settings.arxiv_api_url, chunk)
            harvest.commit(f"ids {start + 1}-{start + len(chunk)}", papers)
            missing += unknown
        harvest.run.detail["missing"] = missing
        if missing:
            harvest.note(f"arXiv has no paper {', '.join(missing)}")

    return _recorded(catalog, SourceRun(source="arxiv-api", spec=spec[:2000]), settings, work,
                     on_changed, on_page, client)


def _recorded(catalog: Catalog, run: SourceRun, settings: Settings,
              work: Callable[[Harvest], None], on_changed: OnChanged | None,
              on_page: OnPage | None, client: PoliteClient | None) -> SourceRun:
    """Run `work` as one recorded run: started, finished, failed on a source error."""
    run = _runs.start(catalog.engine, run)
    own_client = client is None
    client = client or client_for(settings)
    try:
        work(Harvest(catalog, settings, client, run, on_changed, on_page))
    except SourceError as exc:
        run.errors.append(str(exc))
        log.error("%s: %s", run.spec, exc)
    except BaseException as exc:
        run.errors.append(f"{type(exc).__name__}: {exc}")
        run.status = "failed"
        _finish_quietly(catalog.engine, run)
        raise
    finally:
        if own_client:
            client.close()
    run.status = "failed" if run.errors else "ok"
    _runs.finish(catalog.engine, run)
    log.info("%s: %s in %.1f s: %d added, %d updated, %d unchanged, %d rejected, %d skipped, "
             "%d pages", run.spec, run.status, run.duration, run.added, run.updated,
             run.unchanged, run.rejected, run.skipped, run.pages)
    return run


def _finish_quietly(engine: Engine, run: SourceRun) -> None:
    try:
        _runs.finish(engine, run)
    except Exception:  # the database may be what failed; the original error matters more
        log.exception("%s: could not record the failed run", run.spec)


def run_history(engine: Engine, limit: int = 50, source: str | None = None) -> list[SourceRun]:
    """The latest runs first (all sources, or one source kind such as `arxiv-oai`)."""
    return _runs.history(engine, limit, source)


def fetched_per_day(engine: Engine, days: int = 30, source: str | None = None,
                    today: date | None = None) -> list[DayCount]:
    """What each source brought per day over the last `days` days (by the day its runs
    started, UTC), oldest first: the data of an admin page's "papers per day" chart."""
    return _runs.per_day(engine, days, source, today)


def harvest_states(engine: Engine, source: str | None = None) -> list[tuple[str, str, dict]]:
    """Where each harvest stands: (source, scope, state), e.g. the last OAI datestamp."""
    return _state.all_states(engine, source)
