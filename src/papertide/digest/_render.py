"""Rendering an edition as a mail: the digest templates (HTML and plain text with the same
content) in the message every mail is built as (`papertide.mail.build_message`), with
RFC 8058 one-click unsubscribe and a Message-ID that is the same for every attempt."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import Message
from pathlib import Path

from papertide.config import Settings
from papertide.digest._compose import Edition
from papertide.mail import build_message, mail_domain, template_environment
from papertide.readers import Reader

_env = template_environment(Path(__file__).parent / "templates")


def digest_message_id(settings: Settings, reader: Reader, key: str) -> str:
    """The same for every attempt at one reader's edition: retries are recognisable."""
    digest = hashlib.sha256(
        f"{reader.id}/{key}/{settings.resolved_secret_key}".encode()
    ).hexdigest()[:20]
    return f"<digest.{key}.{digest}@{mail_domain(settings)}>"


def render_digest(settings: Settings, edition: Edition, links: dict[str, str]) -> Message:
    day = datetime.fromisoformat(edition.key).strftime("%A %-d %B %Y")
    context = {"sections": edition.sections, "count": edition.count, "day": day,
               "since": edition.since.strftime("%-d %B"), "links": links,
               "base_url": settings.base_url.rstrip("/")}
    subject = f"papertide: {edition.count} paper{'s' if edition.count != 1 else ''} for {day}"
    context["subject"] = subject
    return build_message(
        settings,
        edition.reader.email,
        subject,
        _env.get_template("digest.txt").render(context),
        _env.get_template("digest.html").render(context),
        digest_message_id(settings, edition.reader, edition.key),
        links,
    )
