"""`flask security archive`: move security log entries past the retention period to files."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from inspection.db import get_session
from inspection.security.integrity import archive_old

security = AppGroup("security", help="The security log.")


@security.command("archive")
def archive() -> None:
    """Archive the entries older than the retention period (at least 180 days)."""
    session = get_session()
    done = archive_old(session)
    session.commit()
    click.echo(f"{done.events} entries archived in {len(done.files)} files.")
    for chain in done.skipped:
        click.echo(f"{chain}: not archived, its old entries do not verify", err=True)
    if done.skipped:
        raise SystemExit(1)
