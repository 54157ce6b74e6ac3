"""Email addresses as papertide keeps them: validated, normalised, one form per mailbox."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from papertide.readers._errors import InvalidInput


def normalize_email(raw: str) -> str:
    """The address as papertide keeps and sends it: an internationalised domain in its
    ASCII (IDNA) form, so `user@bücher.example` and `user@xn--bcher-kva.example` are one
    reader; a non-ASCII mailbox name stays Unicode and is sent with SMTPUTF8."""
    if not isinstance(raw, str) or len(raw) > 320:
        raise InvalidInput("That does not look like an email address.")
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"That does not look like an email address: {exc}") from None
    return (checked.ascii_email or checked.normalized).lower()
