"""Signed, expiring tokens for the links in mails: no passwords anywhere.

A token names a purpose, a reader and the reader's token version, and may carry more
claims (the topics a confirmation adds, the address and one-time id of a sign-in link);
it is signed with the secret key (itsdangerous) and carries its time, so it expires.
Changing purpose, reader or any character breaks the signature; the reader's token
version is bumped on unsubscribe and on an address change, which revokes every link sent
before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

MAX_AGE = {
    "confirm": 7 * 86400,          # a confirmation mail is acted on soon or not at all
    "manage": 180 * 86400,         # preferences and preview links in every digest
    "unsubscribe": 365 * 86400,    # one-click unsubscribe must keep working
    "signin": 15 * 60,             # a sign-in link is used at once, and only once
    "address": 86400,              # a new address is confirmed the same day
    "dismiss": 90 * 86400,         # "not interested" beside a paper in a digest
}


class TokenError(ValueError):
    def __init__(self, message: str, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class TokenClaims:
    reader_id: int | None
    version: int
    extra: dict[str, Any] = field(default_factory=dict)


class Tokens:
    def __init__(self, secret_key: str) -> None:
        self.secret_key = secret_key

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        if purpose not in MAX_AGE:
            raise ValueError(f"unknown token purpose {purpose!r}")
        return URLSafeTimedSerializer(self.secret_key, salt=f"papertide-{purpose}")

    def make(self, purpose: str, reader_id: int | None, version: int, **extra: Any) -> str:
        return self._serializer(purpose).dumps({"r": reader_id, "v": version, **extra})

    def read(self, purpose: str, token: str, max_age: int | None = None) -> TokenClaims:
        try:
            data = self._serializer(purpose).loads(token or "", max_age=max_age or MAX_AGE[purpose])
        except SignatureExpired:
            raise TokenError(
                "This link has expired. Ask for a new one from the home page.", expired=True
            ) from None
        except BadSignature:
            raise TokenError(
                "This link is not valid: it may have been altered or cut short."
            ) from None
        reader_id = data.get("r") if isinstance(data, dict) else "?"
        if reader_id is not None and not isinstance(reader_id, int):
            raise TokenError("This link is not valid.")
        extra = {k: v for k, v in data.items() if k not in ("r", "v")}
        return TokenClaims(reader_id, int(data.get("v", 0)), extra)
