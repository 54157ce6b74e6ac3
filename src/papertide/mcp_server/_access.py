"""Who is calling a tool and what they may do: anonymous callers get the public tools, a
reader's API token opens their library within the token's scopes.

    caller = token_caller(services.readers.accounts, "pt_…")   # None: no such token
    require(caller, "library")                                  # ToolError if not allowed

Scopes: `read` (the public tools, and the reader's recommendations), `library` (list, add
and remove saved papers) and `vote`. Tokens made before scopes existed may do everything
their reader may, so `token_scopes` answers all of them for such a token.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mcp.server.mcpserver.exceptions import ToolError

from papertide.readers import Accounts, Reader

ALL_SCOPES: frozenset[str] = frozenset({"read", "library", "vote"})


@dataclass(frozen=True)
class Caller:
    key: str  # what rate limits count: "r:<reader id>", "ip:<address>", "stdio"
    reader: Reader | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)


ANONYMOUS_STDIO = Caller("stdio")


def token_scopes(accounts: Accounts, token: str) -> tuple[Reader, frozenset[str]] | None:
    """The reader behind an API token and the scopes it grants; None for no such token.
    Through the accounts' own lookup, so a revoked token is refused at once."""
    reader = accounts.reader_for_api_token(token)
    if reader is None:
        return None
    # Tokens carry no scopes of their own yet: each grants all that its reader may do.
    return reader, ALL_SCOPES


def token_caller(accounts: Accounts, token: str, key: str | None = None) -> Caller | None:
    found = token_scopes(accounts, token.strip())
    if found is None:
        return None
    reader, scopes = found
    return Caller(key or f"r:{reader.id}", reader, scopes)


def require(caller: Caller, scope: str) -> Reader:
    """The caller's reader if their token grants `scope`; else a tool error saying why."""
    if caller.reader is None:
        raise ToolError(f"This tool needs a reader's API token with the {scope!r} scope: create "
                        "one on your account page and send it as 'Authorization: Bearer …' "
                        "(or set PAPERTIDE_MCP_TOKEN for `papertide mcp`).")
    if scope not in caller.scopes:
        raise ToolError(f"This API token does not grant the {scope!r} scope: create a token "
                        "that does on your account page.")
    return caller.reader
