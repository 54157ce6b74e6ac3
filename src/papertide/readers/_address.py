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
        # `test_environment` accepts `.test` domains (RFC 6761: applications should not
        # treat them as special; a lab's own relay may serve one), so that any address of
        # the API schema's `format: email` is taken; names that can never receive mail
        # (.local, .localhost, .invalid, .onion, .arpa) are still refused.
        checked = validate_email(raw.strip(), check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise InvalidInput(f"That does not look like an email address: {exc}") from None
    return (checked.ascii_email or checked.normalized).lower()
