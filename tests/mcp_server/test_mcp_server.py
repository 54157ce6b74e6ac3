"""The MCP server, driven by the SDK's own client: over stdio (a `papertide mcp`
subprocess), over streamable HTTP (the web app under uvicorn at /mcp), and in process for
what a token's scopes allow."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from papertide.config import Settings
from papertide.mcp_server import TOOL_NAMES, Caller, build_server
from tests.helpers import LiveServer
from tests.mcp_server.conftest import VOTED, Catalog

LIBRARY_TOOLS = {"library_list", "library_add", "library_remove"}


def run(session: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(session())


def data(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    content: dict[str, Any] = result.structured_content
    return content


def refusal(result: Any) -> str:
    assert result.is_error
    return " ".join(getattr(c, "text", "") for c in result.content)


async def check_public_tools(client: Client) -> None:
    """Every tool is described with an input schema; the public ones give real results."""
    listed = (await client.list_tools()).tools
    assert {t.name for t in listed} == set(TOOL_NAMES)
    for tool in listed:
        assert tool.description and len(tool.description) > 30, tool.name
        assert tool.input_schema["type"] == "object" and "properties" in tool.input_schema

    found = data(await client.call_tool("search_papers", {
        "query": "vision-language models unsafe", "limit": 5}))
    assert found["papers"][0]["arxiv_url"] == f"https://arxiv.org/abs/{VOTED}"
    assert all(p["arxiv_url"].startswith("https://arxiv.org/abs/") for p in found["papers"])

    filtered = data(await client.call_tool("search_papers", {
        "query": "models", "category": "cs.CL", "limit": 10}))
    assert filtered["papers"] and all("cs.CL" in p["categories"] for p in filtered["papers"])

    hot = data(await client.call_tool("trending_papers", {"window": "all", "limit": 3}))
    assert hot["papers"][0]["arxiv_id"] == VOTED and hot["papers"][0]["votes"] == 3
    in_cl = data(await client.call_tool("trending_papers", {
        "window": "all", "category": "cs.CL", "limit": 50}))
    assert in_cl["papers"] and VOTED not in {p["arxiv_id"] for p in in_cl["papers"]}
    assert all(any(c.startswith("cs.CL") for c in p["categories"]) for p in in_cl["papers"])

    paper = data(await client.call_tool("get_paper", {
        "paper": f"https://arxiv.org/abs/{VOTED}v1"}))
    assert paper["title"] == "Safe Vision-Language Models via Unsafe Weights Manipulation"
    assert paper["abstract"].startswith("Vision-language models (VLMs)")
    assert paper["pdf_url"] == f"https://arxiv.org/pdf/{VOTED}" and paper["votes"] == 3
    assert paper["page_url"].endswith(f"/papers/{paper['id']}")

    missing = await client.call_tool("get_paper", {"paper": "2101.00001"})
    assert "No paper '2101.00001'" in refusal(missing)

    similar = data(await client.call_tool("similar_papers", {"paper": VOTED}))
    assert similar["papers"] == [] and "index for meaning" in similar["note"]

    day = data(await client.call_tool("daily_papers", {"day": "2025-03-18"}))
    assert day["day"] == "2025-03-18" and day["total"] > 0
    assert VOTED in {p["arxiv_id"] for p in day["papers"]}

    with pytest.raises(MCPError, match="No paper '2101.00001'"):
        await client.read_resource("papertide://papers/2101.00001")
    text = await client.read_resource(f"papertide://papers/{VOTED}")
    assert f"[arXiv](https://arxiv.org/abs/{VOTED})" in text.contents[0].text
    digest = await client.read_resource("papertide://daily/latest")
    assert digest.contents[0].text.startswith("# Papers announced")


async def check_library_tools(client: Client) -> None:
    saved = data(await client.call_tool("library_add", {
        "paper": VOTED, "tags": ["Safety"], "note": "read before the meeting"}))
    assert saved["tags"] == ["safety"] and saved["paper"]["arxiv_id"] == VOTED
    listed = data(await client.call_tool("library_list", {}))
    assert [i["paper"]["arxiv_id"] for i in listed["items"]] == [VOTED]
    assert listed["tags"] == {"safety": 1}
    by_note = data(await client.call_tool("library_list", {"query": "meeting"}))
    assert [i["paper"]["arxiv_id"] for i in by_note["items"]] == [VOTED]
    assert data(await client.call_tool("library_list", {"query": "graphs"}))["items"] == []
    recs = data(await client.call_tool("recommendations", {"limit": 5}))
    assert recs["based_on"] == ("Based on the 1 paper in your library and the categories you "
                                "follow (cs.CL).")
    assert recs["papers"] and all(p["reason"] for p in recs["papers"])
    assert all(p["arxiv_url"].startswith("https://arxiv.org/abs/") for p in recs["papers"])
    removed = data(await client.call_tool("library_remove", {"paper": VOTED}))
    assert removed["removed"] is True
    assert data(await client.call_tool("library_list", {}))["items"] == []


async def check_refused_without_token(client: Client) -> None:
    for name in (*LIBRARY_TOOLS, "recommendations"):
        arguments = {"paper": VOTED} if name in ("library_add", "library_remove") else {}
        assert "needs a reader's API token" in refusal(await client.call_tool(name, arguments))


def stdio(settings: Settings, token: str | None = None) -> StdioServerParameters:
    env = {"PAPERTIDE_DATA_DIR": str(settings.data_dir),
           "PAPERTIDE_DATABASE_URL": settings.database_url or "",
           "PAPERTIDE_SECRET_KEY": settings.resolved_secret_key,
           "PAPERTIDE_SEARCH_MODE": "keyword", "PAPERTIDE_EMBED_ON_INGEST": "false"}
    if token:
        env["PAPERTIDE_MCP_TOKEN"] = token
    return StdioServerParameters(command=str(Path(sys.executable).parent / "papertide"),
                                 args=["mcp"], env=env)


def test_stdio_serves_the_public_tools_and_a_token_s_library(mcp_catalog: Catalog,
                                                              settings: Settings) -> None:
    accounts = mcp_catalog.services.readers.accounts

    async def session() -> None:
        async with Client(stdio(settings, mcp_catalog.token)) as client:
            await check_public_tools(client)
            await check_library_tools(client)
            reader = accounts.reader_for_api_token(mcp_catalog.token)
            assert reader is not None
            for token in accounts.api_tokens_of(reader.id):
                accounts.revoke_api_token(reader.id, token.id)
            assert "needs a reader's API token" in refusal(  # revoked: at once
                await client.call_tool("library_list", {}))
        async with Client(stdio(settings)) as anonymous:
            await check_refused_without_token(anonymous)

    run(session)


def test_stdio_refuses_to_start_with_a_wrong_token(mcp_catalog: Catalog,
                                                   settings: Settings) -> None:
    import subprocess

    params = stdio(settings, "pt_not-a-token")
    done = subprocess.run([params.command, *params.args], env={**os.environ, **(params.env or {})},
                          capture_output=True, text=True, input="", timeout=120)
    assert done.returncode == 2 and "not a valid API token" in done.stderr


def test_http_at_mcp_serves_anonymous_and_token_callers(mcp_catalog: Catalog,
                                                        settings: Settings) -> None:
    async def session(url: str) -> None:
        async with Client(url) as anonymous:
            await check_public_tools(anonymous)
            await check_refused_without_token(anonymous)
        bearer = httpx2.AsyncClient(headers={"Authorization": f"Bearer {mcp_catalog.token}"})
        async with bearer, Client(streamable_http_client(url, http_client=bearer)) as reader:
            await check_library_tools(reader)
        async with httpx2.AsyncClient() as plain:
            refused = await plain.post(url, headers={
                "Authorization": "Bearer pt_wrong",
                "Accept": "application/json, text/event-stream"}, json={
                "jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}})
        assert refused.status_code == 401 and "not valid" in refused.json()["error"]

    with LiveServer(settings) as server:
        run(lambda: session(f"{server.url}/mcp"))


def test_a_token_without_the_library_scope_is_refused_the_library(
        mcp_catalog: Catalog) -> None:
    services = mcp_catalog.services
    reader = services.readers.accounts.reader_for_api_token(mcp_catalog.token)
    read_only = Caller(f"r:{reader.id}", reader, frozenset({"read"}))  # type: ignore[union-attr]
    server = build_server(services, lambda ctx: read_only)

    async def session() -> None:
        async with Client(server) as client:
            for name, arguments in (("library_list", {}), ("library_add", {"paper": VOTED}),
                                    ("library_remove", {"paper": VOTED})):
                assert "does not grant the 'library' scope" in refusal(
                    await client.call_tool(name, arguments))
            data(await client.call_tool("recommendations", {}))
            data(await client.call_tool("search_papers", {"query": "vision"}))

    run(session)
    assert services.library.count(reader.id) == 0  # type: ignore[union-attr]


def test_calls_count_against_the_api_rate_limits(mcp_catalog: Catalog) -> None:
    services = mcp_catalog.services
    services.limits.items["searches"] = services.limits.items["searches"].__class__(2, 1)
    server = build_server(services, lambda ctx: Caller("ip:203.0.113.9"))

    async def session() -> None:
        async with Client(server) as client:
            for _ in range(2):
                data(await client.call_tool("search_papers", {"query": "vision"}))
            assert "Too many requests" in refusal(
                await client.call_tool("search_papers", {"query": "vision"}))
            data(await client.call_tool("get_paper", {"paper": VOTED}))  # another limit

    run(session)
