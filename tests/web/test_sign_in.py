"""Signing in through the web app, as a browser and a script do: mailed one-time links,
session cookies, sign-out everywhere, API tokens, and the CSRF and Origin checks that keep
other sites from acting with a reader's cookie."""

import re

import pytest

from tests.helpers import sign_in

PAPER = "t6585e84c9ec5f39"  # the demo's first paper


def _mailed_link(smtp_server, address: str, path: str = "/auth/signin") -> str:
    mail = smtp_server.recorder.to(address)[-1]
    text = mail.get_body(("plain",)).get_content()
    return re.search(re.escape("http://testserver" + path) + r"\?token=\S+", text).group(0)


def _services(client):
    return client.app.state.services


def test_login_answers_the_same_for_any_address(client, smtp_server):
    from tests.helpers import add_reader

    add_reader(_services(client), "ada@example.org")
    answers = [client.post("/api/auth/login", json={"email": address})
               for address in ("ada@example.org", "new@example.org", "not an address")]
    assert {a.status_code for a in answers} == {202}
    assert answers[0].json() == answers[1].json() == answers[2].json()
    form = client.post("/login", data={"email": "ada@example.org"})
    assert form.status_code == 202 and "Check your inbox" in form.text
    assert len(smtp_server.recorder.to("ada@example.org")) == 2
    (new,) = smtp_server.recorder.to("new@example.org")
    assert "this creates your account" in new.get_body(("plain",)).get_content()
    assert len(smtp_server.recorder.messages) == 3  # nothing for the invalid address


def test_a_mailed_link_signs_in_once(client, make_client, smtp_server):
    client.post("/api/auth/login", json={"email": "ada@example.org"})
    link = _mailed_link(smtp_server, "ada@example.org")
    # Opening the link (as a mail scanner does) shows a button and uses nothing up.
    for _ in range(2):
        page = client.get(link)
        assert page.status_code == 200 and "Sign in as ada@example.org?" in page.text
    token = link.split("token=")[1]
    signed = client.post("/auth/signin", data={"token": token}, follow_redirects=False)
    # A new account starts on onboarding (the link created it).
    assert signed.status_code == 303 and signed.headers["location"] == "/onboarding"
    cookie = signed.headers["set-cookie"]
    assert "pt_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # the base URL is http here
    assert client.get("/api/me").json() == {"email": "ada@example.org", "status": "account",
                                            "role": "reader"}
    elsewhere = make_client()  # the same link, used again in another browser
    again = elsewhere.post("/auth/signin", data={"token": token}, follow_redirects=False)
    assert again.status_code == 400 and "already used" in again.text
    assert elsewhere.get("/api/me").status_code == 401


def test_the_session_cookie_is_secure_when_the_base_url_is_https(make_client):
    client = make_client(base_url="https://papers.example.org")
    link = _services(client).readers.accounts.sign_in_link("ada@example.org")
    answer = client.post("/auth/signin", data={"token": link.split("token=")[1]},
                         follow_redirects=False)
    assert "Secure" in answer.headers["set-cookie"]


def test_sign_out_everywhere_ends_the_other_browsers_sessions(make_client):
    phone, laptop, other = make_client(), make_client(), make_client()
    services = _services(phone)
    csrf = sign_in(phone, services, "ada@example.org")
    sign_in(laptop, services, "ada@example.org")
    sign_in(other, services, "bob@example.org")
    assert "Sign out everywhere" in laptop.get("/account").text
    phone.post("/account/sign-out-everywhere", data={"csrf_token": csrf})
    assert phone.get("/api/me").status_code == 401
    assert laptop.get("/api/me").status_code == 401
    assert other.get("/api/me").json()["email"] == "bob@example.org"
    assert laptop.get("/account", follow_redirects=False).headers["location"] == "/login"


def _votes(client):
    return client.get(f"/api/papers/{PAPER}").json()["votes"]


