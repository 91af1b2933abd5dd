"""Alembic environment: always run programmatically on a connection the store hands over.

geo.store.migrate opens the connection, takes the schema lock (SQLite: BEGIN
IMMEDIATE; PostgreSQL: an advisory lock) and passes it in ``config.attributes``;
the migrations run inside that one transaction, so a crash leaves the old schema.
"""

from alembic import context

from geo.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - guarded by geo.store.migrate
    raise RuntimeError("run the store's migrations through geo.store.migrate (angebotskarte db upgrade)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
