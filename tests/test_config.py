"""Settings checked at the door: every bad value stops every command before it starts, in
two lines that name the variable, the value and what is accepted (exit status 2); every
value inside the bounds is taken."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papertide._settings_doc import markdown_table
from papertide.cli import app
from papertide.config import Settings, SettingsError, settings_from_env
from papertide.startup import load_settings

README = (Path(__file__).parent.parent / "README.md").read_text()
PAPERTIDE = Path(sys.executable).parent / "papertide"

BAD = [  # (variable, value, words the message must hold)
    ("PAPERTIDE_TRUSTED_PROXIES", "not-a-net", "'not-a-net' is not an IP address or network"),
    ("PAPERTIDE_TRUSTED_PROXIES", "10.0.0.0/8, 300.1.1.1", "'300.1.1.1' is not an IP"),
    ("PAPERTIDE_SOURCES", "arxiv-oai:cs,hf-daily", "'hf-daily' is not an arXiv category"),
    ("PAPERTIDE_SOURCES", "arxiv-oai:cs.LG,,cs.CL", "not of the form NAME or NAME:ARG"),
    ("PAPERTIDE_SOURCES", "rss:cs.LG", "unknown source 'rss'"),
    ("PAPERTIDE_PORT", "70000", "less than or equal to 65535"),
    ("PAPERTIDE_PORT", "0", "greater than or equal to 1"),
    ("PAPERTIDE_PORT", "http", "valid integer"),
    ("PAPERTIDE_MAX_BODY_BYTES", "100", "greater than or equal to 1024"),
    ("PAPERTIDE_MAX_BODY_BYTES", "1000000000", "less than or equal to 67108864"),
    ("PAPERTIDE_SEARCH_FLOOR", "1.5", "less than or equal to 1"),
    ("PAPERTIDE_SEARCH_FLOOR_ALONE", "-0.1", "greater than or equal to 0"),
    ("PAPERTIDE_SEND_RATE", "-1", "greater than or equal to 0"),
    ("PAPERTIDE_BOUNCE_THRESHOLD", "0", "greater than or equal to 1"),
    ("PAPERTIDE_FETCH_INTERVAL", "-3", "greater than or equal to 0"),
    ("PAPERTIDE_INDEX_FOLLOW_SECONDS", "0", "greater than 0"),
    ("PAPERTIDE_DATABASE_URL", "papertide.db", "not a SQLAlchemy URL"),
    ("PAPERTIDE_DATABASE_URL", "postgres+nodriver://db/papertide", "no such database"),
    ("PAPERTIDE_BASE_URL", "papers.example.org", "does not start with http:// or https://"),
    ("PAPERTIDE_BASE_URL", "https://", "names no host"),
    ("PAPERTIDE_BASE_URL", "http://[::1/", "not a URL (Invalid IPv6 URL)"),
    ("PAPERTIDE_ARXIV_OAI_URL", "ftp://oaipmh.arxiv.org/oai", "http:// or https://"),
    ("PAPERTIDE_HF_API_URL", "https://huggingface.co:huge/api", "port is not a number"),
    ("PAPERTIDE_SMTP_URL", "mail.example.org:587", "smtp:// or smtps://"),
    ("PAPERTIDE_QUEUE_URL", "memcached://cache:11211", "redis:// or rediss://"),
    ("PAPERTIDE_CACHE_URL", "localhost:6379", "redis:// or rediss://"),
    ("PAPERTIDE_QUEUE_NAME", "my queue", "other characters"),
    ("PAPERTIDE_HOST", "every interface", "neither an IP address nor a host name"),
    ("PAPERTIDE_ADMIN_EMAILS", "ops@example.org, operator", "'operator' is not an email"),
    ("PAPERTIDE_MAIL_FROM", "papertide", "no address of the form user@host"),
    ("PAPERTIDE_CONTACT_EMAIL", "ops at example.org", "no address of the form user@host"),
    ("PAPERTIDE_LIMIT_VOTES", "lots", "not a rate"),
    ("PAPERTIDE_LIMIT_PAGES", "0/minute", "allows nothing"),
    ("PAPERTIDE_SEARCH_MODE", "fuzzy", "'keyword', 'semantic' or 'hybrid'"),
    ("PAPERTIDE_EMBED_PROFILE", "turbo", "'default', 'fast' or 'plain'"),
    ("PAPERTIDE_EMBED_ON_INGEST", "maybe", "valid boolean"),
]
IDS = [f"{variable}={value}" for variable, value, _ in BAD]


@pytest.fixture
def environment(tmp_path, monkeypatch):
    """No PAPERTIDE_ setting but a data folder of this test's own."""
    for name in list(os.environ):
        if name.startswith("PAPERTIDE_") and name.removeprefix("PAPERTIDE_").lower() in \
                Settings.model_fields:
            monkeypatch.delenv(name)
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


