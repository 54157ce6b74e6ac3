"""The `papertide` command: a thin front over the same functions the web app calls.

    papertide ingest papers.jsonl.gz          # load papers, then catch the indexes up
    papertide fetch                           # pull every PAPERTIDE_SOURCES item now
    papertide search "multi-agent RL" --json  # search from the shell
    papertide serve                           # the web app on http://127.0.0.1:8000
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import sys
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Optional

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from papertide import trending as trending_mod
from papertide.config import Settings
from papertide.intake import IngestReport
from papertide.mathtext import to_plain
from papertide.options import Mode, Sort, Window
from papertide.readers import Reader
from papertide.search import Filters
from papertide.services import Services, open_services
from papertide.sources import SourceRun
from papertide.startup import settings_or_exit

if TYPE_CHECKING:
    from papertide.catalog import Paper

app = typer.Typer(help="papertide: trending research papers, searched and delivered.",
                  no_args_is_help=True, add_completion=False)
readers_app = typer.Typer(help="Readers: add, list, API tokens.", no_args_is_help=True)
digest_app = typer.Typer(help="Digests: preview and run an edition.", no_args_is_help=True)
admin_app = typer.Typer(help="Operators: roles and sign-in links.", no_args_is_help=True)
library_app = typer.Typer(help="Readers' libraries: save, remove, list, export, import.",
                          no_args_is_help=True)


@app.callback()
def check_settings_first() -> None:
    """Every command starts with the settings checked: a bad value ends it here."""
    settings_or_exit()


app.add_typer(readers_app, name="readers")
app.add_typer(library_app, name="library")
app.add_typer(digest_app, name="digest")
app.add_typer(admin_app, name="admin")
EMBED_SHARDS = 4
# `ingest`'s exit status when a file could not be read to its end (its good records are
# kept and the summary printed): neither a crash (1) nor a usage error (2).
UNREADABLE_EXIT = 3
SHOWN_SKIPPED = 20  # papers an index could not take, listed by `stats`
console = Console(stderr=True)


Format = Literal["auto", "listing", "jsonl", "arxiv-snapshot"]
LibraryFormat = Literal["bibtex", "csl-json", "jsonl"]
LibraryOrder = Literal["saved", "published"]


def _services() -> Services:
    return open_services(Settings())


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                    MofNCompleteColumn(), TimeRemainingColumn(), console=console)


# What each step the indexes report is, in a reader's words: a bar names its stage.
STAGES = {"embedding": "embedding abstracts", "keyword": "indexing words (keyword index)",
          "vectors": "indexing vectors (semantic index)"}
_LOADING_MODEL = "embedding abstracts: loading the model"


def _progress_report(progress: Progress) -> Callable[[str, int, int], None]:
    """One progress bar per stage, as the indexes report (name, done, total); embedding
    says that it is loading its model until the first papers are embedded."""
    tasks: dict[str, TaskID] = {}

    def report(name: str, done: int, total: int) -> None:
        stage = STAGES.get(name, name)
        if name == "embedding" and done == 0:
            stage = _LOADING_MODEL
        if name not in tasks:
            tasks[name] = progress.add_task(stage, total=total)
        progress.update(tasks[name], completed=done, total=total, description=stage)

    return report


def catch_up_indexes(
    services: Services, rebuild: bool = False, embed: bool = False
) -> dict[str, int]:
    """Bring every derived index level with the catalog, with a progress bar each."""
    with _progress() as progress:
        report = _progress_report(progress)
        if rebuild:
            return services.search.rebuild(report, embed=embed)
        return services.search.catch_up(report, embed=embed)


def _print_report(report: IngestReport) -> None:
    table = Table(title="ingest")
    for name in ("added", "updated", "unchanged", "rejected"):
        table.add_column(name, justify="right")
    table.add_row(
        *(f"{getattr(report, n):,}" for n in ("added", "updated", "unchanged", "rejected"))
    )
    Console().print(table)  # the result on standard output; what went wrong on stderr
    for rejection in report.rejections:
        console.print(f"[yellow]rejected[/] {rejection}", highlight=False, markup=True)
    if report.rejected > len(report.rejections):
        console.print(f"… and {report.rejected - len(report.rejections):,} more rejected records")
    for problem in report.unreadable:
        console.print(f"[red]unreadable[/] {problem}", highlight=False, markup=True)


def run_ingest(services: Services, paths: list[Path], fmt: str) -> IngestReport:
    total = sum(p.stat().st_size for p in paths)
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
               DownloadColumn(), TimeRemainingColumn())
    what = paths[0].name if len(paths) == 1 else f"{len(paths)} files"
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"loading {what}", total=total)
        return services.intake.load_files(paths, fmt,
                                          on_bytes=lambda n: progress.advance(task, n))


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(
        ..., exists=True, dir_okay=False, help="Files to read (.gz is fine)."
    ),
    format: Format = typer.Option(
        "auto", "--format", "-f", help="Input format; auto looks at the file."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Load papers from files into the catalog, then update the search indexes."""
    services = _services()
    report = run_ingest(services, paths, format)
    _index_after(services, report.changed)
    if json_out:
        print(json.dumps(report.as_dict()))
    else:
        _print_report(report)
    if report.unreadable:
        raise typer.Exit(UNREADABLE_EXIT)


