"""The database engine, the per-request session and the column types shared by all models."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from flask import Flask
from flask import current_app
from flask import g
from sqlalchemy import DateTime
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session
from sqlmodel import SQLModel

# Every constraint gets a predictable name, so migrations can alter it on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """An aware datetime, stored in UTC (as timestamptz on PostgreSQL, naive UTC on SQLite)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime; use inspection.clock.now()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "savepoint")
        def _sqlite_savepoint(connection, _name) -> None:
            # The sqlite3 module opens a transaction only before INSERT, UPDATE or DELETE, so
            # that requests read without locking. A SAVEPOINT outside a transaction would be a
            # transaction of its own, committed by its RELEASE; a savepoint means writes, so
            # open the transaction first, holding the write lock from the start.
            dbapi = connection.connection.dbapi_connection
            if not dbapi.in_transaction:
                dbapi.execute("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def init_app(app: Flask) -> None:
    """Create the engine for this app and close the request's session at teardown."""
    app.extensions["engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(close_session)


def get_session() -> Session:
    """Return the session of the current app context, opening it on first use."""
    if "db_session" not in g:
        g.db_session = Session(current_app.extensions["engine"], expire_on_commit=False)
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    """Roll back anything uncommitted and close the context's session."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def insert_new(session: Session, model, rows: list[dict], *, key: str = "key") -> list:
    """Insert rows whose `key` is not taken yet and return the (id, key) of those inserted.

    One batched INSERT … ON CONFLICT DO NOTHING RETURNING (PostgreSQL and SQLite alike): the
    unique index decides, so two writers racing for the same key both succeed and only one row
    exists afterwards, and a re-run inserts nothing.
    """
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = model.__table__
    stmt = (
        insert(table)
        .on_conflict_do_nothing(index_elements=[key])
        .returning(table.c.id, table.c[key])
    )
    return list(session.execute(stmt, rows).all())
