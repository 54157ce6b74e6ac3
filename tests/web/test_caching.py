"""Pages travel light: responses are gzip-compressed for clients that accept it, static
files are addressed by version and cached for a year, personal pages are never cached."""

from __future__ import annotations

import gzip
import json
import re

import httpx

from tests.helpers import sign_in

IMMUTABLE = "public, max-age=31536000, immutable"


def _raw(client, path: str, **headers: str) -> httpx.Response:
    """The response as it travelled: body still compressed, if it was."""
    with client.stream("GET", path, headers=headers) as response:
        response.raw = b"".join(response.iter_raw())  # type: ignore[attr-defined]
        return response


def test_html_json_and_static_files_are_compressed_for_clients_that_accept_it(client):
    page = client.get("/").text
    scripts = re.findall(r'src="(?:http://testserver)?(/static/[^"]+)"', page)
    assert scripts
    for path in ["/", "/search?q=alignment", "/api/search?q=alignment", *scripts]:
        response = _raw(client, path, **{"Accept-Encoding": "gzip"})
        assert response.status_code == 200, path
        assert response.headers["content-encoding"] == "gzip", path
        whole = gzip.decompress(response.raw)
        assert len(response.raw) < len(whole) / 2, path  # text compresses well
        if path.startswith("/static/"):
            assert whole == client.get(path).content, path
        elif path.startswith("/api/"):
            assert json.loads(whole)["items"], path
        else:
            assert whole.startswith(b"<!doctype html>") and b"</html>" in whole, path
    plain = _raw(client, "/", **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.raw.startswith(b"<!doctype")


def test_static_files_are_addressed_by_version_and_cached_for_a_year(client):
    page = client.get("/").text
    assets = re.findall(r'(?:src|href)="(?:http://testserver)?(/static/[^"]+)"', page)
    assert any("htmx" in a for a in assets) and any("style.css" in a for a in assets)
    for address in assets:
        assert re.search(r"\?v=[0-9a-f]{12}$", address), address
        response = client.get(address)
        assert response.status_code == 200
        assert response.headers["cache-control"] == IMMUTABLE, address
    # Without the current version (an old page, a typed address): the browser revalidates.
    for address in ["/static/htmx.min.js", "/static/htmx.min.js?v=000000000000"]:
        assert client.get(address).headers["cache-control"] == "no-cache"


def test_personal_pages_are_never_cached_and_public_ones_may_be(client):
    csrf = sign_in(client, client.app.state.services, "boss@example.org")
    assert csrf
    for path in ["/account", "/library", "/for-you", "/onboarding", "/outbox", "/admin",
                 "/api/me", "/api/me/library", "/api/me/tags"]:
        response = client.get(path, follow_redirects=False)
        assert response.status_code < 500, path
        assert response.headers["cache-control"] == "private, no-store", path
    for path in ["/", "/search?q=alignment", "/api/search?q=alignment"]:
        assert "no-store" not in client.get(path).headers.get("cache-control", ""), path


def test_an_export_download_streams_compressed(client):
    sign_in(client, client.app.state.services, "ada@example.org")
    response = _raw(client, "/library/export?format=jsonl", **{"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    body = gzip.decompress(response.raw) if response.headers.get(
        "content-encoding") == "gzip" else response.raw
    assert body == client.get("/library/export?format=jsonl").content


def test_a_forged_host_header_puts_no_other_site_in_a_page(client, demo):
    # Pages may be cached: what they load must not follow a Host header a client made up.
    for path in ("/", "/search?q=VLA", "/daily"):
        page = client.get(path, headers={"host": "evil.example"})
        assert page.status_code == 200
        assert "evil.example" not in page.text
        assert re.search(r'<script src="/static/htmx\.min\.js\?v=\w+"', page.text)
