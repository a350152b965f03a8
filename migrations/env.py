"""Alembic environment: the schema is SQLModel.metadata, the database is the app's."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import inspection.models  # noqa: F401  (fills SQLModel.metadata with every table)

config = context.config
target_metadata = SQLModel.metadata


def _configure(**kwargs) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs table rebuilds for most ALTERs
        compare_type=True,
        # SQLite can roll DDL back too (the engine begins transactions itself): all or nothing.
        transactional_ddl=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Write the SQL for the app's database URL instead of running it."""
    from inspection import create_app

    _configure(url=create_app().config["DATABASE_URL"], literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run on the connection handed over by `flask db upgrade`, or on the app's engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from inspection import create_app

    with create_app().extensions["engine"].begin() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
