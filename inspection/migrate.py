"""The database schema: Alembic pointed at migrations/ and this app's database, and `flask db`."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click
from flask import Flask
from flask import current_app
from flask.cli import AppGroup

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config():
    """Alembic's configuration, pointed at migrations/ and this app's database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@contextlib.contextmanager
def migration_connection(app: Flask):
    """A connection for Alembic, in one transaction, DDL included: a migration that fails leaves
    nothing half done. On SQLite, foreign keys are off while a migration rebuilds tables (as
    SQLite requires) and checked before the commit."""
    engine = app.extensions["engine"]
    with engine.connect() as connection:
        if engine.dialect.name != "sqlite":
            with connection.begin():
                yield connection
            return
        # The sqlite3 module opens transactions only before data changes, so that ordinary
        # requests read without locking; here we open one ourselves, before the first DDL.
        dbapi = connection.connection.dbapi_connection
        legacy = dbapi.isolation_level
        dbapi.isolation_level = None
        dbapi.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, where it counts
        try:
            with connection.begin():
                connection.exec_driver_sql("BEGIN")
                yield connection
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            dbapi.execute("PRAGMA foreign_keys=ON")
            dbapi.isolation_level = legacy


def upgrade_database(app: Flask, revision: str = "head") -> None:
    """Bring the app's database to `revision` with Alembic."""
    from alembic import command

    config = alembic_config()
    with migration_connection(app) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade_database(app: Flask, revision: str) -> None:
    """Take the app's database back to `revision`."""
    from alembic import command

    config = alembic_config()
    with migration_connection(app) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


db = AppGroup("db", help="Database schema commands.")


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply the migrations up to REVISION (default: the latest)."""
    upgrade_database(current_app, revision)
    click.echo(f"Database is at {revision}.")
