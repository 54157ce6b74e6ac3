"""arXiv's OAI-PMH interface: incremental, resumable harvests of `ListRecords`.

A spec such as `arxiv-oai:cs.LG,cs.CL,hep-th` becomes one harvest per OAI set (`cs`,
`physics:hep-th`), keeping the records in the wanted categories (a whole archive such as
`cs` keeps everything in its set). Records are read in the metadata format asked for —
`arXiv` (default), `arXivRaw` (versions with times) or `oai_dc` — and each is parsed by
the format it actually carries.

Resumable: per (set, format, categories) the `source_state` table keeps the last
harvested datestamp, and while a harvest runs, its window and the resumption token of
the next page, saved after each page commits. The next run picks up an interrupted
harvest at that token (or, if the service no longer knows the token, harvests the window
again from its start: upserts make that harmless); a finished one makes the next run
start at its last datestamp (OAI-PMH dates are whole days: that day is read again, and
nothing in it changes). The first run reaches back FIRST_HARVEST_DAYS days.

Errors: `noRecordsMatch` is an empty harvest; any other OAI-PMH error raises `OaiError`
naming its code and message. 503 with Retry-After is honoured by the client.

    page = parse_page(body, url)   # OaiPage: records, resumption token
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from xml.etree.ElementTree import Element

import httpx

from papertide.catalog import Paper
from papertide.catalog.arxiv_taxonomy import ARCHIVES, matches, oai_set
from papertide.sources._arxiv_records import from_metadata
from papertide.sources._common import BadRecord, Rejected, checked, unexpected
from papertide.sources._errors import MalformedResponse, SourceError
from papertide.sources._harvest import Harvest
from papertide.sources._http import refuse_html
from papertide.sources._spec import SourceSpec
from papertide.sources._xml import iterparse, text

log = logging.getLogger("papertide.sources")
OAI = "http://www.openarchives.org/OAI/2.0/"
FIRST_HARVEST_DAYS = 3
_RECORD, _HEADER, _METADATA = f"{{{OAI}}}record", f"{{{OAI}}}header", f"{{{OAI}}}metadata"
_TOKEN, _ERROR, _ROOT = f"{{{OAI}}}resumptionToken", f"{{{OAI}}}error", f"{{{OAI}}}OAI-PMH"


class OaiError(SourceError):
    """An OAI-PMH error answer (`badResumptionToken`, `badArgument`, …)."""

    def __init__(self, code: str, message: str, url: str) -> None:
        super().__init__(f"{url}: OAI-PMH error {code}: {message}")
        self.code = code
        self.message = message


@dataclass
class OaiRecord:
    identifier: str
    datestamp: date | None = None
    sets: list[str] = field(default_factory=list)
    deleted: bool = False
    paper: Paper | None = None
    problem: str | None = None  # why the record could not be read


@dataclass
class OaiPage:
    records: list[OaiRecord]
    token: str | None = None  # None at the end of the list
    complete_size: int | None = None


def _record(element: Element) -> OaiRecord:
    header = element.find(_HEADER)
    if header is None:
        return OaiRecord("", problem="record without a header")
    record = OaiRecord(text(header.find(f"{{{OAI}}}identifier")),
                       sets=[text(s) for s in header.iterfind(f"{{{OAI}}}setSpec")])
    try:
        stamp = text(header.find(f"{{{OAI}}}datestamp"))
        record.datestamp = date.fromisoformat(stamp[:10]) if stamp else None
    except ValueError:
        record.problem = f"datestamp is not a date: {stamp[:40]!r}"
        return record
    if header.get("status") == "deleted":
        record.deleted = True
        return record
    metadata = element.find(_METADATA)
    if metadata is None or len(metadata) == 0:
        record.problem = "record without metadata"
        return record
    try:
        record.paper = checked(from_metadata(metadata[0], record.identifier, record.datestamp))
    except BadRecord as exc:
        record.problem = str(exc)
    except Exception as exc:  # a bug: this record alone is lost, never the page
        record.problem = unexpected(record.identifier, exc)
    return record


def parse_page(body: bytes, url: str) -> OaiPage:
    """One ListRecords response, parsed record by record. `noRecordsMatch` is an empty
    page; other OAI-PMH errors raise OaiError; anything but OAI-PMH raises MalformedResponse."""
    page = OaiPage([])
    errors: list[tuple[str, str]] = []
    element = None
    for _event, element in iterparse(body, url):
        if element.tag == _RECORD:
            page.records.append(_record(element))
            element.clear()  # keep memory flat over a thousand records
        elif element.tag == _TOKEN:
            page.token = (element.text or "").strip() or None
            size = element.get("completeListSize", "")
            page.complete_size = int(size) if size.isascii() and size.isdigit() else None
        elif element.tag == _ERROR:
            errors.append((element.get("code", "unknown"), text(element)))
    if element is None or element.tag != _ROOT:
        root = element.tag if element is not None else None
        raise MalformedResponse(f"{url}: not an OAI-PMH response (root element {root!r})")
    for code, message in errors:
        if code != "noRecordsMatch":
            raise OaiError(code, message, url)
    if errors:
        return OaiPage([])
    return page


def _get_page(harvest: Harvest, params: dict[str, str]) -> OaiPage:
    url = harvest.settings.arxiv_oai_url
    response = harvest.client.get(url, params)
    shown = str(httpx.URL(url, params=params))
    refuse_html(shown, response, "OAI-PMH XML")
    return parse_page(response.content, shown)


def _by_set(categories: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    sets: dict[str, list[str]] = {}
    for code in categories:
        sets.setdefault(oai_set(code), []).append(code)
    return {name: tuple(codes) for name, codes in sets.items()}


def _list_params(prefix: str, set_spec: str, window: dict) -> dict[str, str]:
    params = {
        "verb": "ListRecords",
        "metadataPrefix": prefix,
        "set": set_spec,
        "from": window["from"],
    }
    if window.get("until"):
        params["until"] = window["until"]
    return params


def _later(a: str | None, b: str | None) -> str | None:
    return max(a, b) if a and b else a or b  # ISO dates compare as strings


def fetch(harvest: Harvest, spec: SourceSpec, since: date | None = None,
          until: date | None = None) -> None:
    """Harvest every set of the spec; a set that fails is recorded and the others go on."""
    for set_spec, wanted in _by_set(spec.categories).items():
        try:
            _harvest_set(harvest, spec.format, set_spec, wanted, since, until)
        except SourceError as exc:
            harvest.run.errors.append(str(exc))
            log.error("%s: %s", harvest.run.spec, exc)


def _harvest_set(harvest: Harvest, prefix: str, set_spec: str, wanted: tuple[str, ...],
                 since: date | None, until: date | None) -> None:
    scope = f"set={set_spec} format={prefix} only={','.join(wanted)}"
    state = harvest.load_state(scope)
    whole_set = any(code in ARCHIVES for code in wanted)
    resuming = bool(state.get("token")) and since is None and until is None
    if resuming:
        window, page_no, newest = state["window"], state.get("page", 0), state.get("newest")
        params = {"verb": "ListRecords", "resumptionToken": state["token"]}
        harvest.note(f"set {set_spec}: resuming the interrupted harvest from {window['from']} "
                     f"at page {page_no + 1}")
    else:
        start = since or (date.fromisoformat(state["datestamp"]) if state.get("datestamp")
                          else harvest.today() - timedelta(days=FIRST_HARVEST_DAYS))
        window = {"from": start.isoformat(), "until": until.isoformat() if until else None}
        params, page_no, newest = _list_params(prefix, set_spec, window), 0, None
    while True:
        try:
            page = _get_page(harvest, params)
        except OaiError as exc:
            if not (resuming and exc.code == "badResumptionToken"):
                raise
            harvest.note(f"set {set_spec}: the saved resumption token has expired; harvesting "
                         f"from {window['from']} again", logging.WARNING)
            params, page_no, newest, resuming = (
                _list_params(prefix, set_spec, window),
                0,
                None,
                False,
            )
            continue
        resuming = False
        page_no += 1
        where = f"set {set_spec} page {page_no}"
        papers, rejected, skipped = [], [], 0
        for position, record in enumerate(page.records, 1):
            if record.datestamp:
                newest = _later(newest, record.datestamp.isoformat())
            if record.problem:
                rejected.append(Rejected(where, position, f"{record.identifier}: {record.problem}"))
            elif record.deleted or record.paper is None:
                skipped += 1
            elif matches(wanted, record.paper.categories) or (whole_set and any(
                    s == set_spec or s.startswith(set_spec + ":") for s in record.sets)):
                papers.append(record.paper)
            else:
                skipped += 1
        harvest.commit(where, papers, rejected, skipped)
        if page.token and page.token == params.get("resumptionToken"):
            raise MalformedResponse(f"{where}: the service sent back the same resumption "
                                    f"token {page.token!r}; stopping rather than looping")
        if page.token:
            harvest.save_state(scope, {"datestamp": state.get("datestamp"), "token": page.token,
                                       "window": window, "newest": newest, "page": page_no})
            params = {"verb": "ListRecords", "resumptionToken": page.token}
            continue
        if page_no == 1 and not page.records:
            harvest.note(f"set {set_spec}: no records from {window['from']}"
                         + (f" to {window['until']}" if window.get("until") else ""))
        cursor = _later(state.get("datestamp"), newest) or window["from"]
        harvest.save_state(scope, {"datestamp": cursor, "token": None})
        return
