"""`flask setup-region`, `flask setup-park`: the region a deployment serves and its parks."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlmodel import select

from inspection.db import get_session
from inspection.parks.models import Park
from inspection.parks.models import Region


@click.command("setup-region")
@click.option("--name", required=True, help="The county or city, e.g. 青溪县.")
@click.option("--authority", help="The bureau that heads its documents, e.g. 青溪县应急管理局.")
@with_appcontext
def setup_region(name: str, authority: str | None) -> None:
    """Create the region (a county or city) whose bureau supervises several parks."""
    db = get_session()
    if db.exec(select(Region).where(Region.name == name)).first() is not None:
        raise click.ClickException(f"The region {name} is already set up.")
    db.add(Region(name=name, authority=authority))
    db.commit()
    click.echo(f"Region {name} created.")


@click.command("setup-park")
@click.option("--name", required=True, help="The park's name, e.g. 青溪经济开发区.")
@click.option("--notice-prefix", required=True, help="Printed in notice numbers.")
@click.option("--short-name", help="A short name for lists and charts, e.g. 青溪经开区.")
@click.option(
    "--authority", help="The committee that heads its documents (default: 名称+管理委员会)."
)
@click.option("--region", "region_name", help="The region the park belongs to (see setup-region).")
@with_appcontext
def setup_park(
    name: str,
    notice_prefix: str,
    short_name: str | None,
    authority: str | None,
    region_name: str | None,
) -> None:
    """Create a park (one of a region's, or a deployment's only one)."""
    db = get_session()
    if db.exec(select(Park).where(Park.name == name)).first() is not None:
        raise click.ClickException(f"The park {name} is already set up.")
    region = None
    if region_name:
        region = db.exec(select(Region).where(Region.name == region_name)).first()
        if region is None:
            raise click.ClickException(
                f"There is no region {region_name}: create it with `flask setup-region` first."
            )
    db.add(
        Park(
            name=name,
            notice_prefix=notice_prefix,
            short_name=short_name,
            authority=authority or f"{name}管理委员会",
            region_id=region.id if region else None,
        )
    )
    db.commit()
    click.echo(f"Park {name} created" + (f" in {region.name}." if region else "."))
