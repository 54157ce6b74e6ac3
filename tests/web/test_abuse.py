"""What a hostile visitor tried, each now refused: bought votes and views, mail bombs,
strangers editing subscriptions, the public outbox, and floods; and what an honest reader
needs in their place (re-subscribing works, the vote button and the counts agree)."""

import re

from tests.helpers import add_reader, sign_in

PAPER = "t6585e84c9ec5f39"


def _services(client):
    return client.app.state.services


def _paper(client):
    return client.get(f"/api/papers/{PAPER}").json()


def test_anonymous_votes_count_nothing_whatever_the_client_says(client):
    for n in range(26):
        answer = client.post(f"/api/papers/{PAPER}/vote", headers={"X-Client-Id": f"id-{n}"})
        assert answer.status_code == 401 and "Sign in to vote" in answer.json()["error"]
    page = client.post(f"/papers/{PAPER}/vote")
    assert page.status_code == 401 and "Sign in" in page.text
    assert _paper(client)["votes"] == 0
    assert "Sign in to vote" in client.get(f"/papers/{PAPER}").text


def test_a_reader_votes_once_however_many_sessions(make_client):
    browsers = [make_client() for _ in range(3)]
    for browser in browsers:
        csrf = sign_in(browser, _services(browser), "ada@example.org")
        browser.post(f"/api/papers/{PAPER}/vote", headers={"X-CSRF-Token": csrf})
    assert _paper(browsers[0])["votes"] == 1


def test_the_vote_button_and_the_counts_line_agree_after_a_vote(client):
    csrf = sign_in(client, _services(client), "ada@example.org")
    answer = client.post(f"/papers/{PAPER}/vote", headers={"X-CSRF-Token": csrf,
                                                           "HX-Request": "true"}).text
    assert re.search(r'class="voted".*▲ <span class="n">1</span> Voted', answer)
    assert re.search(r'<p class="counts" id="counts" hx-swap-oob="true">▲ 1 vote ·', answer)
    page = client.get(f"/papers/{PAPER}").text
    assert '<span class="n">1</span> Voted' in page and "▲ 1 vote ·" in page


def test_views_count_once_per_browser_and_day_and_never_without_the_cookie(make_client):
    stranger = make_client()
    for _ in range(100):  # a script that drops the cookie it is given
        stranger.cookies.clear()
        stranger.get(f"/papers/{PAPER}")
    assert _paper(stranger)["views"] == 0
    bot = make_client()
    bot.get("/")  # a cookie, but a program says what it is
    for _ in range(3):
        bot.get(f"/papers/{PAPER}", headers={"User-Agent": "python-httpx/0.28"})
    assert _paper(bot)["views"] == 0
    browser = make_client()
    browser.get(f"/papers/{PAPER}")  # the first visit sets the cookie
    for _ in range(3):
        browser.get(f"/papers/{PAPER}")
    assert _paper(browser)["views"] == 1
    assert "pt_client" not in make_client().get(f"/api/papers/{PAPER}").cookies  # pages only
    reader = make_client()
    sign_in(reader, _services(reader), "ada@example.org")
    reader.cookies.delete("pt_client")
    for _ in range(2):
        reader.get(f"/papers/{PAPER}")
    assert _paper(reader)["views"] == 2


def test_past_a_limit_the_answer_is_429_with_retry_after(make_client):
    client = make_client(limit_searches="3/minute")
    assert [client.get("/api/search", params={"q": "rl"}).status_code
            for _ in range(3)] == [200] * 3
    api = client.get("/api/search", params={"q": "rl"})
    assert api.status_code == 429 and 50 <= int(api.headers["retry-after"]) <= 60
    assert "please wait" in api.json()["error"]
    page = client.get("/search", params={"q": "rl"})
    assert page.status_code == 429 and "Slow down a little" in page.text
    assert page.headers["retry-after"]
    other = make_client(ip="192.0.2.7", limit_searches="3/minute")  # another client
    assert other.get("/api/search", params={"q": "rl"}).status_code == 200


def test_subscribe_and_sign_in_requests_are_limited_per_ip(make_client):
    client = make_client(limit_mail_per_ip="4/hour")
    answers = [client.post("/api/subscribe", json={"email": f"a{n}@example.org"}).status_code
               for n in range(3)]
    answers += [client.post("/api/auth/login", json={"email": "b@example.org"}).status_code
                for _ in range(2)]
    assert answers == [202, 202, 202, 202, 429]
    # X-Forwarded-For names nobody unless the proxy is trusted.
    spoofed = client.post("/api/subscribe", json={"email": "c@example.org"},
                          headers={"X-Forwarded-For": "203.0.113.9"})
    assert spoofed.status_code == 429
    behind = make_client(limit_mail_per_ip="1/hour", trusted_proxies="127.0.0.1")
    assert [behind.post("/api/subscribe", json={"email": "d@example.org"},
                        headers={"X-Forwarded-For": f"203.0.{n}.9"}).status_code
            for n in (1, 2, 1)] == [202, 202, 429]  # counted per network (/24)


def test_mail_bombing_an_address_is_capped(make_client, smtp_server):
    # A spread-out flood (many client addresses behind a trusted proxy) on one address.
    client = make_client(trusted_proxies="127.0.0.1")
    for n in range(30):
        ip = {"X-Forwarded-For": f"198.51.100.{n}"}
        client.post("/api/subscribe", json={"email": "victim@example.org"}, headers=ip)
        client.post("/api/auth/login", json={"email": "Victim@Example.org"}, headers=ip)
    # Three confirmations a day, and one sign-in link per 10 minutes.
    assert len(smtp_server.recorder.to("victim@example.org")) == 4


