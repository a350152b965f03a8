"""`flask stats`: rebuild or check the tallies behind the supervision figures."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from inspection.db import get_session
from inspection.statistics.tally import differences
from inspection.statistics.tally import rebuild

stats = AppGroup("stats", help="The summary tallies behind the supervision figures.")


@stats.command("rebuild")
def stats_rebuild() -> None:
    """Recompute the tallies from the hazards (e.g. after restoring a backup)."""
    session = get_session()
    cells = rebuild(session)
    session.commit()
    click.echo(f"{cells} tally cells rebuilt.")


@stats.command("verify")
def stats_verify() -> None:
    """Check the tallies against the hazards and name every cell that disagrees."""
    problems = differences(get_session())
    if not problems:
        click.echo("The tallies agree with the hazards.")
        return
    for problem in problems[:50]:
        click.echo(problem, err=True)
    raise SystemExit(1)
