"""`flask audit`: check the hash chain of every hazard's history."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from inspection.db import get_session
from inspection.hazards.audit import verify_chain

audit = AppGroup("audit", help="The audit trail.")


@audit.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain of every hazard's history and name any altered event."""
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
