"""One way out for every mail: the transport (SMTP relay or outbox folder) behind the
worker's send rate (`PAPERTIDE_SEND_RATE`) and one lock, shared by digests and account
mails so that together they keep the rate."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from email.message import Message

from papertide.config import Settings
from papertide.mail._transport import make_transport


class _RateLimit:
    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.next_at = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            delay = self.next_at - now
            self.next_at = max(now, self.next_at) + self.interval
        if delay > 0:
            time.sleep(delay)


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.transport = make_transport(settings.smtp_url, settings.outbox_dir)
        self.rate = _RateLimit(settings.send_rate)
        self._send_lock = threading.Lock()

    def send(self, msg: Message, commit: Callable[[], None] = lambda: None) -> None:
        """One mail at the send rate; `commit` runs where the transport says (see
        `_transport.py`). Jobs and the CLI call this, never a request."""
        self.rate.wait()
        with self._send_lock:
            self.transport.send(msg, commit)

    def close(self) -> None:
        self.transport.close()
