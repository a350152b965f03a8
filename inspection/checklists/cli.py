"""`flask checklists`: load the standard library, count unverified items, import a file, export
a version."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlmodel import select

from inspection.checklists import fileformat
from inspection.checklists import loader
from inspection.checklists.library import export_yaml
from inspection.checklists.library import import_definition
from inspection.checklists.library import library_status
from inspection.checklists.library import load_library
from inspection.checklists.models import ChecklistVersion
from inspection.checklists.queries import latest_published
from inspection.checklists.queries import library_template
from inspection.db import get_session

checklists = AppGroup("checklists", help="The checklist library.")


@checklists.command("load-library")
def checklists_load_library() -> None:
    """Load every file in checklists/; files already loaded change nothing."""
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


@checklists.command("unverified")
def checklists_unverified() -> None:
    """Count the items whose wording is not yet checked against the official text."""
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


@checklists.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def checklists_import(path: Path) -> None:
    """Check one checklist file and import it as a new published version."""
    try:
        definition = loader.parse_file(path)
    except fileformat.InvalidChecklist as invalid:
        for problem in invalid.problems:
            click.echo(str(problem), err=True)
        click.echo(f"Nothing was imported from {path.name}.", err=True)
        raise SystemExit(1) from invalid
    db = get_session()
    result = import_definition(db, definition)
    db.commit()
    state = f"imported as version {result.version}" if result.created else "unchanged"
    click.echo(f"{result.code} {state}")


@checklists.command("export")
@click.argument("code")
@click.option("--version", "number", type=int, help="Version number (default: latest).")
def checklists_export(code: str, number: int | None) -> None:
    """Write a checklist version in the file format to standard output."""
    db = get_session()
    template = library_template(db, code)
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