def _index_after(services: Services, changed: int) -> None:
    """After papers came in: the indexes, and embedding as `ingest` does it (right away in
    the embedded setup, as queued jobs with a queue URL)."""

    def queue_embedding() -> None:
        from papertide.jobs import Jobs

        Jobs(services).enqueue_embedding(shards=EMBED_SHARDS)

    with _progress() as progress:
        if services.intake.index_new(changed, _progress_report(progress), queue_embedding):
            console.print(f"embedding queued in {EMBED_SHARDS} jobs for the workers")


_RUN_COLUMNS = ("added", "updated", "unchanged", "rejected", "skipped", "pages")


def _run_progress_text(run: SourceRun) -> str:
    return (f"page {run.pages} · {run.added:,} added · {run.updated:,} updated · "
            f"{run.unchanged:,} unchanged · {run.rejected:,} rejected")


def _print_runs(rows: list[dict]) -> None:
    """One summary line per run (they read at any terminal width), errors beneath."""
    for row in rows:
        if row["status"] == "skipped":
            console.print(f"[bold]{row['spec']}[/]: skipped, {row['reason']}", highlight=False)
            continue
        counts = ", ".join(f"{row[c]:,} {c}" for c in _RUN_COLUMNS)
        duration = row.get("duration")
        took = f" in {duration:.1f} s" if duration is not None else ""
        colour = {"ok": "green", "failed": "red"}.get(row["status"], "yellow")
        console.print(f"[bold]{row['spec']}[/]: [{colour}]{row['status']}[/]{took}: {counts}",
                      highlight=False)
        for error in row["errors"]:
            console.print(f"  [red]error[/] {error}", highlight=False)


