"""Rendering mails: multipart HTML (Jinja2, autoescaped, CSS inlined with css-inline) and
plain text with the same content, and the headers a careful sender sets — including
RFC 8058 one-click unsubscribe. Reader-controlled text never reaches a header: the To
address is validated and normalised at subscription, topics and names only appear in
the body, and every header value is checked for line breaks before it is set.

`build_message` is what every mail is made with (the digest's too); the account mails
(confirmation, sign-in link, address change) are rendered here from their templates."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Protocol

import css_inline
from jinja2 import Environment, FileSystemLoader, select_autoescape

from papertide.config import Settings
from papertide.mathtext import to_plain


class TopicLike(Protocol):
    """What a confirmation mail shows of a topic."""

    @property
    def query(self) -> str: ...
    @property
    def category(self) -> str | None: ...
    @property
    def author(self) -> str | None: ...


def template_environment(folder: Path) -> Environment:
    """The Jinja2 environment mails are rendered in (math as Unicode in both parts: most
    mail clients draw no MathML)."""
    env = Environment(loader=FileSystemLoader(str(folder)), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["plain"] = to_plain
    return env


_env = template_environment(Path(__file__).parent / "templates")
_inliner = css_inline.CSSInliner(keep_style_tags=True)  # keep the dark-mode media queries
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP  # readable source, safe line lengths


class HeaderInjection(ValueError):
    pass


def _set(msg: Message, name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise HeaderInjection(f"line break in the {name} header")
    # An address with a non-ASCII mailbox name goes out as it is (RFC 6532, with SMTPUTF8):
    # an RFC 2047 word in its place would be no address at all.
    raw = value.isascii() or name == "To"
    msg[name] = value if raw else Header(value, "utf-8").encode()


def mail_domain(settings: Settings) -> str:
    address = parseaddr(settings.mail_from)[1]
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def build_message(settings: Settings, to: str, subject: str, text: str, html: str,
             message_id: str, links: dict[str, str] | None = None) -> Message:
    # Built with the classic (compat32) MIME classes: the same standard library, a third of
    # the cost of EmailMessage's header registry, which showed up first in the fan-out
    # profile. `as_email_message` gives the modern API where a caller wants it.
    msg = MIMEMultipart("alternative")
    # A Charset object (not just its name) carries the quoted-printable choice; the
    # standard library accepts it, its type stubs only name strings.
    msg.attach(MIMEText(text, "plain", _UTF8))  # type: ignore[arg-type]
    msg.attach(MIMEText(_inliner.inline(html), "html", _UTF8))  # type: ignore[arg-type]
    _set(msg, "From", settings.mail_from)
    _set(msg, "To", to)
    _set(msg, "Subject", subject)
    _set(msg, "Date", format_datetime(datetime.now(UTC)))
    _set(msg, "Message-ID", message_id)
    if links and "unsubscribe" in links:
        token = links["unsubscribe"].rsplit("token=", 1)[-1]
        mailto = f"mailto:unsubscribe@{mail_domain(settings)}?subject=unsubscribe-{token}"
        _set(msg, "List-Unsubscribe", f"<{mailto}>, <{links['unsubscribe']}>")
        _set(msg, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
    return msg


def as_email_message(msg: Message) -> EmailMessage:
    """The message re-read with the modern API (`get_body`, parsed headers)."""
    return message_from_bytes(msg.as_bytes(), policy=policy.default)


_SUBJECTS = {"confirm": "Confirm your papertide subscription",
             "already": "You are already subscribed to papertide"}


def _unique(*parts: object) -> str:
    return hashlib.sha256("/".join(map(str, (*parts, datetime.now().isoformat()))).encode()
                          ).hexdigest()[:20]


def render_confirmation(settings: Settings, email: str, links: dict[str, str],
                        kind: str = "confirm", topics: Sequence[TopicLike] = ()) -> Message:
    """The answer to a subscribe request (`kind`: confirm or already; see
    `Readers.request_subscription`). The topics its link carries are not written in the
    mail: whoever asked chose them, and the address has not agreed to anything yet, so the
    page the link opens shows them instead (no stranger's text reaches an inbox)."""
    subject = _SUBJECTS[kind]
    context = {"links": links, "kind": kind, "subject": subject}
    return build_message(settings, email, subject,
                         _env.get_template("confirm.txt").render(context),
                         _env.get_template("confirm.html").render(context),
                         f"<confirm.{_unique('confirm', email)}@{mail_domain(settings)}>")


def render_sign_in(settings: Settings, email: str, link: str, new: bool) -> Message:
    context = {"email": email, "link": link, "new": new}
    return build_message(settings, email, "Sign in to papertide",
                         _env.get_template("signin.txt").render(context),
                         _env.get_template("signin.html").render(context),
                         f"<signin.{_unique('signin', email)}@{mail_domain(settings)}>")


def render_address_link(settings: Settings, old_address: str, new_address: str,
                        link: str) -> Message:
    context = {"old": old_address, "new": new_address, "link": link}
    return build_message(settings, new_address, "Confirm your new papertide address",
                         _env.get_template("address.txt").render(context),
                         _env.get_template("address.html").render(context),
                         f"<address.{_unique('address', old_address)}@{mail_domain(settings)}>")
