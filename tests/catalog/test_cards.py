"""A page of result cards is read in one go, with what a card shows, on SQLite and on the
real PostgreSQL."""

import pytest

from papertide.catalog import Catalog, Paper
from papertide.catalog._store import CARD_FIELDS
from papertide.db import connect


@pytest.fixture
def catalog(database_url) -> Catalog:
    return Catalog(connect(database_url))


def test_cards_hold_what_a_card_shows_in_the_order_asked(catalog):
    catalog.upsert([Paper(title=f"Paper {i}", abstract=f"About {i}.", authors=["A. Author"],
                          categories=["cs.LG"], arxiv_id=f"2501.0000{i}", comment="10 pages",
                          url_code="https://github.com/example/repo", sources=["test"])
                    for i in range(1, 6)])
    asked = ["2501.00004", "unknown", "2501.00001", "2501.00004", "2501.00003"]
    cards = catalog.get_cards(asked)
    assert [c.id for c in cards] == ["2501.00004", "2501.00001", "2501.00004", "2501.00003"]
    full = {p.id: p for p in catalog.get_many(asked)}
    for card in cards:
        for name in CARD_FIELDS:
            assert getattr(card, name) == getattr(full[card.id], name), name
        assert card.links == full[card.id].links and card.comment is None
    assert catalog.get_cards([]) == []
