"""Internationalised addresses reach a real SMTP server (aiosmtpd) as the standards say: an
IDN domain in its ASCII form everywhere, a non-ASCII mailbox name with SMTPUTF8 when the
relay offers it, and a bounce (not a garbled address) when it does not."""

from datetime import datetime

import pytest

from papertide.mail import PermanentFailure
from papertide.services import open_services
from tests.helpers import SMTPServer, add_reader, mail_settings

NOW = datetime(2026, 11, 24, 12, 0)


def test_an_idn_domain_is_kept_and_sent_in_its_ascii_form(mail_services):
    smtp = mail_services.smtp.recorder
    assert mail_services.account_mails.answer_subscribe("User@Bücher.example") == "confirm"
    assert mail_services.account_mails.answer_subscribe("user@xn--bcher-kva.example") == "confirm"
    readers = mail_services.readers.store.all()
    assert [r.email for r in readers] == ["user@xn--bcher-kva.example"]  # one reader
    assert [rcpt for _, rcpt in smtp.envelopes] == [["user@xn--bcher-kva.example"]] * 2
    assert smtp.messages[0]["To"] == "user@xn--bcher-kva.example"


def test_a_non_ascii_mailbox_goes_out_with_smtputf8(mail_services, settings):
    with SMTPServer(smtputf8=True) as server:
        services = open_services(mail_settings(settings, server))
        assert services.account_mails.answer_subscribe("用户@例子.广告") == "confirm"
        (mail,) = server.recorder.messages
        assert server.recorder.envelopes == [("digest@papers.example.org", ["用户@例子.广告"])]
        assert mail["To"] == "用户@例子.广告"
        assert "Confirm your subscription" in mail.get_body(("html",)).get_content()


def test_a_relay_without_smtputf8_bounces_a_non_ascii_mailbox(mail_services):
    with pytest.raises(PermanentFailure, match="SMTPUTF8"):
        mail_services.account_mails.answer_subscribe("josé@example.org")
    reader = add_reader(mail_services, "josé@example.org", "model merging")
    assert mail_services.digests.deliver(reader.id, now=NOW) == "bounced"
    assert mail_services.readers.store.get(reader.id).bounces == 1
    assert mail_services.smtp.recorder.messages == []
