"""Accounts: sign-in links, server-side sessions, personal API tokens and roles; all storage
access for `sessions`, `api_tokens` and `used_links`.

    accounts = services.readers.accounts
    link = accounts.sign_in_link("ada@example.org")    # mailed, or printed (`papertide admin link`)
    reader, cookie = accounts.redeem(token, "Firefox")  # the link was followed: a new session
    session = accounts.session(cookie)                  # on each request: who is it (None: nobody)
    accounts.sign_out_everywhere(reader.id)

Sign-in links are signed (itsdangerous), expire after 15 minutes and work once: each
carries a random id, recorded when the link is redeemed. A link to an address that has no
reader yet creates the account when it is followed: following it proves the address, as a
confirmation link does. Session cookies and API tokens are random; only their SHA-256 is
stored, so a copy of the database signs nobody in. A session's CSRF token is an HMAC of
its id under the secret key: nothing more to store, and it dies with the session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from papertide.catalog import utcnow
from papertide.config import Settings
from papertide.db.tables import api_tokens, sessions, used_links
from papertide.readers._store import Reader, ReaderStore
from papertide.readers._tokens import TokenClaims, TokenError, Tokens

SESSION_IDLE = timedelta(days=30)      # a session unused this long is gone
TOUCH_EVERY = timedelta(minutes=5)     # last-seen times are this coarse: no write per request
USED_LINKS_KEPT = timedelta(days=1)    # past the links' 15 minutes, with room for clock skew
TOKEN_PREFIX = "pt_"
# What an API token may be allowed, each on its own: `read` the reader's own data (library,
# tags, follows, recommendations, who they are), change the `library` (save, tag, note,
# dismiss, follow, import), `vote`. No scope changes the account (address, tokens,
# sessions, deletion) or opens the admin pages: those need a browser session.
SCOPES = ("read", "library", "vote")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    id: str                # the SHA-256 of the cookie's token
    reader: Reader
    created_at: datetime
    last_seen_at: datetime
    user_agent: str
    csrf_token: str


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    scopes: tuple[str, ...]


def parse_scopes(chosen: list[str] | tuple[str, ...] | str) -> tuple[str, ...]:
    """Scopes in their canonical order; ValueError naming any unknown one, or none chosen."""
    names = chosen.replace(",", " ").split() if isinstance(chosen, str) else list(chosen)
    unknown = sorted({n for n in names if n not in SCOPES})
    if unknown:
        raise ValueError(f"unknown scope {', '.join(unknown)}: choose from {', '.join(SCOPES)}")
    if not names:
        raise ValueError(f"choose at least one scope: {', '.join(SCOPES)}")
    return tuple(s for s in SCOPES if s in names)


class Accounts:
    def __init__(self, engine: Engine, settings: Settings, store: ReaderStore,
                 tokens: Tokens) -> None:
        self.engine, self.settings, self.store, self.tokens = engine, settings, store, tokens

    # ---- sign-in links --------------------------------------------------------------------

    def sign_in_link(self, email: str) -> str:
        """A link that signs in as `email` (a normalised address), creating the account if
        there is none when it is followed."""
        reader = self.store.by_email(email)
        token = self.tokens.make("signin", reader.id if reader else None,
                                 reader.token_version if reader else 0,
                                 e=email, j=secrets.token_hex(16))
        return f"{self.settings.base_url.rstrip('/')}/auth/signin?{urlencode({'token': token})}"

    def check_sign_in(self, token: str) -> str:
        """The address a sign-in link is for, if it can still be used (TokenError if not)."""
        email, _ = self._sign_in_claims(token)
        return email

    def _sign_in_claims(self, token: str) -> tuple[str, str]:
        claims: TokenClaims = self.tokens.read("signin", token)
        email, link_id = claims.extra.get("e"), claims.extra.get("j")
        if not isinstance(email, str) or not isinstance(link_id, str):
            raise TokenError("This link is not valid.")
        if claims.reader_id is not None:
            reader = self.store.get(claims.reader_id)
            if reader is None or reader.token_version != claims.version or reader.email != email:
                raise TokenError("This link is no longer valid: ask for a new one.")
        with self.engine.connect() as conn:
            used = conn.execute(select(used_links.c.id).where(used_links.c.id == link_id)).first()
        if used is not None:
            raise TokenError("This sign-in link was already used: ask for a new one.")
        return email, link_id

    def redeem(self, token: str, user_agent: str) -> tuple[Reader, str]:
        """Follow a sign-in link once: the reader (created if new, confirmed if pending) and
        the token of a new session, for the cookie."""
        email, link_id = self._sign_in_claims(token)
        now = utcnow()
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(used_links).where(used_links.c.used_at < now - USED_LINKS_KEPT))
                conn.execute(insert(used_links).values(id=link_id, used_at=now))
        except IntegrityError:
            raise TokenError("This sign-in link was already used: ask for a new one.") from None
        reader, _ = self.store.add(email, [], confirmed=True, status="account")
        if reader.status == "pending":  # the link proves the address, as a confirmation does
            self.store.set_status(reader.id, "active", "confirm", "sign-in", confirmed_at=now,
                                  bounces=0)
        cookie = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.last_seen_at < now - SESSION_IDLE))
            conn.execute(insert(sessions).values(id=_hash(cookie), reader_id=reader.id,
                                                 created_at=now, last_seen_at=now,
                                                 user_agent=user_agent[:200]))
        fresh = self.store.get(reader.id)
        assert fresh is not None
        return fresh, cookie

    # ---- sessions -------------------------------------------------------------------------

    def csrf_token(self, session_id: str) -> str:
        key = self.settings.resolved_secret_key.encode()
        return hmac.new(key, f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()

    def session(self, cookie: str | None) -> Session | None:
        """The live session behind a cookie, or None (unknown, signed out, idle too long)."""
        if not cookie or len(cookie) > 100:
            return None
        session_id = _hash(cookie)
        now = utcnow()
        with self.engine.connect() as conn:
            row = conn.execute(select(sessions).where(sessions.c.id == session_id)).first()
        if row is None or now - row.last_seen_at > SESSION_IDLE:
            return None
        reader = self.store.get(row.reader_id)
        if reader is None:
            return None
        if now - row.last_seen_at > TOUCH_EVERY:
            with self.engine.begin() as conn:
                conn.execute(update(sessions).where(sessions.c.id == session_id)
                             .values(last_seen_at=now))
        return Session(session_id, reader, row.created_at, row.last_seen_at, row.user_agent,
                       self.csrf_token(session_id))

    def sessions_of(self, reader_id: int) -> list[tuple[str, datetime, datetime, str]]:
        """(id, created, last seen, user agent) of the reader's sessions, latest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(sessions).where(sessions.c.reader_id == reader_id)
                                .order_by(sessions.c.last_seen_at.desc()))
            return [(r.id, r.created_at, r.last_seen_at, r.user_agent) for r in rows]

    def sign_out(self, session_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.id == session_id))

    def sign_out_everywhere(self, reader_id: int) -> int:
        with self.engine.begin() as conn:
            return int(conn.execute(
                delete(sessions).where(sessions.c.reader_id == reader_id)).rowcount)

    # ---- API tokens -----------------------------------------------------------------------

    def create_api_token(self, reader_id: int, name: str,
                         scopes: tuple[str, ...] | list[str] = SCOPES) -> str:
        """A new token allowed `scopes` (ValueError for an unknown one), shown to the reader
        once; only its hash is kept."""
        allowed = parse_scopes(scopes)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(insert(api_tokens).values(
                reader_id=reader_id, name=(name.strip() or "token")[:100],
                token_hash=_hash(token), created_at=utcnow(), scopes=" ".join(allowed)))
        return token

    def api_tokens_of(self, reader_id: int) -> list[ApiToken]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(api_tokens).where(api_tokens.c.reader_id == reader_id)
                                .order_by(api_tokens.c.id))
            return [ApiToken(r.id, r.name, r.created_at, r.last_used_at,
                             tuple(r.scopes.split())) for r in rows]

    def revoke_api_token(self, reader_id: int, token_id: int) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(api_tokens).where(
                (api_tokens.c.id == token_id) & (api_tokens.c.reader_id == reader_id))).rowcount)

    def reader_for_api_token(self, token: str) -> Reader | None:
        found = self.api_token(token)
        return found[0] if found else None

    def api_token(self, token: str) -> tuple[Reader, frozenset[str]] | None:
        """The reader a token belongs to and what it may do, or None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        digest = _hash(token)
        with self.engine.connect() as conn:
            row = conn.execute(select(api_tokens).where(api_tokens.c.token_hash == digest)).first()
        if row is None:
            return None
        now = utcnow()
        if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
            with self.engine.begin() as conn:
                conn.execute(update(api_tokens).where(api_tokens.c.id == row.id)
                             .values(last_used_at=now))
        reader = self.store.get(row.reader_id)
        return (reader, frozenset(row.scopes.split())) if reader else None

    # ---- roles ----------------------------------------------------------------------------

    def is_admin(self, reader: Reader | None) -> bool:
        return reader is not None and (
            reader.role == "admin" or reader.email in self.settings.admin_addresses)

    def grant(self, email: str, role: str) -> Reader:
        """Give the reader of `email` (a normalised address; an account is made if there is
        none) a role."""
        reader, _ = self.store.add(email, [], confirmed=True, status="account")
        self.store.set_role(reader.id, role)
        fresh = self.store.get(reader.id)
        assert fresh is not None
        return fresh
