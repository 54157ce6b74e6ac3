"""accounts: reader roles, sessions, API tokens, used sign-in links, rate-limit windows

Revision ID: 0003_accounts
Revises: 0003_daily
"""

import sqlalchemy as sa
from alembic import op

revision = '0003_accounts'
down_revision = '0003_daily'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable-free column with a server default: existing readers become plain readers.
    with op.batch_alter_table('readers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), nullable=False,
                                      server_default='reader'))

    op.create_table('sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('reader_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['reader_id'], ['readers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_reader_id'), ['reader_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('reader_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['reader_id'], ['readers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_reader_id'), ['reader_id'], unique=False)

    op.create_table('used_links',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('used_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_links_used_at'), ['used_at'], unique=False)

    op.create_table('rate_limits',
    sa.Column('key', sa.String(length=250), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.Column('hits', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('rate_limits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limits_expires_at'), ['expires_at'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('rate_limits')
    op.drop_table('used_links')
    op.drop_table('api_tokens')
    op.drop_table('sessions')
    with op.batch_alter_table('readers', schema=None) as batch_op:
        batch_op.drop_column('role')
