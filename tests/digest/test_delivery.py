"""Sending digests through a real SMTP server: retries, bounces, TLS and AUTH, headers."""

from datetime import datetime

import pytest

from papertide.digest import Retry
from papertide.digest._render import HeaderInjection, _set
from papertide.readers import InvalidInput, Topic
from papertide.services import open_services
from tests.helpers import SMTPServer, add_reader, mail_settings

NOW = datetime(2026, 11, 24, 12, 0)  # a Tuesday, after Monday evening's announcement


def test_a_digest_is_multipart_with_one_click_unsubscribe_headers(mail_services):
    add_reader(mail_services, "ada@example.org", "model merging")
    assert mail_services.digests.run(NOW, everyone=True) == {"sent": 1}
    (msg,) = mail_services.smtp.recorder.messages
    assert msg["To"] == "ada@example.org"
    assert msg["From"] == "papertide <digest@papers.example.org>"
    assert "Tuesday 24 November 2026" in msg["Subject"]
    assert msg["Date"] and msg["Message-ID"].startswith("<digest.2026-11-24.")
    unsubscribe = msg["List-Unsubscribe"]
    assert "<mailto:unsubscribe@papers.example.org?subject=unsubscribe-" in unsubscribe
    assert "<https://papers.example.org/unsubscribe?token=" in unsubscribe
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = msg.get_body(("html",)).get_content()
    text = msg.get_body(("plain",)).get_content()
    assert 'style="' in html  # CSS inlined for mail clients
    assert "prefers-color-scheme: dark" in html
    titles = [line[2:] for line in text.splitlines() if line.startswith("* ")]
    assert len(titles) == 10 and all(t.split(" ")[0] in html for t in titles)
    assert "== model merging ==" in text and "== Trending ==" in text


def test_421_then_success_is_retried_and_sent_once(mail_services):
    add_reader(mail_services, "busy@example.org")
    mail_services.smtp.recorder.rcpt_replies["busy@example.org"] = ["421 try later", "250"]
    assert mail_services.digests.run(NOW, everyone=True) == {"sent": 1}
    assert len(mail_services.smtp.recorder.to("busy@example.org")) == 1


def test_550_bounces_and_stops_mail_after_the_threshold(mail_services):
    reader = add_reader(mail_services, "gone@example.org")
    mail_services.smtp.recorder.rcpt_replies["gone@example.org"] = ["550 no such user"]
    assert mail_services.digests.run(NOW, everyone=True) == {"bounced": 1}
    for day in (25, 26):  # next editions: more permanent failures
        mail_services.digests.run(datetime(2026, 11, day, 12), everyone=True)
    stored = mail_services.readers.store.get(reader.id)
    assert stored.bounces == 3 and stored.status == "bouncing"
    assert mail_services.digests.run(datetime(2026, 11, 30, 12), everyone=True) == {}
    assert mail_services.smtp.recorder.messages == []
    assert [kind for kind, _ in mail_services.readers.store.events(reader.id)].count("bounce") == 3


def test_starttls_and_auth_against_a_real_server(settings, tmp_path, second_database_url,
                                                  demo_snapshot):
    with SMTPServer(tls=True, auth=("mailer", "s3cret"), tmp_path=tmp_path) as server:
        services = demo_snapshot.restore(open_services(mail_settings(settings, server)))
        add_reader(services, "tls@example.org")
        assert services.digests.run(NOW, everyone=True) == {"sent": 1}
        assert len(server.recorder.messages) == 1
        # A wrong password is the operator's problem, not the reader's: the edition fails
        # (and stays due), the address is not counted as bouncing.
        wrong = demo_snapshot.restore(open_services(mail_settings(
            settings, server, data_dir=tmp_path / "w", database_url=second_database_url,
            smtp_url=server.url(password="nope"))))
        wrong.digests.retry = Retry(attempts=2, first_delay=0)
        reader = add_reader(wrong, "tls@example.org")
        assert wrong.digests.run(NOW, everyone=True) == {"failed": 1}
        assert wrong.readers.store.get(reader.id).bounces == 0
        assert wrong.digests.due(NOW, everyone=True) == [(reader.id, "2026-11-24")]


def test_header_injection_through_reader_fields_is_impossible(mail_services):
    with pytest.raises(InvalidInput):
        mail_services.readers.subscribe("victim@example.org\r\nBcc: evil@example.net")
    reader = add_reader(mail_services, "ok@example.org")
    mail_services.readers.update_preferences(
        reader, frequency="daily", weekday=0, send_hour=7, timezone="UTC", per_digest=5,
        topics=[Topic("merging\r\nBcc: evil@example.net\r\nSubject: pwned")])
    mail_services.digests.run(NOW, everyone=True)
    (msg,) = mail_services.smtp.recorder.messages
    assert msg["Bcc"] is None and "pwned" not in msg["Subject"]
    assert mail_services.smtp.recorder.envelopes[0][1] == ["ok@example.org"]
    with pytest.raises(HeaderInjection):
        _set(msg, "X-Test", "a\r\nBcc: evil@example.net")


def test_the_same_paper_is_never_sent_twice_across_editions(mail_services):
    add_reader(mail_services, "daily@example.org", "language models", per_digest=20)
    seen = []
    for day in (24, 25, 26):  # Tue, Wed, Thu: an announcement before each
        mail_services.digests.run(datetime(2026, 11, day, 12), everyone=True)
    for msg in mail_services.smtp.recorder.messages:
        seen += [line for line in msg.get_body(("plain",)).get_content().splitlines()
                 if line.startswith("  https://papers.example.org/papers/")]
    assert len(mail_services.smtp.recorder.messages) == 3
    assert len(seen) == 60 and len(set(seen)) == 60


def test_each_paper_appears_once_under_the_topic_that_ranks_it_highest(mail_services):
    reader = add_reader(
        mail_services,
        "topics@example.org",
        "model merging",
        "merging language models",
        per_digest=30,
    )
    edition, _ = mail_services.digests.preview(mail_services.readers.store.get(reader.id), NOW)
    ids = edition.paper_ids
    assert len(ids) == len(set(ids))
    search = mail_services.search
    for section in edition.sections:
        if section.topic is None:
            continue
        other = [
            t for t in reader.topics if t is not section.topic and t.query != section.topic.query
        ][0]
        for paper in section.papers:
            mine = [p for p, _ in search.ranked_ids(section.topic.query, mode="keyword")].index(
                paper.id
            )
            theirs = [p for p, _ in search.ranked_ids(other.query, mode="keyword")]
            assert paper.id not in theirs or mine <= theirs.index(paper.id)


class _Clock:
    """A clock that moves only when slept on: the waits the rate limit decides on, exactly."""

    def __init__(self) -> None:
        self.now, self.slept = 1000.0, []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_send_rate_limit_spaces_mails_out(monkeypatch):
    import sys

    from papertide.digest import _RateLimit

    clock = _Clock()
    monkeypatch.setattr(sys.modules[_RateLimit.__module__], "time", clock)
    limit = _RateLimit(20.0)  # at most 20 a second: one mail each 0.05 s
    sent_at = []
    for _ in range(6):
        limit.wait()
        sent_at.append(clock.now)
    assert sent_at == pytest.approx([1000 + 0.05 * i for i in range(6)])
    assert clock.slept == pytest.approx([0.05] * 5)
    clock.now += 10  # a quiet spell: the next mail goes at once
    limit.wait()
    assert len(clock.slept) == 5
    assert _RateLimit(0).interval == 0  # 0 = unlimited
