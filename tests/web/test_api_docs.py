"""/docs is served by the app: Swagger UI's files come from an installed package, the page
names no other host and forbids any with its Content-Security-Policy."""

import re


def test_docs_and_their_assets_come_from_this_site(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources)
    assert "<script>" not in page.text  # no inline script: the policy would refuse it
    for source in sources:
        if source != "/openapi.json":
            assert client.get(source).status_code == 200, source
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert client.get("/redoc").status_code == 404  # FastAPI's would load from a CDN


def test_the_docs_page_counts_as_a_page_view_for_the_rate_limit(make_client):
    client = make_client(limit_pages="2/minute")
    assert [client.get("/docs").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/docs/assets/swagger-ui.css").status_code == 200  # files are not
