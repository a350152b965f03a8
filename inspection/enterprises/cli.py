"""`flask setup-park`: the park this deployment serves."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlmodel import select

from inspection.db import get_session
from inspection.parks.models import Park


@click.command("setup-park")
@click.option("--name", required=True, help="The park's name, e.g. 青溪经济开发区.")
@click.option("--notice-prefix", required=True, help="Printed in notice numbers.")
@with_appcontext
def setup_park(name: str, notice_prefix: str) -> None:
    """Create the park this deployment serves (once)."""
    db = get_session()
    if db.exec(select(Park)).first() is not None:
        raise click.ClickException("A park is already set up.")
    db.add(Park(name=name, notice_prefix=notice_prefix))
    db.commit()
    click.echo(f"Park {name} created.")
