"""The checks behind the settings that are text: URLs, networks, addresses, rate limits.

Each takes the value and returns it (stripped where that is harmless) or raises
`ValueError` with a short reason, which `papertide.config` turns into a message naming the
variable.
"""

from __future__ import annotations

import ipaddress
import re
from email.utils import parseaddr
from urllib.parse import urlsplit

_QUEUE_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
_HOST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
# One item of PAPERTIDE_SOURCES as text: NAME[:ARG,…]. Whether the name is a source and
# the arguments are arXiv categories is for the sources package to say (at start-up).
_SOURCE_ITEM = re.compile(r"[a-z][a-z0-9-]*(:[^,\s]+(,[^,\s]+)*)?")


def url(value: str, schemes: tuple[str, ...]) -> str:
    try:
        parts = urlsplit(value.strip())
    except ValueError as exc:  # e.g. "Invalid IPv6 URL"
        raise ValueError(f"it is not a URL ({exc})") from None
    if parts.scheme not in schemes:
        raise ValueError(f"it does not start with {' or '.join(s + '://' for s in schemes)}")
    try:
        parts.port  # noqa: B018 - reading it checks it
    except ValueError:
        raise ValueError("its port is not a number from 0 to 65535") from None
    if not parts.hostname:
        raise ValueError("it names no host")
    return value.strip()


def database_url(value: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        make_url(value.strip()).get_dialect()
    except NoSuchModuleError:  # before its base class, ArgumentError
        raise ValueError("SQLAlchemy knows no such database (or driver)") from None
    except ArgumentError:
        raise ValueError("it is not a SQLAlchemy URL") from None
    return value.strip()


def host(value: str) -> str:
    with_no_brackets = value.strip().strip("[]")
    try:
        ipaddress.ip_address(with_no_brackets)
    except ValueError:
        if not _HOST_NAME.fullmatch(with_no_brackets):
            raise ValueError("it is neither an IP address nor a host name") from None
    return with_no_brackets


def networks(value: str) -> str:
    for item in value.replace(",", " ").split():
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network") from None
    return value


def admin_addresses(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    for item in value.replace(",", " ").split():
        try:
            # As readers' addresses are checked, so that every listed operator can sign in.
            validate_email(item, check_deliverability=False, test_environment=True)
        except EmailNotValidError as exc:
            raise ValueError(f"{item!r} is not an email address ({exc})") from None
    return value


def mail_address(value: str) -> str:
    """A mailbox, bare or with a display name; the domain may be local (`@localhost`)."""
    address = parseaddr(value)[1]
    local, at, domain = address.rpartition("@")
    if not (local and at and domain) or any(c.isspace() for c in address):
        raise ValueError("it holds no address of the form user@host")
    return value


def rate_limit(value: str) -> str:
    from limits import parse

    try:
        limit = parse(value)
    except ValueError:
        raise ValueError("it is not a rate") from None
    if limit.amount < 1:
        raise ValueError("it allows nothing at all")
    return value


def queue_name(value: str) -> str:
    if not _QUEUE_NAME.fullmatch(value):
        raise ValueError("it is empty, too long or holds other characters")
    return value


def sources_syntax(value: str) -> str:
    for item in value.split():
        if not _SOURCE_ITEM.fullmatch(item):
            raise ValueError(f"{item!r} is not of the form NAME or NAME:ARG,ARG,…")
    return value
