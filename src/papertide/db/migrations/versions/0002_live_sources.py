"""live sources: announcement dates, external signals, source state and runs

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('source_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('spec', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('source_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_runs_started_at'), ['started_at'], unique=False)

    op.create_table('source_state',
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('scope', sa.String(length=300), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('source', 'scope')
    )
    op.create_table('signals',
    sa.Column('paper_id', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('observed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['paper_id'], ['papers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('paper_id', 'source', 'name')
    )
    # Adding a nullable column and an index alters the table in place, also on SQLite:
    # no copy of the papers table.
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announced', sa.Date(), nullable=True))
        batch_op.create_index('ix_papers_announced', ['announced'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.drop_index('ix_papers_announced')
        batch_op.drop_column('announced')

    op.drop_table('signals')
    op.drop_table('source_state')
    with op.batch_alter_table('source_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_runs_started_at'))

    op.drop_table('source_runs')