"""`flask create-admin`: the first administrator account."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from inspection.auth.models import Role
from inspection.auth.services import create_user
from inspection.db import get_session
from inspection.errors import DomainError


@click.command("create-admin")
@click.argument("username")
@click.password_option()
@with_appcontext
def create_admin(username: str, password: str) -> None:
    """Create an administrator account."""
    db = get_session()
    try:
        create_user(
            db, username=username, display_name=username, password=password, role=Role.ADMIN
        )
    except DomainError as refused:
        raise click.ClickException(refused.message) from refused
    db.commit()
    click.echo(f"Administrator {username} created.")
