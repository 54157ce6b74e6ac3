"""The `papertide` command, run as a user runs it."""

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

from papertide.cli import app
from tests.helpers import DEMO, FIXTURES


@pytest.fixture
def run(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PAPERTIDE_DATABASE_URL", database_url)
    monkeypatch.setenv("PAPERTIDE_SEARCH_MODE", "keyword")
    monkeypatch.setenv("PAPERTIDE_EMBED_ON_INGEST", "0")
    runner = CliRunner()

    def invoke(*args):
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        return result

    return invoke


def test_ingest_prints_a_summary_and_twice_changes_nothing(run):
    first = run("ingest", DEMO, "--json")
    assert first.exit_code == 0
    assert json.loads(first.stdout.strip().splitlines()[-1])["added"] == 255
    again = json.loads(run("ingest", DEMO, "--json").stdout.strip().splitlines()[-1])
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 255)


def test_rejected_records_are_reported_with_file_and_line(run, tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"title": "Fine paper"}\n{"title": \n')
    summary = json.loads(run("ingest", path, "--json").stdout.strip().splitlines()[-1])
    assert summary["added"] == 1 and summary["rejected"] == 1
    assert summary["rejections"] == [f"{path}:2: malformed JSON: Expecting value at column 11"]


def test_search_and_trending_print_json(run):
    run("ingest", DEMO)
    rows = json.loads(
        run(
            "search", "sample efficient multi-agent RL", "--json", "--limit", 3
        ).stdout
    )
    assert rows[0]["title"] == "Sample-Efficient Multi-Agent RL: An Optimization Perspective"
    assert {"id", "title", "score"} <= rows[0].keys() and len(rows) == 3
    hot = json.loads(run("trending", "--window", "day", "--limit", 2, "--json").stdout)
    assert len(hot) == 2 and {"id", "title", "score"} <= hot[0].keys()


def test_search_with_a_bad_date_is_a_clear_error(run):
    result = run("search", "x", "--since", "soon")
    assert result.exit_code != 0 and "not a date" in result.output


def test_export_then_ingest_into_an_empty_store_round_trips(run, tmp_path, monkeypatch,
                                                           second_database_url):
    run("ingest", DEMO)
    run("ingest", FIXTURES / "arxiv-snapshot-5.jsonl")
    first = tmp_path / "first.jsonl"
    run("export", first)
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path / "other"))
    monkeypatch.setenv("PAPERTIDE_DATABASE_URL", second_database_url)
    summary = json.loads(run("ingest", first, "--json").stdout.strip().splitlines()[-1])
    assert summary["added"] == 260 and summary["rejected"] == 0
    second = tmp_path / "second.jsonl"
    run("export", second)
    def by_id(path):
        records = [json.loads(line) for line in path.read_text().splitlines()]
        return {r.pop("id"): r for r in records}

    assert by_id(first) == by_id(second)


def test_export_to_stdout(run):
    run("ingest", FIXTURES / "arxiv-snapshot-5.jsonl")
    lines = run("export").stdout.strip().splitlines()
    assert len(lines) == 5 and json.loads(lines[0])["arxiv_id"]


def test_index_rebuild_and_stats(run):
    run("ingest", DEMO)
    assert "255" in run("index", "--rebuild", "--no-embed").output
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["papers"] == 255 and stats["keyword_index_docs"] == 255


def test_each_progress_bar_names_its_stage(run):
    loaded = run("ingest", FIXTURES / "arxiv-sample-40.jsonl")
    assert "loading arxiv-sample-40.jsonl" in loaded.stderr
    rebuilt = run("index", "--rebuild", "--no-embed")
    assert "indexing words (keyword index)" in rebuilt.stderr and "40/40" in rebuilt.stderr


@pytest.mark.slow
def test_embedding_names_its_stage(run):
    run("ingest", FIXTURES / "arxiv-sample-40.jsonl")
    embedded = run("index")
    assert "embedding abstracts" in embedded.stderr
    assert "indexing vectors (semantic index)" in embedded.stderr


def _summary(result):
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_huge_number_rejects_its_record_and_keeps_the_other_29(run, tmp_path):
    path = tmp_path / "huge.jsonl"
    records = [{"title": f"Paper {i}"} for i in range(30)]
    records[17]["votes"] = 10**30
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = run("ingest", path, "--json")
    assert result.exit_code == 0
    summary = _summary(result)
    assert (summary["added"], summary["rejected"]) == (29, 1)
    assert summary["rejections"][0].startswith(f"{path}:18: votes of 31 digits is outside")


