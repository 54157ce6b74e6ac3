"""A stranger cannot keep a reader from signing in: sign-in links have a budget of their
own (a 10-minute cool-down per address, not a daily wall shared with subscription mail),
so at every moment the reader's inbox holds a link under 15 minutes old; requests are also
capped per requesting network. Time passes here by moving the stored windows back, as the
clock would."""

import re

from sqlalchemy import select, update

from papertide.db.tables import rate_limits
from tests.helpers import add_reader


def _services(client):
    return client.app.state.services


def _pass_time(services, seconds: float) -> None:
    """Every rate-limit window, as if `seconds` had gone by."""
    with services.catalog.engine.begin() as conn:
        for key, hits, expires in conn.execute(select(rate_limits.c.key, rate_limits.c.hits,
                                                      rate_limits.c.expires_at)).all():
            conn.execute(update(rate_limits).where(rate_limits.c.key == key).values(
                hits=[t - seconds for t in hits] if hits else hits,
                expires_at=expires - seconds))
    services.limits._refused.clear()  # what this process remembered is past too


def _links(smtp_server, address):
    found = (re.search(r"http://testserver/auth/signin\?token=(\S+)",
                       m.get_body(("plain",)).get_content())
             for m in smtp_server.recorder.to(address))
    return [link.group(1) for link in found if link]


def test_strangers_asking_for_links_never_keep_a_reader_out(make_client, smtp_server):
    client = make_client(trusted_proxies="127.0.0.1")
    services = _services(client)
    add_reader(services, "bob@example.org")
    for quarter in range(6):  # an hour and a half of pressure, from 30 networks
        before = len(_links(smtp_server, "bob@example.org"))
        for n in range(30):
            client.post("/api/auth/login", json={"email": "bob@example.org"},
                        headers={"X-Forwarded-For": f"198.51.{n}.7"})
        bob = client.post("/api/auth/login", json={"email": "Bob@example.org"},
                          headers={"X-Forwarded-For": "203.0.113.5"})
        assert bob.status_code == 202
        fresh = _links(smtp_server, "bob@example.org")[before:]
        assert len(fresh) == 1, quarter  # a link from these 15 minutes, and only one
        _pass_time(services, 15 * 60 + 1)
    signed = client.post("/auth/signin", data={"token": fresh[0]}, follow_redirects=False)
    assert signed.status_code == 303 and client.get("/api/me").json()["email"] == \
        "bob@example.org"


def test_sign_in_links_and_confirmations_have_separate_budgets(make_client, smtp_server):
    client = make_client(trusted_proxies="127.0.0.1")
    for n in range(5):  # a stranger spends the subscription budget of ada's address
        client.post("/api/subscribe", json={"email": "ada@example.org"},
                    headers={"X-Forwarded-For": f"198.51.{n}.7"})
    assert len(smtp_server.recorder.to("ada@example.org")) == 3
    client.post("/api/auth/login", json={"email": "ada@example.org"},
                headers={"X-Forwarded-For": "203.0.113.5"})
    assert len(_links(smtp_server, "ada@example.org")) == 1  # she can still sign in


def test_one_network_asking_for_links_is_capped(make_client):
    client = make_client(trusted_proxies="127.0.0.1", limit_mail_per_ip="10/hour")
    answers = [client.post("/api/auth/login", json={"email": f"r{n}@example.org"},
                           headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
               for n in range(12)]  # one /24, addresses rotated
    assert answers == [202] * 10 + [429] * 2
    other = client.post("/api/auth/login", json={"email": "x@example.org"},
                        headers={"X-Forwarded-For": "198.51.101.1"})
    assert other.status_code == 202
