"""private feeds: secret Atom feed URLs of a reader (For you, a tag, a saved search)

Revision ID: 0008_private_feeds
Revises: 0007_bigint
"""

import sqlalchemy as sa
from alembic import op

revision = '0008_private_feeds'
down_revision = '0007_bigint'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('private_feeds',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('reader_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('value', sa.String(length=500), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['reader_id'], ['readers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('secret_hash')
    )
    with op.batch_alter_table('private_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_private_feeds_reader_id'), ['reader_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('private_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_private_feeds_reader_id'))
    op.drop_table('private_feeds')