def test_strangers_cannot_add_topics_to_a_subscription(make_client, smtp_server):
    client = make_client(limit_mail_per_ip="100/hour")
    services = _services(client)
    reader = add_reader(services, "ada@example.org", "model merging")
    answers = {client.post("/api/subscribe", json={
        "email": "ada@example.org", "topics": [{"query": f"spam {n}"}]}).text for n in range(30)}
    assert len(answers) == 1  # the same answer as for anyone
    assert [t.query for t in services.readers.store.get(reader.id).topics] == ["model merging"]
    mails = smtp_server.recorder.to("ada@example.org")
    # A confirmed reader is told where to manage the subscription, and nothing a stranger
    # wrote reaches the inbox.
    assert len(mails) == 3 and mails[0]["Subject"] == "You are already subscribed to papertide"
    assert all("spam" not in m.as_string() for m in mails)
    assert "/preferences?token=" in mails[0].get_body(("plain",)).get_content()
    assert [t.query for t in services.readers.store.get(reader.id).topics] == ["model merging"]
    assert services.readers.store.get(reader.id).status == "active"


def test_an_unsubscribed_reader_can_come_back_and_old_links_stay_dead(client, smtp_server):
    services = _services(client)
    reader = add_reader(services, "ada@example.org")
    old = {name: link.removeprefix("http://testserver")
           for name, link in services.readers.links(reader).items()}
    client.post(old["unsubscribe"], data={"List-Unsubscribe": "One-Click"})
    assert services.readers.store.get(reader.id).status == "unsubscribed"
    # The links sent before are dead: saving preferences, confirming, previewing.
    token = old["manage"].split("token=")[1]
    saved = client.post("/preferences", data={"token": token, "frequency": "weekly",
                                              "weekday": "1", "send_hour": "9",
                                              "timezone": "UTC", "per_digest": "5"})
    assert saved.status_code == 400 and "no longer valid" in saved.text
    assert client.get(old["confirm"]).status_code == 400
    assert client.post("/confirm", data={"token": old["confirm"].split("token=")[1]}
                       ).status_code == 400
    assert client.get(old["preview"]).status_code == 400
    assert services.readers.store.get(reader.id).status == "unsubscribed"
    # Subscribing again sends a new confirmation, and its link brings the reader back.
    client.post("/subscribe", data={"email": "ada@example.org", "topic": "graph networks"})
    mail = smtp_server.recorder.to("ada@example.org")[-1]
    assert mail["Subject"] == "Confirm your papertide subscription"
    link = re.search(r"http://testserver(/confirm\?token=\S+)",
                     mail.get_body(("plain",)).get_content()).group(1)
    page = client.get(link)
    assert "Confirm subscription" in page.text and "graph networks" in page.text
    token = link.split("token=")[1]
    assert "You are subscribed" in client.post("/confirm", data={"token": token}).text
    back = services.readers.store.get(reader.id)
    assert back.status == "active" and [t.query for t in back.topics] == ["graph networks"]


def test_admin_pages_do_not_exist_for_anyone_else(make_client, smtp_server):
    anonymous, reader, boss, granted = (make_client() for _ in range(4))
    services = _services(anonymous)
    sign_in(reader, services, "ada@example.org")
    sign_in(boss, services, "boss@example.org")  # PAPERTIDE_ADMIN_EMAILS
    services.readers.accounts.grant("ops@example.org", "admin")  # papertide admin grant
    sign_in(granted, services, "ops@example.org")
    anonymous.post("/subscribe", data={"email": "carol@example.org"})
    for path in ("/admin", "/outbox", "/outbox/anything.eml"):
        for who in (anonymous, reader):
            assert who.get(path).status_code == 404, path
    for admin in (boss, granted):
        page = admin.get("/admin")
        assert page.status_code == 200 and "Job queue" in page.text
        assert "carol@example.org" in page.text and "pending" in page.text
    assert 'href="/outbox"' not in anonymous.get("/").text
    assert 'href="/admin"' in boss.get("/").text


def test_subscribing_answers_before_any_reader_is_looked_at(settings, demo):
    """Without the immediate mode the request only queues a job: the answer cannot depend
    on whether the address is subscribed, because nothing has looked yet."""
    from fastapi.testclient import TestClient

    from papertide.web import create_app

    add_reader(demo, "ada@example.org")
    app = create_app(settings)
    with TestClient(app) as client:
        before = app.state.jobs.queue_depth()
        known = client.post("/api/subscribe", json={"email": "ada@example.org"})
        new = client.post("/api/subscribe", json={"email": "new@example.org"})
        assert known.status_code == new.status_code == 202 and known.json() == new.json()
        assert app.state.jobs.queue_depth() == before + 2
        assert demo.readers.store.by_email("new@example.org") is None


def test_the_site_stays_up_when_the_limits_cannot_be_counted(client, monkeypatch):
    def unreachable(*args):
        raise ConnectionError("storage down")

    monkeypatch.setattr(_services(client).limits, "hit", unreachable)
    assert client.get("/api/search", params={"q": "rl"}).status_code == 200


def test_a_vote_without_htmx_goes_back_to_the_paper_on_this_site_whatever_the_host(client):
    # A path, not an absolute URL from the request's Host header, which a stranger sets.
    csrf = sign_in(client, _services(client), "ada@example.org")
    answer = client.post(f"/papers/{PAPER}/vote", headers={"X-CSRF-Token": csrf,
                                                           "Host": "evil.example"},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/papers/{PAPER}"