def test_a_truncated_gzip_keeps_its_complete_records_and_exits_3(run, tmp_path):
    import gzip

    whole = gzip.compress(b"".join(json.dumps({"title": f"Gz paper {i}"}).encode() + b"\n"
                                   for i in range(1000)))
    path = tmp_path / "half.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    result = run("ingest", path, "--json")
    assert result.exit_code == 3
    summary = _summary(result)
    assert summary["added"] > 400
    assert summary["unreadable"] == [
        f"{path}: truncated gzip stream after line {summary['added']}"]
    assert json.loads(run("stats", "--json").stdout)["papers"] == summary["added"]


def _store_a_date_no_index_can_take(paper_id):
    """What the code before the catalog's checks let in: a paper dated in year one."""
    from sqlalchemy import update

    from papertide.config import Settings
    from papertide.db.tables import papers
    from papertide.services import open_services

    catalog = open_services(Settings()).catalog
    with catalog.engine.begin() as conn:
        conn.execute(update(papers).where(papers.c.id == paper_id)
                     .values(published=datetime(1, 1, 1), seq=catalog.max_seq() + 1))


def test_a_stored_date_the_index_cannot_take_is_skipped_and_shown_in_stats(run, tmp_path):
    run("ingest", DEMO)
    bad = json.loads(run("search", "sample efficient multi-agent", "--json",
                         "--limit", 1).stdout)[0]["id"]
    _store_a_date_no_index_can_take(bad)
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps({"title": "A paper ingested after the bad row"}) + "\n")
    assert run("ingest", later).exit_code == 0  # the bad row holds nothing up
    rebuilt = run("index", "--rebuild", "--no-embed")
    assert rebuilt.exit_code == 0 and "keyword: 255 papers indexed" in rebuilt.output
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["keyword_index_docs"] == 255 and stats["keyword_index_skipped"] == 1
    assert "out of range" in stats["index_skipped_papers"]["keyword"][bad]
    assert f"keyword index could not take {bad}" in run("stats").output.replace("\n", " ")


def test_admin_grant_prints_a_role_and_link_a_sign_in_link(run):
    from urllib.parse import parse_qs, urlsplit

    from papertide.config import Settings
    from papertide.services import open_services

    granted = run("admin", "grant", "Ops@Example.org")
    assert granted.exit_code == 0 and "ops@example.org: admin" in granted.output
    link = run("admin", "link", "ops@example.org").stdout.strip()
    assert link.startswith("http://127.0.0.1:8000/auth/signin?token=")
    accounts = open_services(Settings()).readers.accounts
    reader, _ = accounts.redeem(parse_qs(urlsplit(link).query)["token"][0], "cli test")
    assert reader.role == "admin"
    assert "ops@example.org: reader" in run("admin", "grant", "ops@example.org", "--revoke").output


def test_admin_link_points_where_serve_listens_unless_the_public_address_is_set(
        run, monkeypatch):
    run("admin", "grant", "ops@example.org")
    monkeypatch.setenv("PAPERTIDE_PORT", "8450")
    link = run("admin", "link", "ops@example.org").stdout.strip()
    assert link.startswith("http://127.0.0.1:8450/auth/signin?token=")
    monkeypatch.setenv("PAPERTIDE_BASE_URL", "https://papers.example.org")
    link = run("admin", "link", "ops@example.org").stdout.strip()
    assert link.startswith("https://papers.example.org/auth/signin?token=")


def test_readers_token_prints_a_working_api_token(run):
    from papertide.config import Settings
    from papertide.services import open_services

    run("readers", "add", "ada@example.org", "--confirmed")
    token = run("readers", "token", "ada@example.org", "--name", "ci").stdout.strip()
    accounts = open_services(Settings()).readers.accounts
    assert token.startswith("pt_") and accounts.reader_for_api_token(token).email == \
        "ada@example.org"
    missing = run("readers", "token", "nobody@example.org")
    assert missing.exit_code != 0 and "no reader" in missing.output
    voter = run("readers", "token", "ada@example.org", "--scope", "read,vote").stdout.strip()
    assert accounts.api_token(voter)[1] == {"read", "vote"}
    assert accounts.api_token(token)[1] == {"read"}  # least by default
    wrong = run("readers", "token", "ada@example.org", "--scope", "admin")
    assert wrong.exit_code != 0 and "unknown scope admin" in wrong.output


