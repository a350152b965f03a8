"""Fixtures: an app on a throwaway database, clients logged in as each role, and factories.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL names a server
(`make test` runs both): each xdist worker gets its own database, created for the run and
dropped after it, and every test starts from empty tables.
"""

from __future__ import annotations

import os
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel
from werkzeug.serving import make_server

# Keep the instance folder (secret key, default database) out of the working tree.
os.environ.setdefault("INSPECTION_INSTANCE_PATH", tempfile.mkdtemp(prefix="inspection-instance-"))

import inspection.models  # noqa: E402,F401  (every table on SQLModel.metadata)
from inspection import create_app  # noqa: E402
from inspection.auth import passwords  # noqa: E402
from inspection.config import normalise_database_url  # noqa: E402
from inspection.db import make_engine  # noqa: E402
from tests.factories import Factory  # noqa: E402

PG_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_report_header(config) -> str:
    if PG_URL:
        shown = make_url(normalise_database_url(PG_URL)).render_as_string(hide_password=True)
        return f"database: PostgreSQL ({shown}), a throwaway database per worker"
    return "database: SQLite (a throwaway file per worker)"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    terminalreporter.write_line(f"ran on {pytest_report_header(config)}")


def pytest_collection_modifyitems(config, items) -> None:
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: runs in the PostgreSQL pass of make test")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Argon2id with small costs: the same algorithm, fast enough for hundreds of logins."""
    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = original


def _create_pg_database(worker: str) -> tuple[str, str]:
    admin_url = make_url(normalise_database_url(PG_URL))
    name = f"inspection_test_{worker}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # A throwaway database need not wait for each commit to reach the disk.
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    admin.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False), name


def _drop_pg_database(name: str) -> None:
    admin = create_engine(make_url(normalise_database_url(PG_URL)), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    """A database of this worker's own with the whole schema, dropped after the run."""
    if PG_URL:
        url, name = _create_pg_database(worker_id)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    yield url
    if PG_URL:
        _drop_pg_database(name)


@pytest.fixture(scope="session")
def new_database(tmp_path_factory, worker_id):
    """Make further empty databases (e.g. to run the migrations on)."""
    made: list[str] = []

    def make() -> str:
        if PG_URL:
            url, name = _create_pg_database(f"{worker_id}x")
            made.append(name)
            return url
        return f"sqlite:///{tmp_path_factory.mktemp('empty') / 'empty.sqlite'}"

    yield make
    for name in made:
        _drop_pg_database(name)


def _clear(engine) -> None:
    tables = [table.name for table in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # A test that left a streamed response unread leaves its transaction open; the
            # next test must not wait on it for ever.
            superuser = connection.execute(
                text(
                    "SELECT current_setting('is_superuser') = 'on',"
                    " (SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    "  WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    "  AND state LIKE 'idle in transaction%')"
                )
            ).first()[0]
            # One round trip empties every table (children first) and restarts every sequence
            # as a new database would have it. With foreign-key triggers off for this
            # transaction (a superuser may; a test database is ours to wipe), a DELETE of an
            # empty table costs next to nothing: far less than a TRUNCATE (new files for each
            # table) or than finding the written tables first.
            statements = [
                *(["SET LOCAL session_replication_role = replica"] if superuser else []),
                *(f'DELETE FROM "{name}"' for name in tables),
                "SELECT setval(c.oid, 1, false) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind = 'S' AND n.nspname = current_schema()",
            ]
            connection.exec_driver_sql("; ".join(statements))
        else:
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture(scope="session")
def shared_app(database_url, tmp_path_factory):
    """One app per worker: building one (its URL map above all) costs a third of a second, so
    the tests share it and each starts from its settings and empty tables (see `app`)."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "FILES_DIR": str(tmp_path_factory.mktemp("files")),
            "WTF_CSRF_ENABLED": False,
        }
    )
    yield app
    app.extensions["engine"].dispose()


@pytest.fixture
def app(shared_app, tmp_path):
    """The worker's app as new: its settings as created, a files folder of the test's own,
    nothing kept from an earlier test; the tables are emptied after each test."""
    app = shared_app
    settings = dict(app.config)
    extensions = set(app.extensions)
    app.config["FILES_DIR"] = str(tmp_path / "files")
    app.extensions.pop("standing", None)  # figures kept per process
    yield app
    engine = app.extensions["engine"]
    _clear(engine)
    engine.dispose()
    app.config.clear()
    app.config.update(settings)
    for name in set(app.extensions) - extensions:
        del app.extensions[name]
    app.extensions.pop("standing", None)


@pytest.fixture
def make(app) -> Factory:
    """Factories that commit real rows (see tests/factories.py)."""
    return Factory(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve the test app on a free port in a thread (for a browser, or schemathesis's engine)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll lets shutdown() return at once rather than after half a second.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture
def login(app):
    """Return a test client logged in as the given user."""

    def login_as(user, password: str = "password123"):
        client = app.test_client()
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return login_as


@pytest.fixture
def world(make):
    """A park with two enterprises and a user of every role, plus one of each enterprise."""
    return make.world()


@pytest.fixture
def photo_bytes():
    """Make real image bytes: photo_bytes('JPEG', size=(w, h), exif_orientation=6)."""
    from tests.factories import image_bytes

    return image_bytes


@pytest.fixture
def files_dir(app) -> Path:
    return Path(app.config["FILES_DIR"])
