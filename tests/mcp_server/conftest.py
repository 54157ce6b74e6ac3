"""MCP fixtures: a small real catalog (40 arXiv records) with readers' votes on one paper,
so that trending has a leader, and a reader with an API token."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from papertide.services import Services
from tests.helpers import add_reader, load

SAMPLE = Path(__file__).parents[1] / "fixtures" / "arxiv-sample-40.jsonl"
VOTED = "2503.11742"  # Safe Vision-Language Models via Unsafe Weights Manipulation (cs.CV)


@dataclass
class Catalog:
    services: Services
    token: str  # an API token of reader@example.org


@pytest.fixture
def mcp_catalog(services: Services) -> Catalog:
    load(services, SAMPLE)
    voted = services.catalog.get(VOTED)
    assert voted is not None
    for voter in range(3):
        services.catalog.record_event(voted.id, "vote", f"r:{1000 + voter}")
    reader = add_reader(services, "reader@example.org")
    services.library.follow(reader.id, "category", "cs.CL")  # recommendations without vectors
    return Catalog(services, services.readers.accounts.create_api_token(reader.id, "assistant"))