def test_export_after_ingest_past_32_bit_counters(run, tmp_path):
    """The `seq` counter and the engagement counts are 64-bit on every backend: a store
    whose counters passed 2**31 still ingests, indexes and exports."""
    from sqlalchemy import update

    from papertide.config import Settings
    from papertide.db.tables import counters, papers
    from papertide.services import open_services

    big = 2**40
    catalog = open_services(Settings()).catalog
    with catalog.engine.begin() as conn:
        conn.execute(update(counters).where(counters.c.name == "seq").values(value=big))
    assert run("ingest", DEMO).exit_code == 0
    with catalog.engine.begin() as conn:
        conn.execute(update(papers).values(views=big + 7))
    out = tmp_path / "all.jsonl"
    result = run("export", out)
    assert result.exit_code == 0 and "exported 255 papers" in result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 255 and {r["views"] for r in records} == {big + 7}
    stats = json.loads(run("stats", "--json").stdout)
    assert stats["catalog_seq"] == big + 1 and stats["keyword_index_seq"] == big + 1


def test_search_prints_math_as_text(run):
    run("ingest", FIXTURES / "arxiv-math-36.jsonl")
    table = run("search", "distills masked diffusion", "--limit", 3).stdout
    assert "Di[M]O: Distilling" in table and "mathtt" not in table


def test_results_go_to_standard_output_and_messages_to_standard_error(run, tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"title": "Fine paper"}\n{"title": \n')
    result = run("ingest", path)
    assert result.exit_code == 0
    assert "added" in result.stdout and "unchanged" in result.stdout  # the summary table
    assert "malformed" in result.stderr and "malformed" not in result.stdout
    indexed = run("index", "--rebuild", "--no-embed")
    assert "keyword: 1 papers indexed" in indexed.stdout
    granted = run("admin", "grant", "ops@example.org")
    assert granted.stdout.strip() == "ops@example.org: admin" and granted.stderr == ""


def test_commands_that_print_data_also_print_json(run):
    run("ingest", DEMO)
    assert json.loads(run("index", "--rebuild", "--no-embed", "--json").stdout)["keyword"] == 255
    added = json.loads(run("readers", "add", "ada@example.org", "--confirmed", "--json").stdout)
    assert added == {"email": "ada@example.org", "status": "active", "added": True}
    again = json.loads(run("readers", "add", "ada@example.org", "--confirmed", "--json").stdout)
    assert again["added"] is False
    role = json.loads(run("admin", "grant", "ops@example.org", "--revoke", "--json").stdout)
    assert role == {"email": "ops@example.org", "role": "reader"}
    sent = json.loads(run("digest", "run", "--json").stdout)
    assert isinstance(sent, dict) and all(isinstance(n, int) for n in sent.values())


def test_digest_preview_prints_the_edition_or_says_it_would_be_skipped(run):
    run("ingest", DEMO)
    run("readers", "add", "ada@example.org", "--topic", "multi-agent reinforcement learning",
        "--confirmed")
    text = run("digest", "preview", "ada@example.org")
    preview = json.loads(run("digest", "preview", "ada@example.org", "--json").stdout)
    assert set(preview) == {"skipped", "subject", "text"}
    if preview["skipped"]:
        assert preview["subject"] is None and "would be skipped" in text.stdout
    else:
        assert text.stdout.startswith(f"Subject: {preview['subject']}\n")
        # The same edition (its signed links carry the second they were made in).
        assert preview["text"].splitlines()[:3] == text.stdout.splitlines()[2:5]


def test_help_lists_each_command_on_one_line_not_broken_mid_sentence():
    runner = CliRunner(env={"COLUMNS": "240"})
    listing = runner.invoke(app, ["--help"]).output
    assert ("Load the bundled demo corpus: the trending listing papertide grew from and 2,000 "
            "recent arXiv papers") in listing
    library = runner.invoke(app, ["library", "--help"]).output
    assert "Import a reference file into a reader's library, with a report: matched" in library
