"""bigint: 64-bit counters, change numbers and row ids on PostgreSQL

Revision ID: 0007_bigint
Revises: 0006_library

The `seq` counters, the engagement counts and the ids of the fast-growing log tables
(events, deliveries, mail events) may pass 2**31 on a long-lived public instance. On
PostgreSQL they become BIGINT, and the sequences numbering the ids with them (a SERIAL
column's sequence stops at 2**31 - 1 even after its column is widened). SQLite's
INTEGER already holds 64 bits, and the declared type stays INTEGER there (a BIGINT
primary key is not SQLite's rowid), so nothing changes and no table is copied on SQLite.
"""

import sqlalchemy as sa
from alembic import op

revision = '0007_bigint'
down_revision = '0006_library'
branch_labels = None
depends_on = None

COLUMNS = {
    'papers': ['seq', 'votes', 'views', 'saves'],
    'counters': ['value'],
    'embeddings': ['seq'],
    'events': ['id'],
    'deliveries': ['id'],
    'mail_events': ['id'],
}
SERIAL = ['events', 'deliveries', 'mail_events']  # tables whose `id` a sequence numbers


def _alter(wide: bool) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        return
    new, old = (sa.BigInteger(), sa.Integer()) if wide else (sa.Integer(), sa.BigInteger())
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=old, type_=new,
                                      existing_nullable=False)
    for table in SERIAL:
        op.execute(f"ALTER SEQUENCE {table}_id_seq AS {'bigint' if wide else 'integer'}")


def upgrade() -> None:
    _alter(wide=True)


def downgrade() -> None:
    _alter(wide=False)
