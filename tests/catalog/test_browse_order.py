"""The browsing orders page by page: every offset gives the slice of one order (listed
papers by rank first, then newest first, undated last), whichever part a page starts in,
with excluded papers left out."""

from datetime import datetime

import pytest

from papertide.catalog import Paper


@pytest.fixture
def catalog(services):
    records = []
    for i in range(12):
        records.append(Paper(title=f"Listed {i}", rank_hint=12 - i,
                             published=datetime(2024, 1, 1 + i) if i % 3 else None))
    for i in range(15):
        records.append(Paper(title=f"Unlisted {i}",
                             published=datetime(2023, 5, 1 + i) if i % 4 else None))
    services.catalog.upsert(records)
    return services.catalog


def _expected(catalog, listing_first, excluded=()):
    everything = [p for p in catalog.get_many([p.id for p in catalog.iter_papers()])
                  if p.id not in excluded]

    def key(p):
        rank = (p.rank_hint is None, p.rank_hint or 0)
        newest = (p.published is None, -(p.published or datetime(1970, 1, 1)).timestamp(),
                  -p.first_seen.timestamp(), p.id)
        return (rank, *newest) if listing_first else (newest[:2], rank, *newest[2:])

    return [p.title for p in sorted(everything, key=key)]


@pytest.mark.parametrize("listing_first", [True, False])
def test_every_page_is_a_slice_of_one_order(catalog, listing_first):
    whole = _expected(catalog, listing_first)
    assert [p.title for p in catalog.newest(100, 0, listing_first=listing_first)] == whole
    for offset in range(0, 30, 1):
        for limit in (1, 5, 13):
            page = catalog.newest(limit, offset, listing_first=listing_first)
            assert [p.title for p in page] == whole[offset:offset + limit], (offset, limit)


def test_excluded_papers_are_left_out_of_every_page(catalog):
    excluded = [p.id for p in catalog.newest(100, listing_first=True)][::3]
    whole = _expected(catalog, True, excluded)
    for offset in (0, 3, 7, 8, 9, 17, 40):
        page = catalog.newest(5, offset, exclude=excluded, listing_first=True)
        assert [p.title for p in page] == whole[offset:offset + 5]
