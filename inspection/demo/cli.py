"""`flask demo`: load the demo park, print its logins."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlmodel import select

from inspection.auth.models import User
from inspection.db import get_session
from inspection.demo.build import load
from inspection.demo.data import logins_text

demo = AppGroup("demo", help="Demo data.")


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users.")
def demo_load(if_empty: bool) -> None:
    """Fill the database with a fictional park that looks lived in."""
    db = get_session()
    if db.exec(select(User)).first() is not None:
        if if_empty:
            click.echo("The database already has data; demo data not loaded.")
            return
        raise click.ClickException("The database is not empty; demo data needs an empty one.")
    summary = load(db)
    db.commit()
    click.echo(summary)


@demo.command("logins")
def demo_logins() -> None:
    """Print the demo accounts."""
    click.echo(logins_text())
