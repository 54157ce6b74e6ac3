"""Who is calling a tool and what they may do: anonymous callers get the public tools, a
reader's API token opens their library within the token's scopes.

    caller = token_caller(services.readers.accounts, "pt_…")   # None: no such token
    require(caller, "library")                                  # ToolError if not allowed

Scopes: `read` (the public tools, and the reader's recommendations), `library` (list, add
and remove saved papers) and `vote`, as the token was made with (`readers.SCOPES`; tokens
made before scopes existed hold all three).
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
    return accounts.api_token(token)


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
