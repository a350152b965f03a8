"""`flask create-admin`: an administrator account of a park or of a region's bureau."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlmodel import select

from inspection.auth.models import Role
from inspection.auth.services import create_user
from inspection.db import get_session
from inspection.errors import DomainError
from inspection.parks.models import Park
from inspection.parks.models import Region


@click.command("create-admin")
@click.argument("username")
@click.option("--park", "park_name", help="The park the administrator works in.")
@click.option("--region", "region_name", help="Or the region: its bureau administers every park.")
@click.password_option()
@with_appcontext
def create_admin(
    username: str, park_name: str | None, region_name: str | None, password: str
) -> None:
    """Create an administrator account. Without --park or --region: the region's bureau when
    there is exactly one region, else the only park."""
    db = get_session()
    park_id = region_id = None
    if park_name:
        park = db.exec(select(Park).where(Park.name == park_name)).first()
        if park is None:
            raise click.ClickException(f"There is no park {park_name}.")
        park_id = park.id
    elif region_name:
        region = db.exec(select(Region).where(Region.name == region_name)).first()
        if region is None:
            raise click.ClickException(f"There is no region {region_name}.")
        region_id = region.id
    else:
        regions, parks = db.exec(select(Region)).all(), db.exec(select(Park)).all()
        if len(regions) == 1:
            region_id = regions[0].id
        elif not regions and len(parks) == 1:
            park_id = parks[0].id
        else:
            raise click.ClickException(
                "Say where the administrator works: --park NAME or --region NAME"
                " (set them up first with `flask setup-region` and `flask setup-park`)."
            )
    try:
        create_user(
            db,
            username=username,
            display_name=username,
            password=password,
            role=Role.ADMIN,
            park_id=park_id,
            region_id=region_id,
            via="cli",
        )
    except DomainError as refused:
        raise click.ClickException(refused.message) from refused
    db.commit()
    click.echo(f"Administrator {username} created.")
