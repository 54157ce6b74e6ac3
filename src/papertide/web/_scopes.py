"""What an API token may reach: the scope each route needs, in one table the guard reads.

A browser session may do anything its reader may; an `Authorization: Bearer` token only
what its scopes allow (`readers.SCOPES`):

- the account (address, tokens, sessions, subscription, deletion), the admin pages and the
  outbox are for a browser session with its CSRF token, never a token: a leaked token must
  not be able to lock its owner out, mint more tokens or read other readers' mail;
- so are making and revoking private feeds: a feed URL is a credential of its own, which
  would outlive the revocation of the token that made it;
- reading the reader's own data needs `read`; changing the library needs `library`;
  voting needs `vote`;
- public routes (search, papers, feeds, subscribing, sign-in mail) need no scope; the MCP
  endpoint checks the scope of each tool it runs;
- any other change is refused to a token, so a new route is closed until listed here.
"""

from __future__ import annotations

import re

SESSION_ONLY = "session"
# DOTALL: a path is judged whole, a line break in it (`%0A`) included, so that it reaches the
# router (which answers 404) instead of a "tokens cannot do this".
_SESSION_ONLY = re.compile(r"/(account|admin|outbox)(/.*)?|/logout|/auth/.*", re.DOTALL)
_READ = re.compile(r"/api/me(/.*)?|/library(/.*)?|/for-you|/onboarding|/digest/preview",
                   re.DOTALL)
_VOTE = re.compile(r"(/api)?/papers/.+/vote", re.DOTALL)
_LIBRARY = re.compile(r"/api/me/.+|/papers/.+/(save|library|dismiss)|/follows|/library/import|"
                      r"/onboarding", re.DOTALL)
# Changes anyone may ask for without signing in: a token adds nothing and takes nothing away.
# `/mcp` checks each tool's scope itself (`mcp_server/_access.py`).
_PUBLIC_CHANGES = re.compile(r"/api/auth/login|/login|/api/subscribe|/subscribe|/fetch/arxiv|"
                             r"/unsubscribe|/preferences|/not-interested|/confirm|/mcp(/.*)?",
                             re.DOTALL)
# Private feeds' URLs are credentials: made and revoked by a browser session only.
_FEED_CHANGES = re.compile(r"/api/me/feeds(/.*)?|/library/feeds(/.*)?", re.DOTALL)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
# The methods papertide's routes change anything with. No route takes another (QUERY,
# PROPFIND …): the router answers those 405 with a true `Allow`, whoever asks, and `/mcp`,
# which sees every method, checks each tool's scope itself.
CHANGE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def needed_scope(method: str, path: str) -> str | None:
    """The scope a token needs for this request: a name from `readers.SCOPES`, None for
    none, or `SESSION_ONLY` for routes no token may use."""
    if _SESSION_ONLY.fullmatch(path):
        return SESSION_ONLY
    if method in SAFE_METHODS:
        return "read" if _READ.fullmatch(path) else None
    if method not in CHANGE_METHODS:
        return None
    if _FEED_CHANGES.fullmatch(path):
        return SESSION_ONLY
    if _VOTE.fullmatch(path):
        return "vote"
    if _LIBRARY.fullmatch(path):
        return "library"
    if _PUBLIC_CHANGES.fullmatch(path):
        return None
    return SESSION_ONLY
