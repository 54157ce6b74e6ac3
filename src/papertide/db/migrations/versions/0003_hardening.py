"""hardening: an index on papers.rank_hint, so that browsing in listing order reads the
listed papers through it instead of scanning the catalog

Revision ID: 0003_hardening
Revises: 0002
"""

from alembic import op

revision = '0003_hardening'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.create_index('ix_papers_rank_hint', ['rank_hint'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('papers', schema=None) as batch_op:
        batch_op.drop_index('ix_papers_rank_hint')
