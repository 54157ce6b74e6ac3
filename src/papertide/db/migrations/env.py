"""Alembic environment: runs papertide's migrations on the connection `db.connect` hands it."""

from alembic import context

from papertide.db.tables import metadata

connection = context.config.attributes.get("connection")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
