"""The Model Context Protocol server: papertide for assistants, a thin front over the same
functions as the web API (built with the official `mcp` SDK).

    server = build_server(services, caller_of)   # caller_of(ctx) → Caller: who is asking
    serve_stdio(services, token)                 # `papertide mcp`: one reader, or anonymous

Public tools: search_papers, get_paper, similar_papers, trending_papers, daily_papers.
A reader's API token (within its scopes) adds library_list, library_add, library_remove
(`library`) and recommendations (`read`). Resources: `papertide://papers/{id}` and
`papertide://daily/{day}` (`latest` for the latest announcement day).

The web app serves the same server over streamable HTTP at `/mcp`, where the caller is
the request's `Authorization: Bearer` token (`web/_mcp.py`).
"""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

from papertide import __version__
from papertide.mcp_server._access import (
    ALL_SCOPES,
    ANONYMOUS_STDIO,
    Caller,
    require,
    token_caller,
    token_scopes,
)
from papertide.mcp_server._tools import TOOL_NAMES, CallerOf, Tools, register
from papertide.services import Services

__all__ = ["ALL_SCOPES", "TOOL_NAMES", "Caller", "CallerOf", "StdioTokenError", "build_server",
           "require", "serve_stdio", "stdio_caller", "token_caller", "token_scopes"]

INSTRUCTIONS = (
    "papertide is a catalog of research papers (mostly arXiv). Search it by keywords and by "
    "meaning, read a paper, find similar ones, see what is trending and what a day brought. "
    "Cite papers by their arxiv_url. With a reader's API token: their library and "
    "recommendations.")


class StdioTokenError(ValueError):
    """The token given to `papertide mcp` names no reader."""


def build_server(services: Services, caller_of: CallerOf) -> MCPServer:
    server: MCPServer = MCPServer("papertide", version=__version__, instructions=INSTRUCTIONS,
                                  website_url=services.settings.base_url, log_level="WARNING")
    register(server, Tools(services, caller_of))
    return server


def stdio_caller(services: Services, token: str | None) -> Caller:
    """The one caller of a stdio server: the token's reader, or anonymous without one."""
    if not token:
        return ANONYMOUS_STDIO
    caller = token_caller(services.readers.accounts, token)
    if caller is None:
        raise StdioTokenError("PAPERTIDE_MCP_TOKEN is not a valid API token: create one with "
                              "`papertide readers token EMAIL` or on the account page.")
    return caller


def serve_stdio(services: Services, token: str | None) -> None:
    """Serve over stdin/stdout until the client closes them. The token is checked again on
    every call, so revoking it ends its access at once."""
    first = stdio_caller(services, token)

    def caller_of(_ctx: object) -> Caller:
        if first.reader is None or token is None:
            return first
        return token_caller(services.readers.accounts, token) or ANONYMOUS_STDIO

    build_server(services, caller_of).run("stdio")
