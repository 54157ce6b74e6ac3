"""library: notes on saved papers, tags, dismissals and follows

Revision ID: 0006_library
Revises: 0003_accounts
"""

import sqlalchemy as sa
from alembic import op

revision = '0006_library'
down_revision = '0003_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column and an index are added in place, also on SQLite.
    with op.batch_alter_table('library', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.create_index('ix_library_reader_saved', ['reader_id', 'saved_at'],
                              unique=False)

    op.create_table('library_tags',
    sa.Column('reader_id', sa.Integer(), nullable=False),
    sa.Column('paper_id', sa.String(length=200), nullable=False),
    sa.Column('tag', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['reader_id', 'paper_id'], ['library.reader_id', 'library.paper_id'],
                            name='fk_library_tags_saved', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('reader_id', 'paper_id', 'tag')
    )
    with op.batch_alter_table('library_tags', schema=None) as batch_op:
        batch_op.create_index('ix_library_tags_reader_tag', ['reader_id', 'tag'], unique=False)

    op.create_table('dismissals',
    sa.Column('reader_id', sa.Integer(), nullable=False),
    sa.Column('paper_id', sa.String(length=200), nullable=False),
    sa.Column('dismissed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['paper_id'], ['papers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reader_id'], ['readers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('reader_id', 'paper_id')
    )

    op.create_table('follows',
    sa.Column('reader_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['reader_id'], ['readers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('reader_id', 'kind', 'value')
    )


def downgrade() -> None:
    op.drop_table('follows')
    op.drop_table('dismissals')
    op.drop_table('library_tags')
    with op.batch_alter_table('library', schema=None) as batch_op:
        batch_op.drop_index('ix_library_reader_saved')
        batch_op.drop_column('note')
