"""arXiv OAI-PMH harvests against a local server playing the recorded responses: paging by
resumption token, 503 + Retry-After, interrupted and resumed harvests, broken and hostile
answers, OAI errors, the three metadata formats, announcement dates."""

import logging
from datetime import date, datetime

import pytest

from papertide.sources import fetch, harvest_states, run_history
from papertide.sources._errors import MalformedResponse
from papertide.sources._http import PoliteClient, user_agent
from papertide.sources.arxiv_oai import OaiError, parse_page
from tests.sources.conftest import OAI, OAI_PAGES, Reply, oai_handler

CS_SPEC = "arxiv-oai:cs,format=oai_dc"


def cs_ids(*pages: bytes) -> set[str]:
    """The arXiv ids of the records in set `cs` on these recorded pages."""
    return {r.paper.arxiv_id for page in pages for r in parse_page(page, "fixture").records
            if "cs" in r.sets}


def stored_ids(services) -> set[str]:
    return {p.arxiv_id for p in services.catalog.iter_papers()}


def test_a_harvest_follows_the_resumption_tokens_and_waits_out_a_503(server, live):
    recorded, calls, waits = oai_handler(), [], []

    def busy_once(params):
        calls.append(params)
        if len(calls) == 2:  # the request for the second page
            return Reply(503, b"Service busy", {"Retry-After": "1"}, "text/plain")
        return recorded(params)

    server.route("/oai", busy_once)
    with PoliteClient(user_agent("ops@example.org"), min_interval=0, retries=2,
                      sleep=waits.append) as client:
        run = fetch(live.catalog, CS_SPEC, live.settings, client=client, since=date(2023, 3, 7))
    assert waits == [1.0]  # the Retry-After was honoured, once
    assert run.status == "ok" and run.errors == []
    expected = cs_ids(*OAI_PAGES)
    assert (run.pages, run.added, run.skipped) == (3, len(expected), 100 - len(expected))
    assert stored_ids(live) == expected
    first, *rest = server.requests_to("/oai")
    assert first == {
        "verb": "ListRecords",
        "metadataPrefix": "oai_dc",
        "set": "cs",
        "from": "2023-03-07",
    }
    assert [r["resumptionToken"] for r in rest] == ["6511260|1001", "6511260|1001", "6511260|2001"]
    assert all(
        "papertide/" in agent and "mailto:ops@example.org" in agent for agent in server.user_agents
    )


@pytest.fixture
def store(live):
    return live


def test_an_interrupted_harvest_resumes_where_it_stopped_and_a_second_run_adds_nothing(
    server, store, client
):
    recorded, broken = oai_handler(), {"page 2": True}

    def failing_page_two(params):
        if broken["page 2"] and params.get("resumptionToken") == "6511260|1001":
            return Reply(500, b"Internal Server Error", content_type="text/plain")
        return recorded(params)

    server.route("/oai", failing_page_two)
    first = fetch(store.catalog, CS_SPEC, store.settings, client=client, since=date(2023, 3, 7))
    assert first.status == "failed" and first.pages == 1
    assert "HTTP 500" in first.errors[0] and "resumptionToken=6511260%7C1001" in first.errors[0]
    assert stored_ids(store) == cs_ids(OAI_PAGES[0])  # page 1 committed, nothing of page 2

    broken["page 2"] = False
    server.requests.clear()
    second = fetch(store.catalog, CS_SPEC, store.settings, client=client)
    assert second.status == "ok"
    assert [r.get("resumptionToken") for r in server.requests_to("/oai")] == [
        "6511260|1001",
        "6511260|2001",
    ]
    assert second.added == len(cs_ids(*OAI_PAGES[1:])) and second.updated == 0
    assert "resuming the interrupted harvest from 2023-03-07 at page 2" in second.detail["notes"][0]
    assert stored_ids(store) == cs_ids(*OAI_PAGES)
    assert store.catalog.count() == len(cs_ids(*OAI_PAGES))  # nothing twice

    server.requests.clear()
    third = fetch(store.catalog, CS_SPEC, store.settings, client=client)
    assert server.requests_to("/oai")[0]["from"] == "2023-03-07"  # from the last datestamp on
    assert (third.status, third.added, third.updated) == ("ok", 0, 0)
    assert third.unchanged == len(cs_ids(*OAI_PAGES))
    history = run_history(store.catalog.engine)
    assert [(r.status, r.added) for r in history] == [
        ("ok", 0), ("ok", second.added), ("failed", first.added)]
    assert history[0].duration is not None and history[0].spec == CS_SPEC
    [(source, scope, state)] = harvest_states(store.catalog.engine)
    assert (source, scope, state) == ("arxiv-oai", "set=cs format=oai_dc only=cs",
                                      {"datestamp": "2023-03-07", "token": None})


