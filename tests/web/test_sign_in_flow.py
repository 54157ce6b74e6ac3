"""Signing in without losing one's place: "Sign in to save" carries the page along and the
mailed link returns there (same-site paths only); a new account starts on onboarding; a
used or expired link says so plainly and offers a new one."""

from urllib.parse import parse_qs, urlsplit

import pytest

from papertide.web._next import safe_next
from tests.helpers import add_reader

PAPER = "t6585e84c9ec5f39"  # the demo's first paper


def _token(client, email: str) -> str:
    link = client.app.state.services.readers.accounts.sign_in_link(email)
    return parse_qs(urlsplit(link).query)["token"][0]


@pytest.mark.parametrize("bad", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
    "http:/x", "papers/x", "/login?next=/x", "/auth/signin?token=x", "/x\r\nSet-Cookie: a=b",
    "/" + "a" * 2000, "", "/a b", '/x"y', "/ü",
])
def test_only_a_same_site_path_is_a_place_to_return_to(bad):
    assert safe_next(bad) is None
    assert safe_next("/papers/2503.11731?x=1&y=%2F") == "/papers/2503.11731?x=1&y=%2F"


def test_sign_in_to_save_links_carry_the_page_and_the_link_returns_there(client):
    add_reader(client.app.state.services, "ada@example.org")  # an existing account
    page = client.get(f"/papers/{PAPER}").text
    assert f'href="/login?next=/papers/{PAPER}" title="Sign in to keep papers' in page
    login = client.get("/login", params={"next": f"/papers/{PAPER}"}).text
    assert f'<input type="hidden" name="next" value="/papers/{PAPER}">' in login
    sent = client.post("/login", data={"email": "ada@example.org", "next": f"/papers/{PAPER}"})
    assert sent.status_code == 202 and "pt_next=" in sent.headers["set-cookie"]
    signed = client.post("/auth/signin", data={"token": _token(client, "ada@example.org")},
                         follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == f"/papers/{PAPER}"
    assert 'pt_next=""' in signed.headers["set-cookie"]  # used once, then forgotten
    # Signed in, the save button is a button now.
    assert "Sign in to save" not in client.get(f"/papers/{PAPER}").text


def test_a_link_to_another_site_is_never_followed(client):
    add_reader(client.app.state.services, "ada@example.org")
    sent = client.post("/login", data={"email": "ada@example.org",
                                       "next": "//evil.example/steal"})
    assert "pt_next" not in sent.headers.get("set-cookie", "")
    client.cookies.set("pt_next", "https://evil.example/")  # planted by hand
    signed = client.post("/auth/signin", data={"token": _token(client, "ada@example.org")},
                         follow_redirects=False)
    assert signed.headers["location"] == "/account"


def test_a_new_account_lands_on_onboarding_with_a_way_back(client):
    client.post("/login", data={"email": "new@example.org", "next": f"/papers/{PAPER}"})
    signed = client.post("/auth/signin", data={"token": _token(client, "new@example.org")},
                         follow_redirects=False)
    assert signed.headers["location"] == f"/onboarding?next=/papers/{PAPER}"
    page = client.get(signed.headers["location"]).text
    assert f'<a href="/papers/{PAPER}">Go back to the page you were on</a>' in page
    # Category names, not only codes.
    assert "Machine Learning <span class=\"code\">cs.LG</span>" in page


def test_a_used_link_says_so_and_offers_a_new_one(client, make_client):
    token = _token(client, "ada@example.org")
    client.post("/auth/signin", data={"token": token})
    again = make_client().post("/auth/signin", data={"token": token})
    assert again.status_code == 400
    assert "<h1>This link was already used</h1>" in again.text
    assert "That request did not make sense" not in again.text
    assert 'value="ada@example.org"' in again.text  # the form for a new link, filled in
    assert "Mail me a new sign-in link" in again.text
    opened = make_client().get("/auth/signin", params={"token": token})
    assert "<h1>This link was already used</h1>" in opened.text


def test_an_expired_link_says_so(client, monkeypatch):
    from papertide.readers import _tokens

    token = _token(client, "ada@example.org")
    monkeypatch.setitem(_tokens.MAX_AGE, "signin", -1)
    page = client.get("/auth/signin", params={"token": token})
    assert page.status_code == 410 and "<h1>This link has expired</h1>" in page.text
    assert "Mail me a new sign-in link" in page.text
    cut = client.get("/auth/signin", params={"token": token[:20]})
    assert "<h1>This link does not work</h1>" in cut.text
