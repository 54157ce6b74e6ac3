"""daily: the listing time papers sort by, and the claims on live sources

Revision ID: 0003_daily
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003_daily'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('source_claims',
    sa.Column('spec', sa.String(length=300), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('done_for', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('spec')
    )
    # A nullable column and an index are added in place, also on SQLite.
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_papers_listed', ['listed'], unique=False)
    # The announcement day (at midnight), else the publication time, as the catalog writes
    # it from now on; SQLite keeps date-times as text in SQLAlchemy's format.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("UPDATE papers SET listed = COALESCE(announced || ' 00:00:00.000000', "
                   "published)")
    else:
        op.execute("UPDATE papers SET listed = COALESCE(CAST(announced AS TIMESTAMP), published)")


def downgrade() -> None:
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.drop_index('ix_papers_listed')
        batch_op.drop_column('listed')
    op.drop_table('source_claims')