def test_a_saved_resumption_token_the_service_no_longer_knows_restarts_its_window(
    server, live, client
):
    recorded, phase = oai_handler(), {"down": True, "expired": 1}

    def handler(params):
        if params.get("resumptionToken") == "6511260|1001":
            if phase["down"]:
                return Reply(500, b"down", content_type="text/plain")
            if phase["expired"]:  # the first resumption after the outage: forgotten
                phase["expired"] -= 1
                return Reply(body=(OAI / "error_badResumptionToken.xml").read_bytes())
        return recorded(params)

    server.route("/oai", handler)
    assert (
        fetch(live.catalog, CS_SPEC, live.settings, client=client, since=date(2023, 3, 7)).status
        == "failed"
    )
    phase["down"] = False
    server.requests.clear()
    run = fetch(live.catalog, CS_SPEC, live.settings, client=client)
    assert run.status == "ok"
    assert any("resumption token has expired" in note for note in run.detail["notes"])
    requests = server.requests_to("/oai")
    assert requests[1] == {
        "verb": "ListRecords",
        "metadataPrefix": "oai_dc",
        "set": "cs",
        "from": "2023-03-07",
    }
    assert stored_ids(live) == cs_ids(*OAI_PAGES)


def test_a_broken_page_fails_the_run_and_leaves_the_catalog_as_before_it(server, live, client):
    truncated = OAI_PAGES[1][: len(OAI_PAGES[1]) // 2]  # complete HTTP, half an XML document
    server.route(
        "/oai",
        lambda p: (
            Reply(body=truncated)
            if p.get("resumptionToken") == "6511260|1001"
            else oai_handler()(p)
        ),
    )
    run = fetch(live.catalog, CS_SPEC, live.settings, client=client, since=date(2023, 3, 7))
    assert run.status == "failed" and run.pages == 1
    assert "malformed XML at line" in run.errors[0]
    assert stored_ids(live) == cs_ids(OAI_PAGES[0])
    [(_, _, state)] = harvest_states(live.catalog.engine)
    assert state["token"] == "6511260|1001"  # the next run retries that page


def test_an_html_error_page_instead_of_xml_fails_the_run_clearly(server, live, client):
    page = (b"<!DOCTYPE html><html><head><title>arXiv is down for maintenance</title></head>"
            b"<body></body></html>")
    server.route("/oai", lambda p: Reply(body=page, content_type="text/html"))
    run = fetch(live.catalog, CS_SPEC, live.settings, client=client)
    assert run.status == "failed"
    assert (
        "expected OAI-PMH XML, got an HTML page ('arXiv is down for maintenance')" in run.errors[0]
    )
    assert live.catalog.count() == 0


def test_oai_errors_name_their_code_and_no_records_is_an_empty_harvest(server, live, client):
    bad = OAI_PAGES[0].replace(b"6511260|1001", b"6511260|9999")  # a token the service rejects
    server.route(
        "/oai", lambda p: Reply(body=bad) if "resumptionToken" not in p else oai_handler()(p)
    )
    run = fetch(live.catalog, CS_SPEC, live.settings, client=client, since=date(2023, 3, 7))
    assert run.status == "failed" and run.pages == 1
    assert (
        "OAI-PMH error badResumptionToken: The value of the resumptionToken argument is "
        "invalid or expired."
        in run.errors[0]
    )
    with pytest.raises(OaiError) as raised:
        parse_page((OAI / "error_badResumptionToken.xml").read_bytes(), "the-url")
    assert raised.value.code == "badResumptionToken"

    server.route("/oai", lambda p: Reply(body=(OAI / "error_noRecordsMatch.xml").read_bytes()))
    empty = fetch(
        live.catalog, "arxiv-oai:cs.LG", live.settings, client=client, since=date(2023, 3, 11)
    )
    assert (empty.status, empty.added, empty.pages) == ("ok", 0, 1)
    assert "set cs: no records from 2023-03-11" in empty.detail["notes"]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>
<identifier>oai:arXiv.org:2303.99999</identifier><datestamp>2023-03-07</datestamp></header>
<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>2303.99999</id><title>&lol3;</title>
</arXiv></metadata></record></ListRecords></OAI-PMH>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>
<identifier>oai:arXiv.org:2303.99998</identifier><datestamp>2023-03-07</datestamp></header>
<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>2303.99998</id><title>&secret;</title>
<categories>cs.LG</categories></arXiv></metadata></record></ListRecords></OAI-PMH>"""


@pytest.mark.parametrize(
    "hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"]
)
def test_hostile_xml_is_refused_not_expanded(server, live, client, hostile):
    with pytest.raises(MalformedResponse, match="refused XML with a document type"):
        parse_page(hostile, "the-url")
    server.route("/oai", lambda p: Reply(body=hostile))
    run = fetch(live.catalog, "arxiv-oai:cs", live.settings, client=client)
    assert run.status == "failed" and "refused XML" in run.errors[0]
    assert live.catalog.count() == 0


def test_the_arxiv_format_keeps_the_wanted_categories_with_their_fields(server, live, client):
    server.route("/oai", lambda p: Reply(body=(OAI / "ListRecords_arXiv.xml").read_bytes()))
    run = fetch(
        live.catalog, "arxiv-oai:cs.LG", live.settings, client=client, since=date(2023, 3, 7)
    )
    assert server.requests_to("/oai")[0]["metadataPrefix"] == "arXiv"
    # cs.LG papers go in; a cs.CV/cs.IT paper, a math paper and a deleted record do not.
    assert (run.added, run.skipped, run.rejected) == (2, 3, 0)
    navigates = live.catalog.get("2303.02160")
    assert (
        navigates.title
        == "Navigates Like Me: Understanding How People Evaluate Human-Like AI in Video Games"
    )
    assert navigates.authors[:2] == ["Stephanie Milani", "Arthur Juliani"]
    assert navigates.categories == ["cs.HC", "cs.LG", "cs.RO"]
    assert navigates.doi == "10.1145/3544548.3581348"
    assert navigates.comment == "18 pages; accepted at CHI 2023"
    assert navigates.abstract.startswith("We aim to understand how people assess human likeness")
    assert navigates.url_abs == "https://arxiv.org/abs/2303.02160"
    # Submitted Thursday 2023-03-02: announced that evening, in Friday's listing.
    assert navigates.announced == date(2023, 3, 3)
    synthetic = live.catalog.get("2303.01954")
    # Submitted Friday 2023-03-03: Monday's or Tuesday's listing, and the datestamp says Tuesday.
    assert synthetic.announced == date(2023, 3, 7)
    assert synthetic.authors[2] == "Ana Fernández del Río"
    assert synthetic.updated == datetime(2023, 3, 6)

    # An alias: math.IT is cs.IT (harvested from the math set).
    also = fetch(
        live.catalog, "arxiv-oai:math.IT", live.settings, client=client, since=date(2023, 3, 7)
    )
    assert server.requests_to("/oai")[-1]["set"] == "math" and also.added == 1
    assert (
        live.catalog.get("1401.4788").journal_ref == "Pattern Recognition Letters 42 (2014): 25-34"
    )


def test_the_arxiv_raw_format_dates_announcements_from_the_first_version(server, live, client):
    server.route("/oai", lambda p: Reply(body=(OAI / "ListRecords_arXivRaw.xml").read_bytes()))
    run = fetch(live.catalog, "arxiv-oai:cs.LG,format=arXivRaw", live.settings, client=client)
    assert server.requests_to("/oai")[0]["metadataPrefix"] == "arXivRaw" and run.added == 2
    sac = live.catalog.get("2303.01240")
    assert (sac.version, sac.published, sac.updated) == (
        2,
        datetime(2023, 3, 1, 14, 3, 12),
        datetime(2023, 3, 5, 9, 27, 45),
    )
    assert sac.announced == date(2023, 3, 2)  # Wednesday 09:03 EST, before the cutoff
    spect = live.catalog.get("2303.02110")
    assert spect.announced == date(2023, 3, 7)  # Friday 15:41 EST, after it: Monday's announcement
    assert spect.authors[4] == "Robert J. Gropler" and spect.authors[-1] == "Abhinav K. Jha"
    assert len(spect.authors) == 8


def test_a_new_version_that_changes_the_title_updates_the_paper_and_is_logged(
    server, live, client, caplog
):
    page = (OAI / "ListRecords_arXivRaw.xml").read_bytes()
    server.route("/oai", lambda p: Reply(body=page))
    fetch(live.catalog, "arxiv-oai:cs.LG,format=arXivRaw", live.settings, client=client)
    page = page.replace(
        b"<title>The Point to Which Soft Actor-Critic Converges</title>",
        b"<title>Soft Actor-Critic and Soft Q-Learning Converge to the Same Point</title>",
    ).replace(
        b'<version version="v2">',
        b'<version version="v3"><date>Mon, 6 Mar 2023 10:00:00 GMT</date>'
        b'<size>150kb</size></version><version version="v2">',
    )
    with caplog.at_level(logging.INFO, logger="papertide.sources"):
        run = fetch(live.catalog, "arxiv-oai:cs.LG,format=arXivRaw", live.settings, client=client)
    assert (run.added, run.updated, run.unchanged) == (0, 1, 1)
    renamed = live.catalog.get("2303.01240")
    assert (
        renamed.title == "Soft Actor-Critic and Soft Q-Learning Converge to the Same Point"
        and renamed.version == 3
    )
    assert renamed.announced == date(2023, 3, 2)  # a new version is not a new announcement
    note = (
        "2303.01240: new title 'Soft Actor-Critic and Soft Q-Learning Converge to the Same Point' "
        "(was 'The Point to Which Soft Actor-Critic Converges')"
    )
    assert note in run.detail["notes"] and note in caplog.text


def test_a_record_listed_twice_in_a_page_becomes_one_paper(server, live, client, caplog):
    page = (OAI / "ListRecords_arXiv.xml").read_bytes()
    start, end = page.index(b"<record>"), page.index(b"</record>") + len(b"</record>")
    twice = (
        page[:end]
        + page[start:end].replace(b"18 pages; accepted at CHI 2023", b"18 pages; CHI 2023")
        + page[end:]
    )
    server.route("/oai", lambda p: Reply(body=twice))
    with caplog.at_level(logging.WARNING, logger="papertide.sources"):
        run = fetch(live.catalog, "arxiv-oai:cs.LG", live.settings, client=client)
    assert run.added == 2 and live.catalog.count() == 2
    assert live.catalog.get("2303.02160").comment == "18 pages; CHI 2023"  # the later record wins
    assert "1 paper(s) listed more than once" in caplog.text and "2303.02160" in caplog.text


def test_dublin_core_subject_names_become_category_codes(server, live, client):
    records = {
        r.paper.arxiv_id: r.paper for page in OAI_PAGES for r in parse_page(page, "f").records
    }
    assert records["2303.02110"].categories == ["eess.IV", "cs.CV", "cs.LG", "physics.med-ph"]
    assert records["0806.4410"].categories == [
        "math.CA",
        "math.NT",
    ]  # the MSC line "40-01, 65B10" is no category
    assert records["0806.4410"].authors == ["Robert Baillie"]  # "Baillie, Robert"
    assert records["0806.4410"].comment.startswith("29 pages, 2 figures, 10 tables")
    assert records["1401.4788"].doi == "10.1016/j.patrec.2014.01.002"
    assert records["1401.4788"].journal_ref == "Pattern Recognition Letters 42 (2014): 25-34"
    # Held for moderation: submitted in February, announced in March (its id's month).
    assert records["2303.02155"].published == datetime(2023, 2, 9) and records[
        "2303.02155"
    ].announced == date(2023, 3, 7)
    assert all(r.categories for r in records.values())