def _assert_refused(stderr: str, variable: str, value: str, words: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 2, stderr
    assert lines[0].startswith(f"papertide: {variable}={value!r}: ")
    assert words in lines[0]
    assert lines[1].startswith("  accepted: ")
    assert "Traceback" not in stderr


@pytest.mark.parametrize("variable,value,words", BAD, ids=IDS)
def test_a_bad_setting_is_refused_with_the_variable_value_and_what_is_accepted(
        environment, variable, value, words):
    environment.setenv(variable, value)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert refused.value.variable == variable
    assert refused.value.value == repr(value)
    assert words in refused.value.reason
    assert refused.value.accepted


@pytest.mark.parametrize("variable,value,words", BAD, ids=IDS)
def test_a_bad_setting_stops_a_command_before_it_starts(environment, tmp_path, variable,
                                                        value, words):
    environment.setenv(variable, value)
    result = CliRunner().invoke(app, ["stats", "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    _assert_refused(result.stderr, variable, value, words)
    assert not (tmp_path / "data").exists()  # nothing was opened, nothing created


@pytest.mark.parametrize("variable,value,words", [
    ("PAPERTIDE_TRUSTED_PROXIES", "not-a-net", "not an IP address or network"),
    ("PAPERTIDE_SOURCES", "arxiv-oai:cs,hf-daily", "'hf-daily' is not an arXiv category"),
    ("PAPERTIDE_PORT", "70000", "less than or equal to 65535"),
    ("PAPERTIDE_DATABASE_URL", "papertide.db", "not a SQLAlchemy URL"),
], ids=["proxies", "sources", "port", "database"])
@pytest.mark.slow  # a process each: seconds
@pytest.mark.parametrize("command", [["stats"], ["serve", "--port", "0"],
                                     ["readers", "list"]], ids=" ".join)
def test_the_installed_command_exits_2_with_two_lines_and_no_traceback(
        environment, tmp_path, command, variable, value, words):
    environment.setenv(variable, value)
    done = subprocess.run([str(PAPERTIDE), *command], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    _assert_refused(done.stderr, variable, value, words)


@pytest.mark.slow
def test_the_web_app_factory_refuses_a_bad_setting_as_the_command_does(environment,
                                                                       tmp_path):
    environment.setenv("PAPERTIDE_TRUSTED_PROXIES", "not-a-net")
    done = subprocess.run(
        [sys.executable, "-c", "from papertide.web import serve_app; serve_app()"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2
    _assert_refused(done.stderr, "PAPERTIDE_TRUSTED_PROXIES", "not-a-net", "not an IP")


def test_secrets_in_a_refused_value_are_not_shown(environment):
    environment.setenv("PAPERTIDE_SMTP_URL", "http://mailer:hunter2@relay.example.org")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert "hunter2" not in str(refused.value)
    assert "mailer:***@relay.example.org" in str(refused.value)


GOOD = [
    ("port", "1", 1), ("port", "65535", 65535),
    ("max_body_bytes", "1024", 1024), ("max_body_bytes", str(64 * 1024 * 1024), 64 * 1024 * 1024),
    ("search_floor", "0", 0.0), ("search_floor_alone", "1", 1.0),
    ("send_rate", "0", 0.0), ("fetch_interval", "0", 0.0), ("index_follow_seconds", "10", 10.0),
    ("trusted_proxies", "127.0.0.1, 10.0.0.0/8 ::1 192.168.1.7/24",
     "127.0.0.1, 10.0.0.0/8 ::1 192.168.1.7/24"),
    ("sources", "arxiv-oai:cs.LG,cs.CL,format=oai_dc arxiv-api:hep-th,max=300 hf-daily",
     "arxiv-oai:cs.LG,cs.CL,format=oai_dc arxiv-api:hep-th,max=300 hf-daily"),
    ("database_url", "postgresql+psycopg://papertide:pw@db.internal/papertide",
     "postgresql+psycopg://papertide:pw@db.internal/papertide"),
    ("smtp_url", "smtps://user:pass@relay.example.org:465", "smtps://user:pass@relay.example.org:465"),
    ("queue_url", "rediss://redis.internal:6380/0", "rediss://redis.internal:6380/0"),
    ("admin_emails", "a@example.org,b@lab.test", "a@example.org,b@lab.test"),
    ("mail_from", "papertide <papertide@localhost>", "papertide <papertide@localhost>"),
    ("host", "::", "::"), ("host", "papers.internal", "papers.internal"),
    ("limit_votes", "5 per 2 hours", "5 per 2 hours"),
    ("embed_on_ingest", "off", False),
]


@pytest.mark.parametrize("name,value,expected", GOOD, ids=[f"{n}={v}" for n, v, _ in GOOD])
def test_a_value_inside_the_bounds_is_taken(environment, name, value, expected):
    environment.setenv(f"PAPERTIDE_{name.upper()}", value)
    assert getattr(load_settings(), name) == expected


def test_the_defaults_pass_the_checks(environment):
    assert settings_from_env() == load_settings()


def test_every_setting_says_what_it_accepts_and_the_readme_table_is_current():
    for name, field in Settings.model_fields.items():
        assert isinstance(field.json_schema_extra, dict), name
        assert field.json_schema_extra["accepts"], f"{name} does not say what it accepts"
        assert field.description, f"{name} has no description"
    assert markdown_table() in README, "README's table is stale: run `cog -r README.md`"
