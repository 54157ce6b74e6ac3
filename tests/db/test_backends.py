"""What SQLite and PostgreSQL do differently holds the same for papertide: times come back
as the UTC moments they went in as, whatever the server's time zone; JSON lists keep
their order and text; addresses match whatever their case; ids page in one order."""

from datetime import date, datetime

from sqlalchemy.engine import make_url

from papertide.catalog import Catalog, Paper
from papertide.config import Settings
from papertide.db import connect, dispose_all
from papertide.services import open_services


def _in_time_zone(database_url: str, zone: str) -> str:
    """The same database, with sessions in another time zone on PostgreSQL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return database_url
    return url.update_query_dict({"options": f"-c timezone={zone}"}).render_as_string(
        hide_password=False)


def test_times_round_trip_as_utc_whatever_the_sessions_time_zone(database_url):
    published = datetime(2025, 3, 30, 1, 30)  # inside a DST change in Europe
    first_seen = datetime(2025, 11, 2, 23, 59, 59, 123456)
    east = Catalog(connect(_in_time_zone(database_url, "Pacific/Auckland")))
    east.upsert([Paper(title="Zoned", id="z1", published=published, first_seen=first_seen,
                       announced=date(2025, 3, 31), authors=["Zoë Ωmega", "A. B."],
                       categories=["cs.LG", "stat.ML"])])
    west = Catalog(connect(_in_time_zone(database_url, "America/Los_Angeles")))
    for catalog in (east, west):
        paper = catalog.get("z1")
        assert (paper.published, paper.first_seen) == (published, first_seen)
        assert paper.published.tzinfo is None  # naive UTC, as every time papertide keeps
        assert paper.announced == date(2025, 3, 31)
        assert paper.authors == ["Zoë Ωmega", "A. B."]  # JSON keeps order and text
        assert paper.categories == ["cs.LG", "stat.ML"]
    dispose_all()


def test_addresses_match_whatever_their_case(database_url, tmp_path):
    services = open_services(Settings(data_dir=tmp_path / "data", database_url=database_url,
                                      secret_key="k"))
    reader, created = services.readers.subscribe("Ada.Lovelace@Example.ORG", confirmed=True)
    again, created_again = services.readers.subscribe("ada.lovelace@example.org", confirmed=True)
    assert created and not created_again and again.id == reader.id
    assert services.readers.store.by_email("ada.lovelace@example.org").id == reader.id


def test_ids_page_in_one_order_whatever_the_collation(database_url):
    """Keyset paging compares ids in the database, never in Python: mixed case, digits
    and punctuation (which collations order differently) page without loss or repeat."""
    catalog = Catalog(connect(database_url))
    ids = ["a-1", "A-2", "b", "B", "_x", "Z9", "z10", "ä", "1706.03762", "10.1000/X"]
    catalog.upsert([Paper(title=f"Paper {i}", id=i) for i in ids])
    paged = [p.id for p in catalog.iter_papers(batch_size=3)]
    assert sorted(paged) == sorted(ids) and len(paged) == len(set(paged))


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path):
    import stat

    from papertide.db import connect

    path = tmp_path / "private" / "papertide.db"
    connect(f"sqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
