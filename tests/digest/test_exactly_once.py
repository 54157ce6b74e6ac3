"""Exactly once: a worker killed in the middle of a 200-reader fan-out, then started again,
leaves every reader with one digest — nobody with none, nobody with two."""

import os
import signal
import subprocess
import sys

import pytest

from papertide.services import open_services
from tests.helpers import HANG, mail_settings

pytestmark = pytest.mark.slow
READERS = 200


def run_worker(settings, env_extra=None):
    env = {**os.environ, "PAPERTIDE_DATA_DIR": str(settings.data_dir),
           "PAPERTIDE_DATABASE_URL": settings.resolved_database_url,
           "PAPERTIDE_SECRET_KEY": "test-secret",
           "PAPERTIDE_SMTP_URL": settings.smtp_url, "PAPERTIDE_SEND_RATE": "0",
           "PAPERTIDE_SEARCH_MODE": "keyword", "PAPERTIDE_BASE_URL": settings.base_url}
    env.update(env_extra or {})
    return subprocess.Popen(
        [sys.executable, "-m", "papertide.cli", "digest", "run", "--now"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_killed_mid_fan_out_and_restarted_sends_exactly_one_each(settings, smtp_server,
                                                                  demo_snapshot):
    settings = mail_settings(settings, smtp_server)
    services = demo_snapshot.restore(open_services(settings))
    for i in range(READERS):
        services.readers.subscribe(f"reader{i:03d}@example.org", confirmed=True)

    first = run_worker(settings)
    # Kill the worker the moment the server holds its 70th message — inside the DATA
    # handler, before the server has even answered "250" — the worst moment to die.
    smtp_server.recorder.on_message = lambda count: (
        count == 70 and os.kill(first.pid, signal.SIGKILL)
    )
    first.wait(timeout=HANG)
    assert first.returncode == -signal.SIGKILL
    smtp_server.recorder.on_message = None
    received_before = len(smtp_server.recorder.messages)
    assert 70 <= received_before < READERS

    second = run_worker(settings)
    output = second.communicate(timeout=2 * HANG)[0].decode()
    assert second.returncode == 0, output

    recipients = [m["To"] for m in smtp_server.recorder.messages]
    assert len(recipients) == READERS, f"{len(recipients)} messages for {READERS} readers"
    assert len(set(recipients)) == READERS
    assert len({m["Message-ID"] for m in smtp_server.recorder.messages}) == READERS

    # And a third run has nothing left to do.
    third = run_worker(settings)
    third.communicate(timeout=HANG)  # the relay took its every message before it exited
    assert len(smtp_server.recorder.messages) == READERS
