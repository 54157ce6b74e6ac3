"""Hugging Face daily papers (`<PAPERTIDE_HF_API_URL>/daily_papers?date=YYYY-MM-DD`): the
papers the community listed that day, with their upvotes.

Each item's `paper` carries the arXiv id (`id`), `title`, `summary`, `authors[].name`,
`publishedAt` and `upvotes`; newer responses add `githubRepo`, `githubStars`,
`ai_summary`, `ai_keywords` and `submittedOnDailyAt`, none of them required. A paper's
announcement date here is the day the daily list showed it (the catalog keeps the
earliest date any source gives, so arXiv's own announcement wins when known). The
upvotes, GitHub stars and the item's `numComments` are stored as the paper's external
signals (cards show them); `githubRepo` becomes its code link.

Each day is one page (one transaction). A run reads from the last day it read (again:
upvotes keep changing for a while) up to today, at most MAX_DAYS_BACK days back.

    papers, signals, rejected = parse_daily(body, url, date(2024, 10, 25))
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING

import httpx

from papertide.catalog import MAX_NUMBER, Paper, Signal, SignalName, is_web_url, parse_arxiv_id
from papertide.sources._common import (
    BadRecord,
    Rejected,
    checked,
    clean_text,
    parse_date,
    parse_day,
    unexpected,
)
from papertide.sources._errors import MalformedResponse
from papertide.sources._harvest import Harvest
from papertide.sources._http import refuse_html, user_agent
from papertide.sources._spec import SourceSpec

if TYPE_CHECKING:
    from papertide.config import Settings

SOURCE = "hf-daily"
FIRST_DAYS = 1  # the first run reads yesterday and today
MAX_DAYS_BACK = 7


def _count(value: object, field: str) -> int | None:
    """A count from 0 to MAX_NUMBER (a whole float such as 12.0 is fine; NaN, infinity,
    fractions and 10**30 are not)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_NUMBER:
        shown = repr(value) if len(repr(value)) <= 24 else repr(value)[:20] + "…"
        raise BadRecord(f"{field} must be a count from 0 to {MAX_NUMBER:,}, not {shown}")
    return value


def _code_url(value: object) -> str | None:
    """The code link: an http(s) URL, or nothing (any other scheme is dropped)."""
    if isinstance(value, str) and is_web_url(value.strip()):
        return value.strip()
    return None


def from_item(item: object, day: date | None) -> tuple[Paper, list[Signal]]:
    if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
        raise BadRecord("expected an object with a `paper`")
    paper = item["paper"]
    raw_id = paper.get("id")
    parsed = parse_arxiv_id(raw_id) if isinstance(raw_id, str) else None
    if not parsed:
        raise BadRecord(f"paper.id is not an arXiv id: {str(raw_id)[:40]!r}")
    arxiv_id = parsed[0]
    authors = paper.get("authors") or []
    if not isinstance(authors, list):
        raise BadRecord("paper.authors must be a list")
    names = [clean_text(a.get("name"), "author name") for a in authors if isinstance(a, dict)]
    listed = day or parse_day(
        paper.get("submittedOnDailyAt") or item.get("publishedAt"), "publishedAt"
    )
    record = Paper(
        title=clean_text(paper.get("title") or item.get("title"), "title", required=True),
        abstract=clean_text(paper.get("summary") or item.get("summary"), "summary"),
        authors=[n for n in names if n], arxiv_id=arxiv_id,
        published=parse_date(paper.get("publishedAt"), "paper.publishedAt"),
        announced=listed, url_abs=f"https://arxiv.org/abs/{arxiv_id}",
        url_pdf=f"https://arxiv.org/pdf/{arxiv_id}", url_code=_code_url(paper.get("githubRepo")),
        sources=[SOURCE],
    )
    checked(record)
    signals = []
    counted: tuple[tuple[SignalName, str], ...] = (("upvotes", "upvotes"),
                                                   ("github_stars", "githubStars"))
    for name, key in counted:
        value = _count(paper.get(key), f"paper.{key}")
        if value is not None:
            signals.append(Signal(SOURCE, name, value))
    comments = _count(item.get("numComments"), "numComments")  # beside `paper`, not in it
    if comments is not None:
        signals.append(Signal(SOURCE, "comments", comments))
    return record, signals


def parse_daily(body: bytes, url: str, day: date | None = None
                ) -> tuple[list[Paper], list[list[Signal]], list[Rejected]]:
    """The papers of one daily list, their signals (aligned) and the items refused."""
    try:
        items = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedResponse(
            f"{url}: malformed JSON (truncated or broken response): {exc}"
        ) from None
    if not isinstance(items, list):
        raise MalformedResponse(
            f"{url}: expected a JSON array of daily papers, got {type(items).__name__}"
        )
    papers, signals, rejected = [], [], []
    for position, item in enumerate(items, 1):
        try:
            paper, observed = from_item(item, day)
        except BadRecord as exc:
            rejected.append(Rejected(url, position, str(exc)))
            continue
        except Exception as exc:  # a bug: this item alone is lost, never the day
            rejected.append(Rejected(url, position, unexpected(url, exc)))
            continue
        papers.append(paper)
        signals.append(observed)
    return papers, signals, rejected


def fetch(harvest: Harvest, spec: SourceSpec, since: date | None = None,
          until: date | None = None) -> None:
    today = harvest.today()
    state = harvest.load_state("daily")
    if since is None:
        last = (
            date.fromisoformat(state["day"])
            if state.get("day")
            else today - timedelta(days=FIRST_DAYS)
        )
        since = max(last, today - timedelta(days=MAX_DAYS_BACK))
    until = until or today
    url = harvest.settings.hf_api_url.rstrip("/") + "/daily_papers"
    day = since
    while day <= until:
        params = {"date": day.isoformat()}
        shown = str(httpx.URL(url, params=params))
        response = harvest.client.get(url, params)
        refuse_html(shown, response, "JSON")
        papers, signals, rejected = parse_daily(response.content, shown, day)
        if not papers and not rejected:
            harvest.note(f"no daily papers listed on {day}")
        harvest.commit(f"day {day}", papers, rejected, signals=signals)
        harvest.save_state("daily", {"day": max(day.isoformat(), state.get("day") or "")})
        day += timedelta(days=1)


def fetch_today(settings: Settings, budget: float = 5.0
                ) -> tuple[list[Paper], list[list[Signal]], list[Rejected]]:
    """Today's list in one request and no retry, each network step within `budget` seconds:
    a fresh demo's extra, not a harvest (no run is recorded). Raises `httpx.HTTPError` when
    the service cannot be reached or answers an error, `MalformedResponse` for a bad body."""
    url = settings.hf_api_url.rstrip("/") + "/daily_papers"
    with httpx.Client(headers={"User-Agent": user_agent(settings.contact_email)},
                      timeout=httpx.Timeout(budget), follow_redirects=True) as client:
        response = client.get(url)
    response.raise_for_status()
    refuse_html(url, response, "JSON")
    return parse_daily(response.content, url, date.today())