# Each state-changing request a signed-in page makes, and what must not change if refused.
ACTIONS = {
    "vote (API)": (("post", f"/api/papers/{PAPER}/vote", {}), _votes),
    "vote (page)": (("post", f"/papers/{PAPER}/vote", {}), _votes),
    "create an API token": (("post", "/account/tokens", {"name": "x"}),
                            lambda c: len(_services(c).readers.accounts.api_tokens_of(1))),
    "start the digest": (("post", "/account/subscribe", {}),
                         lambda c: c.get("/api/me").json()["status"]),
    "sign out everywhere": (("post", "/account/sign-out-everywhere", {}),
                            lambda c: c.get("/api/me").status_code),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_forged_requests_are_refused_and_change_nothing(client, action):
    (method, path, form), observe = ACTIONS[action]
    csrf = sign_in(client, _services(client), "ada@example.org")
    before = observe(client)
    forged = {
        "no token": ({}, {}),
        "a wrong token": ({"X-CSRF-Token": "0" * 64}, {}),
        "a wrong form field": ({}, {"csrf_token": "0" * 64}),
        "another site's Origin": ({"X-CSRF-Token": csrf, "Origin": "https://evil.example"}, {}),
        "a null Origin": ({"X-CSRF-Token": csrf, "Origin": "null"}, {}),
        "a cross-site fetch": ({"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"}, {}),
    }
    for why, (headers, fields) in forged.items():
        answer = client.request(method, path, headers=headers, data={**form, **fields},
                                follow_redirects=False)
        assert answer.status_code == 403, why
        assert observe(client) == before, why
    done = client.request(method, path, data={**form, "csrf_token": csrf},
                          headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert done.status_code in (200, 303)
    assert observe(client) != before


def test_pages_expose_the_token_to_htmx(client):
    csrf = sign_in(client, _services(client), "ada@example.org")
    page = client.get(f"/papers/{PAPER}").text
    assert f'<meta name="csrf-token" content="{csrf}">' in page
    assert f'hx-headers=\'{{"X-CSRF-Token": "{csrf}"}}\'' in page
    assert f'name="csrf_token" value="{csrf}"' in page  # the vote form without JavaScript


def test_an_api_token_needs_no_csrf_and_dies_when_revoked(make_client):
    browser, script = make_client(), make_client()
    csrf = sign_in(browser, _services(browser), "ada@example.org")
    page = browser.post("/account/tokens", data={"name": "my script", "csrf_token": csrf})
    token = re.search(r'<code class="token">(pt_[\w-]+)</code>', page.text).group(1)
    assert token not in browser.get("/account").text  # shown once
    bearer = {"Authorization": f"Bearer {token}"}
    assert script.post(f"/api/papers/{PAPER}/vote", headers=bearer).json()["votes"] == 1
    assert script.get("/api/me", headers=bearer).json()["email"] == "ada@example.org"
    wrong = script.post(f"/api/papers/{PAPER}/vote", headers={"Authorization": "Bearer pt_x"})
    assert wrong.status_code == 401 and "not valid" in wrong.json()["error"]
    (listed,) = _services(browser).readers.accounts.api_tokens_of(1)
    browser.post(f"/account/tokens/{listed.id}/revoke", data={"csrf_token": csrf})
    assert script.get("/api/me", headers=bearer).status_code == 401


def test_one_click_unsubscribe_needs_no_csrf_token(client, smtp_server):
    from tests.helpers import add_reader

    reader = add_reader(_services(client), "ada@example.org")
    sign_in(client, _services(client), "ada@example.org")  # a cookie, but not what counts
    link = _services(client).readers.link(reader, "unsubscribe", "/unsubscribe")
    answer = client.post(link.removeprefix("http://testserver"),
                         data={"List-Unsubscribe": "One-Click"},
                         headers={"Origin": "https://mail.example"})
    assert answer.status_code == 200 and "You are unsubscribed" in answer.text
    assert _services(client).readers.store.get(reader.id).status == "unsubscribed"


def test_a_new_address_is_confirmed_from_it_and_kills_the_old_links(client, smtp_server):
    from tests.helpers import add_reader

    services = _services(client)
    reader = add_reader(services, "ada@example.org")
    old_manage = services.readers.links(reader)["manage"].removeprefix("http://testserver")
    csrf = sign_in(client, services, "ada@example.org")
    page = client.post("/account/address", data={"email": "ada@new.example",
                                                  "csrf_token": csrf})
    assert "A link is on its way to ada@new.example" in page.text
    assert services.readers.store.get(reader.id).email == "ada@example.org"  # not yet
    link = _mailed_link(smtp_server, "ada@new.example", "/account/address/confirm")
    assert "Use ada@new.example instead of ada@example.org?" in client.get(link).text
    done = client.post("/account/address/confirm",
                       data={"token": link.split("token=")[1], "csrf_token": csrf})
    assert done.status_code == 200 and "Your address is changed" in done.text
    assert services.readers.store.get(reader.id).email == "ada@new.example"
    assert client.get(old_manage).status_code == 400  # links to the old address are dead
    again = client.post("/account/address/confirm",
                        data={"token": link.split("token=")[1], "csrf_token": csrf})
    assert again.status_code == 400


def test_a_form_with_thousands_of_fields_is_refused_not_an_error(client):
    sign_in(client, _services(client), "ada@example.org")
    body = "&".join(f"f{n}=x" for n in range(2000))
    answer = client.post(f"/papers/{PAPER}/vote", content=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 403 and _votes(client) == 0
