"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel
from sqlmodel import select

from inspection import create_app
from inspection.migrate import migration_connection
from inspection.migrate import upgrade_database


def test_migrations_match_the_models(new_database, tmp_path):
    app = create_app(
        {"DATABASE_URL": new_database(), "SECRET_KEY": "x", "FILES_DIR": str(tmp_path)}
    )
    engine = app.extensions["engine"]
    upgrade_database(app)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == [], (
        "The models and the migrations disagree; add a migration with"
        " `make migration m='what changed'`:\n" + "\n".join(map(str, differences))
    )


def test_upgrading_twice_is_harmless(new_database, tmp_path):
    app = create_app(
        {"DATABASE_URL": new_database(), "SECRET_KEY": "x", "FILES_DIR": str(tmp_path)}
    )
    upgrade_database(app)
    upgrade_database(app)
    app.extensions["engine"].dispose()


def test_ddl_is_rolled_back_with_its_transaction(new_database, tmp_path):
    """A migration that fails half-way leaves nothing behind, on SQLite too."""
    from sqlalchemy import inspect
    from sqlalchemy import text

    app = create_app(
        {"DATABASE_URL": new_database(), "SECRET_KEY": "x", "FILES_DIR": str(tmp_path)}
    )
    engine = app.extensions["engine"]
    upgrade_database(app, "base")
    with pytest.raises(RuntimeError, match="half-way"), migration_connection(app) as connection:
        connection.execute(text("CREATE TABLE half_done (id INTEGER PRIMARY KEY)"))
        connection.execute(text("CREATE INDEX ix_half_done ON half_done (id)"))
        raise RuntimeError("the migration failed half-way")
    assert not inspect(engine).has_table("half_done")
    # The same connection, back in the pool, is an ordinary one again: foreign keys on.
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_the_tallies_migration_counts_the_hazards_already_there(new_database, tmp_path):
    from datetime import timedelta

    from inspection import clock
    from inspection.db import get_session
    from inspection.statistics import tally
    from inspection.statistics.models import HazardTally
    from tests.factories import Factory

    app = create_app(
        {"DATABASE_URL": new_database(), "SECRET_KEY": "x", "FILES_DIR": str(tmp_path)}
    )
    upgrade_database(app)
    make = Factory(app)
    world = make.world()
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector, deadline=clock.today() + timedelta(days=5))
    make.hazard(inspection, world.inspector, level="major", basis="第十一条")
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    # Back to before the tallies existed, and up again: the migration counts what is there.
    from inspection.migrate import downgrade_database

    downgrade_database(app, "4778e9345bac")
    upgrade_database(app)
    with app.app_context():
        session = get_session()
        assert tally.differences(session) == []
        park = session.exec(select(HazardTally).where(HazardTally.dimension == "park")).all()
    assert sum(cell.found for cell in park) == 2
    app.extensions["engine"].dispose()


def _down_and_up(new_database, tmp_path, before: str, tables: tuple[str, ...]) -> None:
    """A migration removes its tables on the way down (to `before`) and makes them again."""
    from sqlalchemy import inspect

    from inspection.migrate import downgrade_database

    app = create_app(
        {"DATABASE_URL": new_database(), "SECRET_KEY": "x", "FILES_DIR": str(tmp_path)}
    )
    engine = app.extensions["engine"]
    upgrade_database(app)
    assert all(inspect(engine).has_table(t) for t in tables)
    downgrade_database(app, before)
    engine.dispose()
    assert not any(inspect(engine).has_table(t) for t in tables)
    upgrade_database(app)
    engine.dispose()
    assert all(inspect(engine).has_table(t) for t in tables)
    engine.dispose()


def test_the_draw_tables_go_down_and_up_again(new_database, tmp_path):
    tables = ("draw_item", "officer", "draw_task", "draw_result", "credit_class", "witness")
    _down_and_up(new_database, tmp_path, "c4e8a1f30b57", tables)


def test_the_programme_migration_goes_down_and_up_again(new_database, tmp_path):
    tables = ("assigned_case", "case_event", "enterprise_listing", "park_project")
    _down_and_up(new_database, tmp_path, "2e5b09685092", tables)
