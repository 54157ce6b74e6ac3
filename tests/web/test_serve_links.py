"""`papertide serve --port N` without a base URL set: the links the app writes into its
feeds point at port N, where it listens, not at the setting's default port."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest

from tests.helpers import HANG, free_port, start_serve

pytestmark = pytest.mark.slow  # a server process starts and stops


def test_feed_links_follow_the_port_given_to_serve(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PAPERTIDE_")}  # no base URL, host or port from outside
    env.update(PAPERTIDE_DATA_DIR=str(tmp_path / "data"), PAPERTIDE_SECRET_KEY="test-secret",
               PAPERTIDE_SEARCH_MODE="keyword")
    server = start_serve(port, env)
    base = f"http://127.0.0.1:{port}"
    try:
        feed = httpx.get(base + "/feeds/search.atom", params={"q": "diffusion"}, timeout=HANG)
        assert feed.status_code == 200
        assert f'<link href="{base}/feeds/search.atom?q=diffusion" rel="self"' in feed.text
        assert "127.0.0.1:8000" not in feed.text
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(HANG)
