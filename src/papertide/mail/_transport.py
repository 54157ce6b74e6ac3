"""Getting a rendered message to the reader: an SMTP relay, or the outbox folder.

Exactly-once hinges on where the delivery log is committed. Both transports call
`commit()` at the one point where the message is complete but not yet handed over:

- SMTP: after the whole body has been sent inside DATA and *before* the final `.` that
  ends it. A crash before the commit leaves the relay an unfinished transaction, which it
  discards (the message is sent again on restart); after the commit the `.` is a single
  socket write away, and the kernel delivers what was written even if the process dies.
  If `commit()` fails — another worker already logged this edition — the connection is
  dropped without the `.`, so the relay discards this copy.
- Outbox: the `.eml` file is written under a temporary name and renamed after the
  commit; the rename is atomic and the name is derived from the Message-ID.

Failures are classified as the relay states them: 4xx replies and dropped connections
are transient (retry with back-off), 5xx are permanent (the address bounces).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from email.message import Message
from email.policy import SMTPUTF8, compat32
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

_WIRE = compat32.clone(linesep="\r\n")
_WIRE_UTF8 = SMTPUTF8.clone(linesep="\r\n")  # headers as UTF-8 (RFC 6532)
_DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


class DeliveryError(Exception):
    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class TransientFailure(DeliveryError):
    """Try again later: 4xx, connection trouble."""


class PermanentFailure(DeliveryError):
    """Do not try again: 5xx (unknown mailbox, refused)."""


def _classify(code: int, text: str) -> DeliveryError:
    cls = PermanentFailure if 500 <= code < 600 else TransientFailure
    return cls(f"{code} {text}", code)


def recipient(msg: Message) -> str:
    return parseaddr(msg["To"])[1]


def wire_bytes(msg: Message) -> bytes:
    """The message as it goes on the wire: an address with a non-ASCII mailbox name needs
    UTF-8 headers; everything else keeps the classic encoding."""
    return msg.as_bytes(policy=_WIRE if recipient(msg).isascii() else _WIRE_UTF8)


class OutboxTransport:
    """Writes each message as an .eml file to a folder (the embedded default)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def send(self, msg: Message, commit: Callable[[], None] = lambda: None) -> None:
        name = hashlib.sha256(msg["Message-ID"].encode()).hexdigest()[:24] + ".eml"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(wire_bytes(msg))
        try:
            commit()
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, self.folder / name)

    def close(self) -> None:
        pass


class SmtpTransport:
    """One persistent connection to a relay; reconnects when it drops."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps"):
            raise ValueError("the SMTP URL must start with smtp:// or smtps://")
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        self.host = parsed.hostname or "localhost"
        self.implicit_tls = parsed.scheme == "smtps"
        self.port = parsed.port or (465 if self.implicit_tls else 25)
        self.starttls = query.get("starttls", "0") in ("1", "true", "yes")
        self.user = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        self.timeout = timeout
        self.context = ssl.create_default_context(cafile=query.get("cafile"))
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self.smtp is not None:
            try:
                if self.smtp.noop()[0] == 250:
                    return self.smtp
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        smtp: smtplib.SMTP
        try:
            if self.implicit_tls:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=self.context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=self.context)
                smtp.ehlo()
            if self.user:
                self._login(smtp)
            # The body and the final dot are two writes before one read: without NODELAY,
            # Nagle's algorithm holds the dot back until the relay's delayed ACK (~40 ms).
            if smtp.sock is not None:
                smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except smtplib.SMTPAuthenticationError as exc:
            # The relay's credentials are wrong: nothing the reader did, so not a bounce.
            raise TransientFailure(
                f"the relay refused the login ({exc.smtp_code}): check PAPERTIDE_SMTP_URL",
                exc.smtp_code,
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise _classify(exc.smtp_code, str(exc.smtp_error)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientFailure(f"cannot reach the relay: {exc}") from exc
        self.smtp = smtp
        return smtp

    def _login(self, smtp: smtplib.SMTP) -> None:
        # PLAIN over TLS when offered: one round trip, and a refusal is final (smtplib's
        # login() would go on to try every other mechanism the relay lists).
        user, password = self.user or "", self.password or ""
        if "PLAIN" in smtp.esmtp_features.get("auth", "").upper().split():
            smtp.user, smtp.password = user, password
            code, text = smtp.auth("PLAIN", smtp.auth_plain, initial_response_ok=True)
            if code != 235:
                raise smtplib.SMTPAuthenticationError(code, text)
        else:
            smtp.login(user, password)

    def _drop(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(OSError):
                self.smtp.close()
        self.smtp = None

    def send(self, msg: Message, commit: Callable[[], None] = lambda: None) -> None:
        sender = parseaddr(msg["From"])[1]
        to = recipient(msg)
        smtp = self._connect()
        options = []
        if not to.isascii():
            # A non-ASCII mailbox name travels only where the relay offers SMTPUTF8
            # (RFC 6531); its domain part is already IDNA-encoded where it could be.
            if not smtp.has_extn("smtputf8"):
                raise PermanentFailure(f"the relay does not offer SMTPUTF8, which {to} needs")
            options.append("SMTPUTF8")
        try:
            code, text = smtp.mail(sender, options)
            if code != 250:
                raise _classify(code, text.decode(errors="replace"))
            code, text = smtp.rcpt(to)
            if code not in (250, 251):
                raise _classify(code, text.decode(errors="replace"))
            code, text = smtp.docmd("DATA")
            if code != 354:
                raise _classify(code, text.decode(errors="replace"))
            body = _DOT_AT_LINE_START.sub(b"..", wire_bytes(msg))  # dot-stuffing
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            smtp.send(body)
        except DeliveryError:
            self._reset()
            raise
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise TransientFailure(f"connection to the relay failed: {exc}") from exc
        try:
            commit()
        except BaseException:
            self._drop()  # no final dot: the relay throws this copy away
            raise
        try:
            smtp.send(b".\r\n")
            code, text = smtp.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise TransientFailure(f"connection dropped after the message: {exc}") from exc
        if code != 250:
            raise _classify(code, text.decode(errors="replace"))

    def _reset(self) -> None:
        try:
            if self.smtp is not None:
                self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()
        self.smtp = None


def make_transport(smtp_url: str | None, outbox: Path) -> SmtpTransport | OutboxTransport:
    return SmtpTransport(smtp_url) if smtp_url else OutboxTransport(outbox)
