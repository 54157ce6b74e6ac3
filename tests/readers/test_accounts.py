"""Accounts as the readers store keeps them, on each backend: sign-in links that work once
and expire, accounts made by following one, sessions and their revocation, API tokens
stored as hashes, roles, and links that die with an unsubscribe or an address change."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from papertide.db.tables import api_tokens, sessions
from papertide.readers import TokenError, Topic
from tests.helpers import add_reader


def _token(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def test_a_sign_in_link_works_once(services):
    add_reader(services, "ada@example.org")
    accounts = services.readers.accounts
    token = _token(accounts.sign_in_link("ada@example.org"))
    assert accounts.check_sign_in(token) == "ada@example.org"  # looking does not use it
    reader, cookie = accounts.redeem(token, "Firefox")
    assert reader.email == "ada@example.org" and accounts.session(cookie).reader.id == reader.id
    with pytest.raises(TokenError, match="already used"):
        accounts.redeem(token, "Firefox")


def test_forged_altered_and_expired_sign_in_links_are_refused(services, monkeypatch):
    accounts = services.readers.accounts
    token = _token(accounts.sign_in_link("ada@example.org"))
    forged = services.readers.tokens.__class__("another-key").make(
        "signin", None, 0, e="ada@example.org", j="x" * 32)
    # A link of another purpose is no sign-in link, though the same key signed it.
    other = services.readers.tokens.make("manage", None, 0, e="ada@example.org", j="y" * 32)
    for bad in (token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB"), forged, other, ""):
        with pytest.raises(TokenError, match="not valid"):
            accounts.redeem(bad, "x")
    real_time = time.time
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: real_time() - 16 * 60)
    old = _token(accounts.sign_in_link("ada@example.org"))
    monkeypatch.undo()
    with pytest.raises(TokenError) as caught:
        accounts.redeem(old, "x")
    assert caught.value.expired
    assert services.readers.store.by_email("ada@example.org") is None  # nobody was made


def test_following_a_link_to_a_new_address_makes_an_account_without_digests(services):
    accounts = services.readers.accounts
    assert services.readers.store.by_email("new@example.org") is None
    reader, _ = accounts.redeem(_token(accounts.sign_in_link("new@example.org")), "x")
    assert (reader.email, reader.status, reader.role) == ("new@example.org", "account", "reader")
    assert reader.confirmed_at is not None


def test_signing_in_confirms_a_pending_reader_and_leaves_an_unsubscribed_one(services):
    readers, accounts = services.readers, services.readers.accounts
    pending, _ = readers.subscribe("p@example.org")
    gone = add_reader(services, "u@example.org")
    readers.unsubscribe(gone, "page")
    for address, status in (("p@example.org", "active"), ("u@example.org", "unsubscribed")):
        reader, _ = accounts.redeem(_token(accounts.sign_in_link(address)), "x")
        assert reader.status == status


def test_unsubscribing_kills_every_earlier_link(services):
    readers = services.readers
    reader = add_reader(services, "ada@example.org", "model merging")
    links = {p: _token(readers.link(reader, p, "/x")) for p in ("confirm", "manage",
                                                                 "unsubscribe")}
    sign_in = _token(readers.accounts.sign_in_link("ada@example.org"))
    readers.unsubscribe(reader, "one-click")
    for purpose, token in links.items():
        with pytest.raises(TokenError, match="no longer valid"):
            readers.from_token(purpose, token)
    with pytest.raises(TokenError, match="no longer valid"):
        readers.confirm(links["confirm"])
    with pytest.raises(TokenError, match="no longer valid"):
        readers.accounts.redeem(sign_in, "x")
    assert readers.store.get(reader.id).status == "unsubscribed"


def test_a_new_address_kills_every_link_sent_to_the_old_one(services):
    readers = services.readers
    reader = add_reader(services, "old@example.org")
    manage = _token(readers.link(reader, "manage", "/preferences"))
    readers.store.change_email(reader.id, "new@example.org")
    with pytest.raises(TokenError, match="no longer valid"):
        readers.from_token("manage", manage)
    fresh = readers.store.get(reader.id)
    assert readers.from_token("manage", _token(readers.link(fresh, "manage", "/p"))).id == reader.id


def test_a_subscription_request_never_changes_a_confirmed_readers_topics(services):
    readers = services.readers
    reader = add_reader(services, "ada@example.org", "model merging")
    same, new, kind = readers.request_subscription(
        "ada@example.org", [Topic("model merging"), Topic("crypto scams")])
    assert (same.id, kind, new) == (reader.id, "already", [])
    forged = readers.links(same, [Topic("crypto scams")])["confirm"]  # even a link with topics
    readers.confirm(_token(forged))
    assert [t.query for t in readers.store.get(reader.id).topics] == ["model merging"]


def test_confirmation_links_carry_topics_that_apply_only_on_confirming(services):
    readers = services.readers
    pending, new, kind = readers.request_subscription("bob@example.org", [Topic("graphs")])
    assert kind == "confirm" and [t.query for t in new] == ["graphs"]
    token = _token(readers.links(pending, new)["confirm"])
    shown, topics = readers.confirmation(token)  # the page: nothing changes
    assert [t.query for t in topics] == ["graphs"] and shown.status == "pending"
    assert readers.store.get(pending.id).status == "pending"
    readers.confirm(token)
    confirmed = readers.store.get(pending.id)
    assert confirmed.status == "active" and [t.query for t in confirmed.topics] == ["graphs"]


def test_sign_out_everywhere_ends_every_session_of_the_reader_only(services):
    accounts = services.readers.accounts
    cookies = [accounts.redeem(_token(accounts.sign_in_link("ada@example.org")), ua)[1]
               for ua in ("phone", "laptop")]
    _, bob = accounts.redeem(_token(accounts.sign_in_link("bob@example.org")), "x")
    ada = accounts.session(cookies[0]).reader
    assert {s[3] for s in accounts.sessions_of(ada.id)} == {"phone", "laptop"}
    assert accounts.sign_out_everywhere(ada.id) == 2
    assert [accounts.session(c) for c in cookies] == [None, None]
    assert accounts.session(bob) is not None


def test_api_tokens_are_stored_as_hashes_and_can_be_revoked(services):
    accounts = services.readers.accounts
    reader = add_reader(services, "ada@example.org")
    token = accounts.create_api_token(reader.id, "script")
    assert accounts.reader_for_api_token(token).id == reader.id
    with services.catalog.engine.connect() as conn:
        stored = conn.execute(select(api_tokens.c.token_hash)).scalars().all()
        session_ids = conn.execute(select(sessions.c.id)).scalars().all()
    assert token not in stored and len(stored[0]) == 64 and session_ids == []
    assert accounts.reader_for_api_token(token[:-1] + "x") is None
    (listed,) = accounts.api_tokens_of(reader.id)
    assert listed.name == "script" and listed.last_used_at is not None
    other = add_reader(services, "eve@example.org")
    assert not accounts.revoke_api_token(other.id, listed.id)  # not hers to revoke
    assert accounts.revoke_api_token(reader.id, listed.id)
    assert accounts.reader_for_api_token(token) is None


def test_admins_come_from_the_settings_or_a_granted_role(services):
    from papertide.readers import Readers

    settings = services.settings.model_copy(update={"admin_emails": "Ops@Example.org, x@y.org"})
    accounts = Readers(services.catalog.engine, settings).accounts
    ops = add_reader(services, "ops@example.org")
    ada = add_reader(services, "ada@example.org")
    assert accounts.is_admin(ops) and not accounts.is_admin(ada) and not accounts.is_admin(None)
    granted = accounts.grant("ada@example.org", "admin")
    assert granted.role == "admin" and accounts.is_admin(granted)
    assert granted.status == "active"  # a role changes nothing else
    assert accounts.grant("fresh@example.org", "admin").status == "account"
