"""Command-line tasks: migrate the database, set up the park, load demo data, verify the audit."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click
from flask import Flask
from flask import current_app
from sqlmodel import select

from inspection.db import get_session

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


def init_app(app: Flask) -> None:
    """Register the commands."""

    @app.cli.group("db")
    def db_group() -> None:
        """Database schema commands."""

    @db_group.command("upgrade")
    @click.argument("revision", default="head")
    def db_upgrade(revision: str) -> None:
        """Apply the migrations up to REVISION (default: the latest)."""
        upgrade_database(current_app, revision)
        click.echo(f"Database is at {revision}.")

    @app.cli.command("setup-park")
    @click.option("--name", required=True, help="The park's name, e.g. 青溪经济开发区.")
    @click.option("--notice-prefix", required=True, help="Printed in notice numbers.")
    def setup_park(name: str, notice_prefix: str) -> None:
        """Create the park this deployment serves (once)."""
        from inspection.enterprises.models import Park

        db = get_session()
        if db.exec(select(Park)).first() is not None:
            raise click.ClickException("A park is already set up.")
        db.add(Park(name=name, notice_prefix=notice_prefix))
        db.commit()
        click.echo(f"Park {name} created.")

    @app.cli.command("create-admin")
    @click.argument("username")
    @click.password_option()
    def create_admin(username: str, password: str) -> None:
        """Create an administrator account."""
        from inspection.auth.models import Role
        from inspection.auth.services import create_user
        from inspection.errors import DomainError

        db = get_session()
        try:
            create_user(
                db, username=username, display_name=username, password=password, role=Role.ADMIN
            )
        except DomainError as refused:
            raise click.ClickException(refused.message) from refused
        db.commit()
        click.echo(f"Administrator {username} created.")

    @app.cli.group("demo")
    def demo_group() -> None:
        """Demo data."""

    @demo_group.command("load")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database has users.")
    def demo_load(if_empty: bool) -> None:
        """Fill the database with a fictional park that looks lived in."""
        from inspection import demo
        from inspection.auth.models import User

        db = get_session()
        if db.exec(select(User)).first() is not None:
            if if_empty:
                click.echo("The database already has data; demo data not loaded.")
                return
            raise click.ClickException("The database is not empty; demo data needs an empty one.")
        summary = demo.load(db)
        db.commit()
        click.echo(summary)

    @demo_group.command("logins")
    def demo_logins() -> None:
        """Print the demo accounts."""
        from inspection import demo

        click.echo(demo.logins_text())

    @app.cli.group("checklists")
    def checklists_group() -> None:
        """The checklist library."""

    @checklists_group.command("load-library")
    def checklists_load_library() -> None:
        """Load every file in checklists/; files already loaded change nothing."""
        from inspection.checklists.services import load_library

        db = get_session()
        report = load_library(db)
        if report.problems:
            for problem in report.problems:
                click.echo(str(problem), err=True)
            raise SystemExit(1)
        db.commit()
        for name, result in report.results:
            state = f"loaded as version {result.version}" if result.created else "unchanged"
            click.echo(f"{name}: {result.code} {state}")

    @checklists_group.command("unverified")
    def checklists_unverified() -> None:
        """Count the items whose wording is not yet checked against the official text."""
        from inspection.checklists.services import library_status

        statuses = library_status()
        for status in statuses:
            retired = " (retired edition)" if status.retired else ""
            click.echo(
                f"{status.name}: {status.unverified} of {status.items} items unverified{retired}"
            )
        current = [status for status in statuses if not status.retired]
        click.echo(
            f"current checklists: {sum(s.unverified for s in current)} of"
            f" {sum(s.items for s in current)} items unverified"
        )

    @checklists_group.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def checklists_import(path: Path) -> None:
        """Check one checklist file and import it as a new published version."""
        from inspection.checklists import loader
        from inspection.checklists.services import import_definition

        try:
            definition = loader.parse_file(path)
        except loader.InvalidChecklist as invalid:
            for problem in invalid.problems:
                click.echo(str(problem), err=True)
            click.echo(f"Nothing was imported from {path.name}.", err=True)
            raise SystemExit(1) from invalid
        db = get_session()
        result = import_definition(db, definition)
        db.commit()
        state = f"imported as version {result.version}" if result.created else "unchanged"
        click.echo(f"{result.code} {state}")

    @checklists_group.command("export")
    @click.argument("code")
    @click.option("--version", "number", type=int, help="Version number (default: latest).")
    def checklists_export(code: str, number: int | None) -> None:
        """Write a checklist version in the file format to standard output."""
        from inspection.checklists.models import ChecklistTemplate
        from inspection.checklists.models import ChecklistVersion
        from inspection.checklists.services import export_yaml
        from inspection.checklists.services import latest_published

        db = get_session()
        template = db.exec(select(ChecklistTemplate).where(ChecklistTemplate.code == code)).first()
        if template is None:
            raise click.ClickException(f"No checklist has the code {code}.")
        if number is None:
            version = latest_published(db, template.id)
        else:
            version = db.exec(
                select(ChecklistVersion).where(
                    ChecklistVersion.template_id == template.id, ChecklistVersion.number == number
                )
            ).first()
        if version is None:
            raise click.ClickException("That version does not exist.")
        click.echo(export_yaml(db, version), nl=False)

    @app.cli.group("audit")
    def audit_group() -> None:
        """The audit trail."""

    @audit_group.command("verify")
    def audit_verify() -> None:
        """Recompute the hash chain of every hazard's history and name any altered event."""
        from inspection.hazards.audit import verify_chain

        problems = verify_chain(get_session())
        if not problems:
            click.echo("The audit trail is intact.")
            return
        for problem in problems:
            click.echo(
                f"event {problem.event_id} (hazard {problem.hazard_id}, step {problem.seq}):"
                f" {problem.reason}",
                err=True,
            )
        raise SystemExit(1)

    @app.cli.group("stats")
    def stats_group() -> None:
        """The summary tallies behind the supervision figures."""

    @stats_group.command("rebuild")
    def stats_rebuild() -> None:
        """Recompute the tallies from the hazards (e.g. after restoring a backup)."""
        from inspection.statistics.tally import rebuild

        session = get_session()
        cells = rebuild(session)
        session.commit()
        click.echo(f"{cells} tally cells rebuilt.")

    @stats_group.command("verify")
    def stats_verify() -> None:
        """Check the tallies against the hazards and name every cell that disagrees."""
        from inspection.statistics.tally import differences

        problems = differences(get_session())
        if not problems:
            click.echo("The tallies agree with the hazards.")
            return
        for problem in problems[:50]:
            click.echo(problem, err=True)
        raise SystemExit(1)
