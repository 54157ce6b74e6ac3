"""token scopes: what each API token may do

Revision ID: 0009_token_scopes
Revises: 0008_private_feeds

Tokens made before scopes existed could read, change the library and vote, so they keep
exactly those three scopes (`read library vote`): nothing a script relied on stops
working, and nothing it could not do before becomes possible. (Account changes were also
open to them; those now need a browser session for every token, old or new.)
"""

import sqlalchemy as sa
from alembic import op

revision = '0009_token_scopes'
down_revision = '0008_private_feeds'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scopes', sa.String(length=100), nullable=False,
                                      server_default='read library vote'))


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('scopes')
