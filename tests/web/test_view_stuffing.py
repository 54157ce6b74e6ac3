"""Anonymous views cannot buy trending: a client minting cookies (with or without made-up
`X-Forwarded-For` addresses, which count for nothing past no trusted proxy) adds at most a
few views of a paper a day, and every route that hands out a cookie is rate-limited."""

from tests.helpers import add_reader


def _services(client):
    return client.app.state.services


def _top(client, window, n=20):
    return [p["id"] for p in client.get("/api/trending",
                                        params={"window": window, "limit": n}).json()["items"]]


def test_a_flood_of_anonymous_views_from_one_address_stays_out_of_the_top_20(make_client):
    client = make_client()
    services = _services(client)
    ranked = _top(client, "week", 100)
    # An instance with some life: 25 papers with one vote each from different readers.
    for n, paper_id in enumerate(ranked[:25]):
        reader = add_reader(services, f"r{n}@example.org")
        services.catalog.record_event(paper_id, "vote", f"r:{reader.id}")
    target = ranked[-1]
    assert target not in _top(client, "day") and target not in _top(client, "week")
    for n in range(120):  # each round: a fresh cookie, as from a new browser
        client.cookies.clear()
        fake = {"X-Forwarded-For": f"198.51.{n % 256}.{n}"} if n % 2 else {}
        assert client.get("/login", headers=fake).status_code == 200
        client.get(f"/papers/{target}", headers=fake)
    assert client.get(f"/api/papers/{target}").json()["views"] <= 3
    assert target not in _top(client, "day") and target not in _top(client, "week")


def test_views_from_other_networks_still_count(make_client):
    first = make_client()
    target = _top(first, "week", 100)[-1]
    for ip in ("192.0.2.10", "192.0.2.11", "198.51.100.7", "2001:db8::1", "2001:db8:0:1::1"):
        browser = make_client(ip=ip)
        browser.get("/")
        browser.get(f"/papers/{target}")
    # 192.0.2.10 and .11 share a /24; the two IPv6 addresses are in different /64s.
    views = first.get(f"/api/papers/{target}").json()["views"]
    assert 4 <= views <= 5


def test_every_route_that_hands_out_a_cookie_is_rate_limited(make_client):
    client = make_client(limit_pages="5/minute")
    answers = []
    for _ in range(8):
        client.cookies.clear()
        answers.append(client.get("/login"))
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
    assert all("pt_client" not in a.cookies for a in answers[5:])
    other = make_client(ip="192.0.2.50", limit_pages="5/minute")  # another address
    for path in ("/confirm", "/auth/signin", "/outbox", "/preferences"):
        assert other.get(path).status_code != 429
    assert other.get("/unsubscribe").status_code != 429
    assert other.get("/login").status_code == 429  # six pages from this address already