@app.command()
def fetch(
    source: Optional[list[str]] = typer.Argument(
        None, help="Sources to pull, in PAPERTIDE_SOURCES item syntax (e.g. arxiv-oai:cs.LG "
        "hf-daily); default: every item of PAPERTIDE_SOURCES."),
    ids: list[str] = typer.Option(
        [], "--id", help="With SOURCE arxiv-api: look this arXiv id up; repeat for more."),
    json_out: bool = typer.Option(False, "--json", help="Print the runs as a JSON array."),
) -> None:
    """Pull new papers from the live sources now, then update the search indexes."""
    from papertide.sources import SpecError, parse_source

    services = _services()
    names = source or []
    if ids and names not in ([], ["arxiv-api"]):
        raise typer.BadParameter("--id looks papers up through the arXiv API: give SOURCE "
                                 "arxiv-api (or none) with it", param_hint="SOURCE")
    try:
        specs = [parse_source(name) for name in names] if not ids else []
    except SpecError as exc:
        raise typer.BadParameter(str(exc), param_hint="SOURCE") from None
    if not ids and not specs and not services.settings.sources.split():
        raise typer.BadParameter("nothing to fetch: name a source (e.g. hf-daily) or set "
                                 "PAPERTIDE_SOURCES", param_hint="SOURCE")
    columns = (SpinnerColumn(), TextColumn("{task.description}"),
               TextColumn("{task.fields[status]}"), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        tasks: dict[str, TaskID] = {}

        def started(name: str) -> None:
            tasks[name] = progress.add_task(f"fetching {name}", total=None, status="starting")

        def paged(run: SourceRun) -> None:
            if run.spec not in tasks:
                started(run.spec)
            progress.update(tasks[run.spec], status=_run_progress_text(run))

        if ids:
            try:
                run = services.intake.fetch_by_id(ids, on_page=paged)
            except ValueError as exc:
                raise typer.BadParameter(str(exc), param_hint="--id") from None
            rows = [run.as_dict()]
            changed = run.added + run.updated
        else:
            outcomes = services.intake.pull(specs or None, on_start=started, on_page=paged)
            rows = [o.as_dict() for o in outcomes]
            changed = sum(o.changed for o in outcomes)
        for task in tasks.values():
            progress.update(task, total=1, completed=1)
    _index_after(services, changed)
    if json_out:
        print(json.dumps(rows, ensure_ascii=False, default=str))
    else:
        _print_runs(rows)
        for row in rows:
            for note in row.get("detail", {}).get("notes", [])[:5]:
                console.print(f"[dim]{row['spec']}:[/] {note}", highlight=False)
    if any(row["status"] == "failed" for row in rows):
        raise typer.Exit(1)


@app.command("sources")
def sources_history(
    limit: int = typer.Option(20, "--limit", min=1, max=1000, help="How many runs, latest first."),
    kind: Optional[str] = typer.Option(
        None, "--source", help="Only this source: arxiv-oai, arxiv-api or hf-daily."),
    json_out: bool = typer.Option(False, "--json", help="Print the runs as a JSON array."),
) -> None:
    """The history of live-source runs: what each fetched, how long it took, its errors."""
    from papertide.sources import run_history

    runs = run_history(_services().catalog.engine, limit, kind)
    rows = [run.as_dict() for run in runs]
    if json_out:
        print(json.dumps(rows, ensure_ascii=False, default=str))
        return
    if not rows:
        console.print("no runs yet: set PAPERTIDE_SOURCES and run `papertide fetch`")
        return
    for row in rows:
        row["spec"] = f"{row['started_at'][:16].replace('T', ' ')} {row['spec']}"
    _print_runs(rows)


@app.command("load-demo")
def load_demo(
    hf_today: bool = typer.Option(True, "--hf-today/--offline",
                                  help="Also add today's Hugging Face daily papers (one "
                                  "request, 5 seconds at most); skipped quietly offline."),
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Load the bundled demo corpus: the trending listing papertide grew from and 2,000
    recent arXiv papers (authors, categories, announcement days, code links)."""
    services = _services()
    demo = resources.files("papertide") / "demo"
    report = IngestReport()
    for name, fmt in (("trending-listing.txt", "listing"), ("arxiv-recent.jsonl.gz", "jsonl")):
        with resources.as_file(demo / name) as path:
            part = run_ingest(services, [path], fmt)
        for count in ("added", "updated", "unchanged", "rejected", "changed"):
            setattr(report, count, getattr(report, count) + getattr(part, count))
        report.rejections += part.rejections
        report.unreadable += part.unreadable
    if hf_today:
        _add_hf_today(services)
    catch_up_indexes(services, embed=services.settings.embed_on_ingest)
    if json_out:
        print(json.dumps(report.as_dict()))
    else:
        _print_report(report)


def _add_hf_today(services: Services) -> None:
    import httpx

    from papertide.sources import hf_daily
    from papertide.sources._errors import MalformedResponse

    try:
        papers, signals, _ = hf_daily.fetch_today(services.settings, budget=5.0)
    except (httpx.HTTPError, MalformedResponse) as exc:
        console.print(f"Hugging Face daily papers: not reached ({type(exc).__name__}), "
                      "going on without them")
        return
    result = services.catalog.upsert(papers, signals)
    console.print(f"Hugging Face daily papers: {len(papers)} today, {result.added} new")


@app.command()
def export(
    path: Optional[Path] = typer.Argument(None, help="Output file; standard output when left out."),
) -> None:
    """Write the whole catalog as papertide JSON lines (ingest reads it back losslessly)."""
    services = _services()
    count = 0
    with open(path, "w", encoding="utf-8") if path else contextlib.nullcontext(sys.stdout) as out:
        for paper in services.catalog.iter_papers():
            out.write(json.dumps(paper.to_json(), ensure_ascii=False) + "\n")
            count += 1
    console.print(f"exported {count:,} papers")


@app.command("migrate-store")
def migrate_store(
    to: str = typer.Option(..., "--to", help="SQLAlchemy URL of the new database, e.g. "
                           "postgresql+psycopg://user@host/papertide (migrated first)."),
    batch_size: int = typer.Option(1000, "--batch-size", min=1, max=100_000,
                                   help="Rows per read and per write transaction."),
    json_out: bool = typer.Option(False, "--json", help="Print the counts per table as JSON."),
) -> None:
    """Copy the whole store (papers, engagement, readers, sessions, deliveries, source
    state, …) to another database, check the counts per table; safe to run again."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from papertide.db import connect, copy_store

    settings = Settings()
    try:
        shown = make_url(to).render_as_string(hide_password=True)
    except ArgumentError:
        raise typer.BadParameter(f"{to!r} is not a database URL", param_hint="--to") from None
    source = _services().catalog.engine
    console.print(f"migrating {shown} to the latest schema")
    try:
        target = connect(to)
    except (OperationalError, NoSuchModuleError) as exc:
        raise typer.BadParameter(f"cannot open {shown}: {str(exc).splitlines()[0]}",
                                 param_hint="--to") from None
    with _progress() as progress:
        tasks: dict[str, TaskID] = {}

        def report(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = progress.add_task(f"copying {name}", total=total or 1)
            progress.update(tasks[name], completed=done if total else 1)

        try:
            result = copy_store(source, target, batch_size, report)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--to") from None
    source_shown = make_url(settings.resolved_database_url).render_as_string()
    if json_out:
        print(json.dumps({"source": source_shown, "target": shown,
                          "counts_match": not result.mismatches(),
                          "tables": [{"table": t.name, "source_rows": t.source_rows,
                                      "target_rows": t.target_rows, "written": t.copied,
                                      "deleted": t.pruned} for t in result.tables]}))
    else:
        table = Table(title=f"{source_shown} → {shown}")
        for column in ("table", "source rows", "target rows", "written", "deleted"):
            table.add_column(column, justify="left" if column == "table" else "right")
        for t in result.tables:
            table.add_row(t.name, f"{t.source_rows:,}", f"{t.target_rows:,}", f"{t.copied:,}",
                          f"{t.pruned:,}", style="red" if t.source_rows != t.target_rows else None)
        Console().print(table)
    if result.mismatches():
        console.print("[red]the counts differ[/] (the source changed while copying?): stop "
                      "every papertide process on the old store and run this again")
        raise typer.Exit(1)
    console.print("every table copied and counted; point PAPERTIDE_DATABASE_URL at the new "
                  "database")


def _date(value: Optional[str], name: str) -> Optional[datetime]:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from None


def _print_papers(rows: list[dict], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table(show_lines=False)
    table.add_column("score", justify="right")
    table.add_column("id")
    table.add_column("title")
    for row in rows:  # the title as text (math in Unicode), never read as Rich markup
        table.add_row(f"{row['score']:.3f}", row["id"], Text(to_plain(row["title"])))
    Console().print(table)


@app.command()
def search(
    query: str = typer.Argument(
        ..., help='Query: words, "phrases", -exclusions, ti: au: abs: cat: id:'
    ),
    limit: int = typer.Option(10, min=1, max=100, help="How many results."),
    offset: int = typer.Option(0, min=0, help="Skip this many results (pagination)."),
    since: Optional[str] = typer.Option(None, help="Published on or after (YYYY-MM-DD)."),
    until: Optional[str] = typer.Option(None, help="Published on or before (YYYY-MM-DD)."),
    category: Optional[str] = typer.Option(
        None, help="arXiv category, e.g. cs.LG (or cs for all of cs)."
    ),
    author: Optional[str] = typer.Option(None, help="Author name."),
    sort: Sort = typer.Option("relevance", help="Order of results."),
    mode: Optional[Mode] = typer.Option(
        None, help="keyword, semantic or hybrid (default: setting)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON array of results."),
) -> None:
    """Search the catalog."""
    services = _services()
    filters = Filters(_date(since, "--since"), _date(until, "--until"), category, author)
    page = services.search.search(query, filters, sort, mode, limit, offset)
    rows = [{"id": h.paper.id, "title": h.paper.title, "score": round(h.score, 6),
             "authors": h.paper.authors, "categories": h.paper.categories,
             "published": h.paper.published.date().isoformat() if h.paper.published else None}
            for h in page.hits]
    _print_papers(rows, json_out)
    if not json_out:
        for name in page.missing:
            arxiv = name.removeprefix("arXiv:")
            hint = f": `papertide fetch arxiv-api --id {arxiv}`" if arxiv != name else ""
            console.print(f"{name} is not in the catalog{hint}", highlight=False, markup=False)
        if not page.hits and page.suggestions:
            console.print("No papers match. Try: " + "; ".join(page.suggestions), highlight=False,
                          markup=False)


@app.command()
def trending(
    window: Window = typer.Option("week", help="Time window."),
    limit: int = typer.Option(10, min=1, max=100, help="How many papers."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """Show the trending papers."""
    services = _services()
    rows = [{"id": p.id, "title": p.title, "score": round(score, 6), "votes": p.votes,
             "views": p.views, "saves": p.saves}
            for p, score in trending_mod.trending(services.catalog, window, limit)]
    _print_papers(rows, json_out)


@app.command()
def index(
    rebuild: bool = typer.Option(
        False, "--rebuild", help="Start the indexes over from the catalog."
    ),
    embed: bool = typer.Option(
        True,
        "--embed/--no-embed",
        help="Embed papers that are new or whose text changed (resumable).",
    ),
    follow: bool = typer.Option(
        False, "--follow", help="Then keep following the database: this machine's indexer."),
    json_out: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """Catch the search indexes up with the catalog: keyword index, embeddings, vectors."""
    from papertide.search import IndexBusy

    services = _services()
    with services.search.lock.writing() as mine:
        if not mine and not follow:
            console.print(f"another process indexes {services.settings.resolved_index_dir}: it "
                          "applies what the database has by itself", highlight=False)
    try:
        counts = catch_up_indexes(services, rebuild=rebuild, embed=embed and not follow)
    except IndexBusy as exc:
        console.print(f"[red]{exc}[/]", highlight=False)
        raise typer.Exit(1) from None
    if json_out:
        print(json.dumps(counts), flush=True)
    else:
        print(", ".join(f"{name}: {count:,} papers indexed" for name, count in counts.items()),
              flush=True)
    if follow:
        _follow(services)


def _follow(services: Services) -> None:
    """Follow the database until interrupted, saying what each round indexed."""
    follower = services.search.follower()
    waiting = False

    def said(indexer: bool, counts: dict[str, int]) -> None:
        nonlocal waiting
        if not indexer and not waiting:
            console.print(f"another process indexes {services.settings.resolved_index_dir}; "
                          "standing by to take over")
        waiting = not indexer
        if any(counts.values()):
            console.print(", ".join(f"{name}: {n:,}" for name, n in counts.items() if n),
                          highlight=False)

    console.print(f"following the database every {follower.every:g} s (Ctrl-C stops)")
    with contextlib.suppress(KeyboardInterrupt):
        follower.run(said)
    follower.lock.release()


@app.command("eval")
def eval_(
    folder: Path = typer.Argument(..., exists=True, file_okay=False, help="BEIR-format directory."),
    mode: Mode = typer.Option("hybrid", help="keyword, semantic or hybrid."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    work_dir: Optional[Path] = typer.Option(
        None, "--work-dir", help="Keep the store here and reuse it (default: a throw-away folder)."
    ),
) -> None:
    """Measure search relevance on a BEIR-format directory: nDCG@10, Recall@100, MRR@10."""
    import tempfile

    from papertide.intake import ingest_records
    from papertide.search._eval import evaluate, read_beir

    papers, queries, qrels = read_beir(folder)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=work_dir or Path(tmp), database_url=None, index_dir=None,
                            queue_url=None)
        services = open_services(settings)
        if services.catalog.stats()["papers"] < len(papers):
            ingest_records(services.catalog, papers, IngestReport())
        catch_up_indexes(services, embed=mode != "keyword")
        with _progress() as progress:
            task = progress.add_task(f"evaluating queries ({mode})", total=len(qrels))
            result = evaluate(
                lambda q: [pid for pid, _ in services.search.ranked_ids(q, mode=mode, depth=100)],
                queries, qrels,
                on_progress=lambda done, total: progress.update(task, completed=done, total=total))
    if json_out:
        print(json.dumps({**result, "mode": mode}))
    else:
        table = Table(title=f"{folder} — {mode}")
        for key in ("ndcg@10", "recall@100", "mrr@10", "queries"):
            table.add_column(key, justify="right")
        table.add_row(*(str(result[k]) for k in ("ndcg@10", "recall@100", "mrr@10", "queries")))
        Console().print(table)


@app.command("eval-recs")
def eval_recs(
    path: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="Papers as JSON lines (gzip or not), as `ingest` reads them."),
    readers: int = typer.Option(300, "--readers", min=1, help="How many readers to simulate."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Simulate readers from a papers file (authors' earlier papers as their library, the
    later ones hidden) and report Recall@20 and nDCG@20 of trending, centroid and model."""
    from papertide.library import evaluate, load_corpus

    settings = Settings()
    with _progress() as progress:
        tasks: dict[str, TaskID] = {}

        def on_progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                stage = {"embedding": "embedding papers", "readers": "simulating readers"}
                tasks[step] = progress.add_task(stage.get(step, step), total=total)
            progress.update(tasks[step], completed=done, total=total)

        try:
            corpus = load_corpus(path, settings.embed_profile, on_progress)
            console.print(f"{len(corpus.papers):,} papers, vectors: {corpus.vectors_from}")
            result = evaluate(corpus, readers, on_progress=on_progress)
        except ValueError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
    if json_out:
        print(json.dumps(result))
    else:
        table = Table(title=f"{path.name} — simulated readers")
        for column in ("ranking", "recall@20", "ndcg@20"):
            table.add_column(column, justify="right")
        for name, row in result.items():
            table.add_row(name, f"{row['recall@20']:.4f}", f"{row['ndcg@20']:.4f}")
        Console().print(table)


@app.command()
def stats(json_out: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Counts of papers and engagement, the index state, and the papers this machine's
    indexes could not take (with the reason)."""
    services = _services()
    data: dict[str, object] = dict(services.catalog.stats())
    data["keyword_index_docs"] = services.search.keyword.num_docs()
    data["catalog_seq"] = services.catalog.max_seq()
    data["keyword_index_seq"] = services.search.keyword.indexed_seq
    skipped = services.search.skipped()
    for name, papers in skipped.items():
        data[f"{name}_index_skipped"] = len(papers)
    if json_out:
        shown = {name: dict(list(papers.items())[:SHOWN_SKIPPED])
                 for name, papers in skipped.items()}
        print(json.dumps({**data, "index_skipped_papers": shown}))
        return
    table = Table(show_header=False)
    for key, value in data.items():
        table.add_row(key, f"{value:,}" if isinstance(value, int) else str(value))
    out = Console()
    out.print(table)
    for name, papers in skipped.items():
        for paper_id, reason in list(papers.items())[:SHOWN_SKIPPED]:
            out.print(f"[yellow]{name} index could not take[/] {paper_id}: {reason}",
                      highlight=False, markup=True)
        if len(papers) > SHOWN_SKIPPED:
            out.print(f"… and {len(papers) - SHOWN_SKIPPED:,} more")


@readers_app.command("add")
def readers_add(
    email: str = typer.Argument(..., help="The reader's address."),
    topic: list[str] = typer.Option([], "--topic", help="A topic (saved search); repeat for more."),
    confirmed: bool = typer.Option(
        False, "--confirmed", help="Skip the confirmation mail (operator's choice)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the reader as JSON."),
) -> None:
    """Subscribe an address; without --confirmed a confirmation mail is sent."""
    from papertide.readers import InvalidInput, make_topic

    services = _services()
    topics = [t for t in (make_topic(q) for q in topic) if t]
    try:
        reader, created = services.readers.subscribe(email, topics, confirmed=confirmed)
    except InvalidInput as exc:
        raise typer.BadParameter(str(exc), param_hint="EMAIL") from None
    if not confirmed and reader.status == "pending":
        services.account_mails.send_confirmation(reader)  # the operator's own request: now
        console.print(f"confirmation mail sent to {reader.email}")
    if json_out:
        print(json.dumps({"email": reader.email, "status": reader.status, "added": created}))
    else:
        print(f"{'added' if created else 'already subscribed'}: {reader.email} ({reader.status})")


@readers_app.command("list")
def readers_list(
    json_out: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """List the readers with their status, schedule and topics."""
    readers = _services().readers.store.all()
    if json_out:
        print(json.dumps([{"id": r.id, "email": r.email, "status": r.status,
                           "frequency": r.frequency, "send_hour": r.send_hour,
                           "timezone": r.timezone, "per_digest": r.per_digest,
                           "topics": [t.query for t in r.topics], "last_edition": r.last_edition}
                          for r in readers], indent=1))
        return
    table = Table()
    for column in ("id", "email", "status", "frequency", "send_hour", "timezone", "topics"):
        table.add_column(column)
    for r in readers:
        table.add_row(str(r.id), r.email, r.status, r.frequency, str(r.send_hour), r.timezone,
                      "; ".join(t.query for t in r.topics))
    Console().print(table)


def _address(email: str) -> str:
    from papertide.readers import InvalidInput, normalize_email

    try:
        return normalize_email(email)
    except InvalidInput as exc:
        raise typer.BadParameter(str(exc), param_hint="EMAIL") from None


@readers_app.command("token")
def readers_token(
    email: str = typer.Argument(..., help="The reader's address."),
    name: str = typer.Option("cli", "--name", help="What the token is for (shown on the "
                             "account page)."),
    scope: list[str] = typer.Option(["read"], "--scope", help="What the token may do: read, "
                                    "library, vote (repeat the option, or 'read,vote')."),
) -> None:
    """Create a personal API token for a reader and print it (it is shown only once). No
    token can change the account or open the admin pages."""
    from papertide.readers import parse_scopes

    try:
        scopes = parse_scopes(" ".join(scope))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scope") from None
    services = _services()
    reader = services.readers.store.by_email(_address(email))
    if reader is None:
        raise typer.BadParameter("no reader with that address", param_hint="EMAIL")
    print(services.readers.accounts.create_api_token(reader.id, name, scopes))


@admin_app.command("grant")
def admin_grant(
    email: str = typer.Argument(..., help="The operator's address."),
    revoke: bool = typer.Option(False, "--revoke", help="Take the admin role back."),
    json_out: bool = typer.Option(False, "--json", help="Print the reader's role as JSON."),
) -> None:
    """Make a reader an admin (an account is made for a new address): /admin and /outbox."""
    reader = _services().readers.accounts.grant(_address(email), "reader" if revoke else "admin")
    print(json.dumps({"email": reader.email, "role": reader.role}) if json_out
          else f"{reader.email}: {reader.role}")


@admin_app.command("link")
def admin_link(email: str = typer.Argument(..., help="The address to sign in as.")) -> None:
    """Print a sign-in link (15 minutes, once) instead of mailing it."""
    print(_services().readers.accounts.sign_in_link(_address(email)))


def _reader_of(services: Services, email: str) -> Reader:
    reader = services.readers.store.by_email(_address(email))
    if reader is None:
        raise typer.BadParameter("no reader with that address (add one with `papertide "
                                 "readers add`)", param_hint="EMAIL")
    return reader


@library_app.command("add")
def library_add(
    email: str = typer.Argument(..., help="The reader's address."),
    ids: list[str] = typer.Argument(..., help="Papers: papertide ids, arXiv ids or DOIs; "
                                    "arXiv ids the catalog lacks are fetched from arXiv."),
    tag: list[str] = typer.Option([], "--tag", help="Tag them; repeat for more tags."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object a paper."),
) -> None:
    """Save papers to a reader's library."""
    from papertide.library import LibraryError

    services = _services()
    reader = _reader_of(services, email)
    saving = services.library.save_by_id(reader.id, ids, tag, fetch=services.intake.fetch_unknown)
    if saving.wanted:
        console.print(f"fetched from arXiv: {len(saving.fetched)} of {len(saving.wanted)}")
        services.search.catch_up()
    results = dict(saving.results)

    def saved(key: str) -> Paper:
        result = results[key]
        if isinstance(result, LibraryError):
            raise result
        return result.paper

    _each_paper(ids, "saved", saved, json_out)


def _each_paper(ids: list[str], done: str, act: Callable[[str], Paper],
                as_json: bool = False) -> None:
    """Apply `act` to each paper named, one line each on standard output (a JSON object
    with `as_json`); a paper it refuses is reported (on stderr, or as an object with an
    `error`) and the others still go through; exit 1 if any was refused."""
    from papertide.library import LibraryError

    failed = 0
    for key in ids:
        try:
            paper = act(key)
        except LibraryError as exc:
            if as_json:
                print(json.dumps({"paper": key, "error": str(exc)}, ensure_ascii=False))
            else:
                console.print(f"[red]{key}[/]: {exc}", highlight=False)
            failed += 1
            continue
        print(json.dumps({"paper": key, done: paper.id, "title": paper.title},
                         ensure_ascii=False) if as_json else f"{done} {paper.id}: {paper.title}")
    if failed:
        raise typer.Exit(1)


@library_app.command("remove")
def library_remove(
    email: str = typer.Argument(..., help="The reader's address."),
    ids: list[str] = typer.Argument(..., help="Papers: papertide ids, arXiv ids or DOIs."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object a paper."),
) -> None:
    """Take papers out of a reader's library (their tags and notes go with them)."""

    services = _services()
    reader = _reader_of(services, email)
    _each_paper(ids, "removed", lambda key: services.library.unsave(reader.id, key), json_out)


@library_app.command("list")
def library_list(
    email: str = typer.Argument(..., help="The reader's address."),
    tag: Optional[str] = typer.Option(None, "--tag", help="Only papers with this tag."),
    sort: LibraryOrder = typer.Option("saved", "--sort", help="Latest saved or latest "
                                      "published first."),
    query: Optional[str] = typer.Option(
        None, "--query", help="Only papers matching this search (the query language; by "
        "keywords, by meaning and in the notes), best first."),
    mode: Optional[Mode] = typer.Option(None, help="keyword, semantic or hybrid, for "
                                        "--query (default: setting)."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """List a reader's library, or search it."""
    from papertide.library import LibraryError

    services = _services()
    reader = _reader_of(services, email)
    if query is not None and query.strip():
        try:
            items = services.library.search(reader.id, query, tag, mode).items
        except LibraryError as exc:
            console.print(str(exc), highlight=False, markup=False)
            raise typer.Exit(2) from None
    else:
        items = services.library.papers(reader.id, tag, sort)
    rows = [{"id": i.paper.id, "title": i.paper.title, "arxiv_id": i.paper.arxiv_id,
             "saved_at": i.saved.saved_at.isoformat(), "tags": list(i.saved.tags),
             "note": i.saved.note} for i in items]
    if json_out:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table()
    for column in ("saved", "id", "title", "tags"):
        table.add_column(column)
    for i in items:
        table.add_row(i.saved.saved_at.date().isoformat(), i.paper.id, i.paper.title,
                      ", ".join(i.saved.tags))
    Console().print(table)


@library_app.command("export")
def library_export(
    email: str = typer.Argument(..., help="The reader's address."),
    format: LibraryFormat = typer.Option("bibtex", "--format", help="bibtex, csl-json or "
                                         "jsonl (papertide's own, with tags and notes)."),
    tag: Optional[str] = typer.Option(None, "--tag", help="Only papers with this tag."),
) -> None:
    """Print a reader's library as BibTeX, CSL-JSON or JSON lines."""
    from papertide.library import export_library

    services = _services()
    reader = _reader_of(services, email)
    sys.stdout.write(export_library(services.library, reader.id, format, tag))


@library_app.command("import")
def library_import(
    email: str = typer.Argument(..., help="The reader's address."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="BibTeX, CSL-JSON or papertide JSON lines."),
    tag: list[str] = typer.Option([], "--tag", help="Tag the imported papers; repeat for more."),
    fetch: bool = typer.Option(True, "--fetch/--no-fetch", help="Fetch arXiv ids the "
                               "catalog lacks from arXiv."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Import a reference file into a reader's library, with a report: matched (by arXiv
    id, DOI or title), fetched from arXiv, not matched."""
    from papertide.library import LibraryError, import_library

    services = _services()
    reader = _reader_of(services, email)
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    try:
        report = import_library(services.library, reader.id, text, tag,
                                fetch=services.intake.fetch_unknown if fetch else None)
    except LibraryError as exc:
        raise typer.BadParameter(str(exc), param_hint="--tag") from None
    if report.fetched:
        services.search.catch_up()
    if json_out:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        return
    console.print(report.summary(), highlight=False)
    for name, rows in (("matched", report.matched), ("fetched", report.fetched),
                       ("duplicate", report.duplicates), ("not matched", report.not_matched)):
        for row in rows:
            detail = row.get("how") or row.get("why") or f"same as {row.get('same_as')}"
            target = f" → {row['id']}" if "id" in row else ""
            console.print(f"[bold]{name}[/] {row['entry']}{target} ({detail})", highlight=False)
    for problem in report.problems:
        console.print(f"[yellow]unreadable[/] {problem}", highlight=False)


@app.command()
def recommend(
    email: str = typer.Argument(..., help="The reader's address."),
    tag: Optional[str] = typer.Option(None, "--tag", help="From the papers with this tag only."),
    like: list[str] = typer.Option([], "--like", help="More like these saved papers (ids; "
                                   "repeat the option), instead of the whole library."),
    limit: int = typer.Option(20, "--limit", min=1, max=100, help="How many papers."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """Recommend papers to a reader from their library, dismissals and follows."""
    from papertide.library import LibraryError

    services = _services()
    reader = _reader_of(services, email)
    try:
        result = (services.library.more_like(reader.id, like, limit) if like
                  else services.library.for_you(reader.id, tag, limit))
    except LibraryError as exc:
        raise typer.BadParameter(str(exc), param_hint="--like" if like else "--tag") from None
    rows = [{"id": s.paper.id, "title": s.paper.title, "score": round(s.score, 6),
             "reason": s.reason, "authors": s.paper.authors, "categories": s.paper.categories}
            for s in result.items]
    if json_out:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    console.print(result.based_on or "Nothing to go on yet: save papers (`papertide library "
                  "add`) or follow authors and categories.", highlight=False)
    table = Table()
    for column in ("score", "id", "title", "reason"):
        table.add_column(column)
    for s in result.items:
        table.add_row(f"{s.score:.3f}", s.paper.id, s.paper.title, s.reason)
    Console().print(table)


@digest_app.command("preview")
def digest_preview(
    email: str = typer.Argument(..., help="The reader's address."),
    json_out: bool = typer.Option(False, "--json", help="Print subject and text as JSON."),
) -> None:
    """Print the reader's next edition (plain-text part) without sending it."""
    from papertide.readers import InvalidInput, normalize_email

    services = _services()
    try:
        reader = services.readers.store.by_email(normalize_email(email))
    except InvalidInput as exc:
        raise typer.BadParameter(str(exc), param_hint="EMAIL") from None
    if reader is None:
        raise typer.BadParameter("no reader with that address", param_hint="EMAIL")
    edition, msg = services.digests.preview(reader)
    plain = msg.get_body(("plain",)) if msg is not None else None
    text = plain.get_content() if plain is not None else ""
    if json_out:
        print(json.dumps({"skipped": msg is None, "subject": msg and str(msg["Subject"]),
                          "text": msg and text}, ensure_ascii=False))
    elif msg is None:
        print("Nothing new for this reader: the next edition would be skipped.")
    else:
        print(f"Subject: {msg['Subject']}\n")
        print(text)


@digest_app.command("run")
def digest_run(
    now: bool = typer.Option(False, "--now", help="Every active reader, whatever their send hour."),
    json_out: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """Send the due editions from this process (each reader at most once per edition)."""
    services = _services()
    with _progress() as progress:
        task = progress.add_task("sending digests", total=None)
        counts = services.digests.run(
            everyone=now, on_progress=lambda d, t: progress.update(task, completed=d, total=t)
        )
    services.digests.close()
    if json_out:
        print(json.dumps(dict(sorted(counts.items()))))
    else:
        print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nobody is due")


@app.command()
def worker(
    workers: int = typer.Option(2, "--workers", min=1, help="Worker threads."),
    metrics_port: Optional[int] = typer.Option(
        None, "--metrics-port", min=1, max=65535,
        help="Serve Prometheus metrics on 127.0.0.1:PORT (a machine with no web process)."),
) -> None:
    """Run the job consumer: the digest schedule, deliveries and embedding jobs; and follow
    the database with this machine's indexes (unless another process here already does)."""
    from papertide import metrics
    from papertide.jobs import Jobs

    services = _services()
    jobs = Jobs(services)
    if metrics_port is not None:
        metrics.serve(metrics_port, snapshot=metrics.Snapshot({
            "papertide_queue_depth": ("Jobs waiting for a worker.", [],
                                      lambda: {(): float(jobs.queue_depth())})}))
    follower = services.search.follower()
    follower.start()
    try:
        jobs.consumer(workers).run()
    finally:
        follower.stop()


@app.command()
def mcp(
    token: Optional[str] = typer.Option(
        None, envvar="PAPERTIDE_MCP_TOKEN", show_default=False,
        help="A reader's API token: adds their library and recommendations (environment: "
             "PAPERTIDE_MCP_TOKEN)."),
) -> None:
    """Serve the Model Context Protocol over stdin/stdout, for a desktop assistant."""
    from papertide.mcp_server import StdioTokenError, serve_stdio

    try:
        serve_stdio(_services(), token)
    except StdioTokenError as exc:
        console.print(str(exc), highlight=False, markup=False)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Optional[str] = typer.Option(
        None, help="Address to listen on (default: setting, 127.0.0.1)."
    ),
    port: Optional[int] = typer.Option(None, help="Port (default: setting, 8000)."),
    workers: int = typer.Option(
        1, "--workers", min=1, max=64,
        help="Web processes (uvicorn workers) sharing the port; about one per core."),
) -> None:
    """Run the web app (pages, JSON API at /api, OpenAPI docs at /docs)."""
    import uvicorn

    # The app reads its settings afresh in each web process: an address given here must
    # reach them, or the links in feeds and mails keep pointing at the setting's port.
    if host:
        os.environ["PAPERTIDE_HOST"] = host
    if port:
        os.environ["PAPERTIDE_PORT"] = str(port)
    settings = Settings()
    # A new machine builds its indexes from the database before it serves (with progress
    # bars); afterwards one of the web processes follows the database.
    catch_up_indexes(open_services(settings))
    # Client addresses behind a proxy are the app's business (PAPERTIDE_TRUSTED_PROXIES):
    # uvicorn's own header rewriting, on by default for 127.0.0.1, stays off.
    uvicorn.run("papertide.web:serve_app", factory=True, workers=workers,
                host=host or settings.host, port=port or settings.port, proxy_headers=False)


def _one_line_summaries(typer_app: typer.Typer) -> None:
    """Each command's first docstring paragraph as its one-line summary: Typer's command
    list would otherwise keep the docstring's line breaks mid-sentence."""
    for info in typer_app.registered_commands:
        doc = info.help or inspect.getdoc(info.callback) or ""
        info.short_help = info.short_help or " ".join(doc.split("\n\n")[0].split())
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _one_line_summaries(group.typer_instance)


_one_line_summaries(app)

if __name__ == "__main__":
    app()
