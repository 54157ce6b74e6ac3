"""Mail fixtures: the digest's demo corpus with a real SMTP server."""

from tests.digest.conftest import mail_services  # noqa: F401
