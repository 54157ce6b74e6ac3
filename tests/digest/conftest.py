"""Digest fixtures: the demo corpus as it stood on a fixed day, and a real SMTP server."""

from __future__ import annotations

from datetime import datetime

import pytest

from papertide.config import Settings
from papertide.db.tables import papers
from papertide.services import Services, open_services
from tests.helpers import DemoSnapshot, SMTPServer, mail_settings


@pytest.fixture
def mail_services(settings: Settings, smtp_server: SMTPServer,
                  demo_snapshot: DemoSnapshot) -> Services:
    """Demo corpus, a real SMTP server, fast retries."""
    from papertide.digest import Retry

    services = demo_snapshot.restore(open_services(mail_settings(settings, smtp_server)))
    # The catalog as it stood on a fixed day, so that tests can name their dates.
    with services.catalog.engine.begin() as conn:
        conn.execute(papers.update().values(first_seen=datetime(2026, 11, 20)))
    services.digests.retry = Retry(attempts=3, first_delay=0.01)
    services.smtp = smtp_server  # type: ignore[attr-defined]
    return services
