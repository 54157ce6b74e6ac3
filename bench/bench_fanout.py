"""Digest fan-out: 10,000 readers with 3 topics each get a personalised digest composed,
rendered and accepted by a local SMTP sink (aiosmtpd in its own process), with one
worker. Prints digests per second and the share of time spent composing, rendering and
in SMTP; the baseline in the same run sends one pre-rendered message as many times over
the same connection (the SMTP floor).

The catalog is the keyword benchmark's 100,000 papers with the hybrid benchmark's
vectors (bench/.cache), built if missing. Topics come from a pool of 300 distinct
queries made from real titles: readers share interests, and an edition run searches each
distinct topic once.

    python bench/bench_fanout.py [READERS]
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import subscribe_readers  # noqa: E402
from bench_hybrid import generate_vectors  # noqa: E402
from bench_keyword import catalog_of  # noqa: E402

from papertide.catalog import utcnow  # noqa: E402
from papertide.config import Settings  # noqa: E402
from papertide.digest import Digests, _compose, _render  # noqa: E402
from papertide.mail import SmtpTransport  # noqa: E402
from papertide.services import open_services  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return sink
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the SMTP sink did not start")


class Timer:
    def __init__(self):
        self.seconds = {"compose": 0.0, "render": 0.0, "smtp + log": 0.0}

    def wrap(self, name, fn):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - started
        return timed


def main(n_readers: int = 10_000) -> None:
    base = catalog_of(100_000)
    generate_vectors(base, 100_000)
    port = free_port()
    sink = start_sink(port)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            # Same catalog and indexes, a separate readers table: a copy of the database.
            import shutil

            db = Path(tmp) / "papertide.db"
            shutil.copy(base.settings.data_dir / "papertide.db", db)
            settings = Settings(data_dir=Path(tmp), database_url=f"sqlite:///{db}",
                                index_dir=base.settings.resolved_index_dir, secret_key="bench",
                                smtp_url=f"smtp://127.0.0.1:{port}", send_rate=0,
                                base_url="https://papers.example.org")
            services = open_services(settings)
            subscribe_readers(services, n_readers)
            digests: Digests = services.digests
            timer = Timer()
            _compose.Composer.compose = timer.wrap("compose", _compose.Composer.compose)
            import papertide.digest._digests as digest_module

            digest_module.render_digest = timer.wrap("render", _render.render_digest)
            # The transport's time includes the delivery-log commit it calls before the final dot.
            digests.mailer.transport.send = timer.wrap("smtp + log", digests.mailer.transport.send)
            started = time.perf_counter()
            counts = digests.run(utcnow(), everyone=True)
            total = time.perf_counter() - started
            # Baseline: one pre-rendered digest sent n times over one connection.
            reader = services.readers.store.get(1)
            _, msg = digests.preview(reader)
            transport = SmtpTransport(settings.smtp_url)
            started = time.perf_counter()
            for _ in range(min(n_readers, 3000)):
                transport.send(msg)
            floor = min(n_readers, 3000) / (time.perf_counter() - started)
            transport.close()
    finally:
        sink.terminate()
    sent = counts.get("sent", 0)
    print(
        f"digest fan-out: {n_readers:,} readers × 3 topics (pool of 300), one worker, SMTP sink on loopback"
    )
    print(
        f"  papertide: {sent:,} digests sent in {total:.1f} s = {sent / total:,.0f} digests/s   goal ≥ 100"
    )
    print("  time share: " + ", ".join(f"{k} {v / total:.0%}" for k, v in timer.seconds.items())
          + f", other (reader queries, checks) {1 - sum(timer.seconds.values()) / total:.0%}")
    print(f"  baseline: pre-rendered message over one connection: {floor:,.0f} messages/s")
    print(f"  outcomes: {counts}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
