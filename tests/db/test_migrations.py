"""The migrations build exactly the tables `db/tables.py` declares, from an empty
database, on each backend — and running them again changes nothing."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select

from papertide.db import migrate
from papertide.db.tables import counters, metadata


def test_upgrade_from_empty_builds_the_declared_schema(database_url):
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:  # the fixture's database may be migrated already
            metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        assert inspect(engine).get_table_names() == []
        migrate(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
            assert diff == [], f"the migrations and db/tables.py disagree: {diff}"
            seeded = dict(conn.execute(select(counters.c.name, counters.c.value)).all())
        assert seeded == {"seq": 0, "embed_seq": 0}
        migrate(engine)  # already at the head: nothing to do, nothing lost
        with engine.connect() as conn:
            assert conn.execute(select(counters.c.name)).scalars().all() != []
    finally:
        engine.dispose()
