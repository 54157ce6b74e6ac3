"""API tokens do what their scopes allow and nothing of the account: a leaked token can
read, save or vote as it was made to, but cannot change the address, mint or revoke
tokens, sign its owner out, or open the admin pages and the outbox."""

import re

import pytest

from tests.helpers import sign_in

PAPER = "t6585e84c9ec5f39"  # the demo's first paper


def _services(client):
    return client.app.state.services


def _token(browser, csrf, *scopes):
    page = browser.post("/account/tokens", data={"name": "script", "csrf_token": csrf,
                                                 "scope": list(scopes)})
    assert page.status_code == 200, page.text
    return re.search(r'<code class="token">(pt_[\w-]+)</code>', page.text).group(1)


def test_a_token_cannot_touch_the_account_or_the_admin_pages(make_client, smtp_server):
    browser, script = make_client(), make_client()
    services = _services(browser)
    csrf = sign_in(browser, services, "boss@example.org")  # an admin
    token = _token(browser, csrf, "read", "library", "vote")
    bearer = {"Authorization": f"Bearer {token}"}
    (listed,) = services.readers.accounts.api_tokens_of(1)
    attempts = [("post", "/account/address", {"email": "thief@example.org"}),
                ("post", "/account/tokens", {"name": "more", "scope": "read"}),
                ("post", f"/account/tokens/{listed.id}/revoke", {}),
                ("post", "/account/sign-out-everywhere", {}),
                ("post", "/account/subscribe", {}),
                ("post", "/logout", {}),
                ("get", "/account", {}), ("get", "/admin", {}), ("get", "/outbox", {})]
    for method, path, form in attempts:
        answer = script.request(method, path, data=form or None, headers=bearer,
                                follow_redirects=False)
        assert answer.status_code == 403, (path, answer.status_code)
        assert "browser" in answer.text
    assert smtp_server.recorder.to("thief@example.org") == []
    assert len(services.readers.accounts.api_tokens_of(1)) == 1
    assert browser.get("/api/me").json()["email"] == "boss@example.org"  # still signed in
    assert browser.get("/admin").status_code == 200  # the browser session still may
    assert script.get("/api/me", headers=bearer).status_code == 200


def test_each_api_route_checks_the_scope_it_needs(make_client):
    browser, script = make_client(), make_client()
    csrf = sign_in(browser, _services(browser), "ada@example.org")
    reader = {"Authorization": f"Bearer {_token(browser, csrf, 'read')}"}
    voter = {"Authorization": f"Bearer {_token(browser, csrf, 'vote')}"}
    keeper = {"Authorization": f"Bearer {_token(browser, csrf, 'library')}"}

    assert script.get("/api/me/library", headers=reader).status_code == 200
    assert script.get("/api/me", headers=reader).status_code == 200
    refused = script.post("/api/me/library", json={"id": PAPER}, headers=reader)
    assert refused.status_code == 403 and "'library' scope" in refused.json()["error"]
    assert script.post(f"/api/papers/{PAPER}/vote", headers=reader).status_code == 403
    assert script.post(f"/papers/{PAPER}/save", headers=reader).status_code == 403

    assert script.get("/api/me/library", headers=voter).status_code == 403
    assert script.post("/api/me/follows", json={"kind": "author", "value": "Ada"},
                       headers=voter).status_code == 403
    assert script.post(f"/api/papers/{PAPER}/vote", headers=voter).json()["votes"] == 1

    assert script.post("/api/me/library", json={"id": PAPER}, headers=keeper).status_code == 200
    assert script.delete(f"/api/papers/{PAPER}/vote", headers=keeper).status_code == 403
    assert [i["paper"]["id"] for i in browser.get("/api/me/library").json()["items"]] == [PAPER]
    assert browser.get(f"/api/papers/{PAPER}").json()["votes"] == 1
    assert script.get("/api/search", params={"q": "agents"}, headers=voter).status_code == 200


def test_the_account_page_makes_tokens_with_chosen_scopes_and_shows_them(client):
    services = _services(client)
    csrf = sign_in(client, services, "ada@example.org")
    _token(client, csrf, "read", "vote")
    (made,) = services.readers.accounts.api_tokens_of(1)
    assert made.scopes == ("read", "vote")
    assert '<span class="scopes">read, vote</span>' in client.get("/account").text
    for bad in ([], ["admin"]):
        answer = client.post("/account/tokens", data={"name": "x", "csrf_token": csrf,
                                                      "scope": bad})
        assert answer.status_code == 400 and "scope" in answer.text
    assert len(services.readers.accounts.api_tokens_of(1)) == 1


@pytest.mark.parametrize("scopes", [("read",), ("read", "library", "vote")])
def test_a_token_made_on_the_cli_has_the_scopes_asked_for(services, scopes):
    from tests.helpers import add_reader

    reader = add_reader(services, "ada@example.org")
    token = services.readers.accounts.create_api_token(reader.id, "cli", scopes)
    assert services.readers.accounts.api_token(token)[1] == frozenset(scopes)


@pytest.mark.parametrize("method", ["QUERY", "PROPFIND"])
def test_a_method_no_route_takes_is_a_405_with_a_token_or_a_session_too(make_client, method):
    browser, script = make_client(), make_client()
    csrf = sign_in(browser, _services(browser), "ada@example.org")
    bearer = {"Authorization": f"Bearer {_token(browser, csrf, 'read')}"}
    for client, headers in ((script, bearer), (browser, {}), (make_client(), {})):
        for path in ("/api/papers", "/api/me", f"/api/papers/{PAPER}/vote"):
            answer = client.request(method, path, headers=headers)
            assert answer.status_code == 405, (path, answer.status_code, answer.text)
            assert "GET" in answer.headers["allow"] or "POST" in answer.headers["allow"]
