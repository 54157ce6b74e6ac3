"""Who is behind a request: the signed-in reader (session cookie or API token, resolved by
the guard in `_security.py`), the browser (the signed client cookie), the client's IP
address (through trusted proxies only), and the key rate limits count it under.

    reader = signed_in(request)             # Reader or None
    reader = require_reader(request, "vote") # or 401 "Sign in to vote"
    require_admin(request)                  # or 404: the admin pages do not exist for others
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from functools import lru_cache

from fastapi import HTTPException, Request

from papertide.readers import Reader, Session
from papertide.web._deps import services

SESSION_COOKIE = "pt_session"
# Programs that announce themselves: their page views count nothing.
BOTS = re.compile(r"bot|crawl|spider|slurp|scrap|curl|wget|httpie|python|httpx|aiohttp|"
                  r"go-http|java/|okhttp|libwww|perl|ruby|php|node-fetch|axios|headless|"
                  r"phantom|selenium|preview|monitor|uptime|check|fetch|feed|archiver",
                  re.IGNORECASE)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# Anonymous views of one paper on one day count at most this many times per client network
# (a /24 for IPv4, a /64 for IPv6): new cookies are free, networks are not.
ANONYMOUS_VIEWS_PER_NETWORK = 3


def signed_in(request: Request) -> Reader | None:
    reader: Reader | None = request.state.reader if hasattr(request.state, "reader") else None
    return reader


def current_session(request: Request) -> Session | None:
    session: Session | None = getattr(request.state, "session", None)
    return session


def require_reader(request: Request, to: str) -> Reader:
    reader = signed_in(request)
    if reader is None:
        raise HTTPException(401, f"Sign in to {to}: open /login, or send an API token as "
                                 "'Authorization: Bearer …'.")
    return reader


def is_admin(request: Request) -> bool:
    return services(request).readers.accounts.is_admin(signed_in(request))


def require_admin(request: Request) -> Reader:
    """The admin reader, else a 404, as for a page that does not exist."""
    reader = signed_in(request)
    if reader is None or not is_admin(request):
        raise HTTPException(404, "Not found")
    return reader


@lru_cache(maxsize=8)
def _networks(setting: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False)
                 for item in setting.replace(",", " ").split())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: Request) -> str:
    """The connecting address; behind a trusted proxy, the last address in
    X-Forwarded-For that is not itself a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    networks = _networks(services(request).settings.trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return peer


def client_key(request: Request) -> str:
    """What per-client limits count: the signed-in reader, else the IP address."""
    reader = signed_in(request)
    return f"r:{reader.id}" if reader else f"ip:{client_ip(request)}"


def client_network(request: Request) -> str:
    """The client's network: its IPv4 /24 or IPv6 /64 (one household, office or phone
    carrier's customer), or the address itself when it is no IP address."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:60]
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def viewer(request: Request) -> str | None:
    """Who a page view is counted for (once per paper and day): the signed-in reader, else
    one of `ANONYMOUS_VIEWS_PER_NETWORK` slots of the client's network, picked by the
    browser's cookie; None (count nothing) for a request without the cookie or from a
    program that says it is one. So a client minting cookies, or naming made-up addresses
    in `X-Forwarded-For` past no trusted proxy, adds at most that many views a day."""
    if BOTS.search(request.headers.get("user-agent", "bot")):
        return None
    reader = signed_in(request)
    if reader is not None:
        return f"r:{reader.id}"
    browser = getattr(request.state, "client_id", None)
    if not browser:
        return None
    slot = hashlib.sha256(str(browser).encode()).digest()[0] % ANONYMOUS_VIEWS_PER_NETWORK
    return f"n:{client_network(request)}#{slot}"
