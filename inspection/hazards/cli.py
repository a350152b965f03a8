"""`flask audit`: check the hash chains of every hazard's and every assigned case's history and
of the security log."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from inspection.assignments.services import verify_history as verify_case_histories
from inspection.db import get_session
from inspection.hazards.audit import verify_chain
from inspection.security.integrity import verify_log

audit = AppGroup("audit", help="The audit trails.")


@audit.command("verify")
def audit_verify() -> None:
    """Recompute the hash chains of every hazard's and assigned case's history and of the
    security log, and name any altered, missing or inserted record."""
    session = get_session()
    problems = verify_chain(session)
    for problem in problems:
        click.echo(
            f"event {problem.record_id} (hazard {problem.chain}, step {problem.seq}):"
            f" {problem.reason}",
            err=True,
        )
    case_problems = verify_case_histories(session)
    for problem in case_problems:
        click.echo(
            f"case event {problem.record_id} (assigned case {problem.chain}, step {problem.seq}):"
            f" {problem.reason}",
            err=True,
        )
    log_problems = verify_log(session, archive_dir=Path(current_app.config["SECURITY_ARCHIVE_DIR"]))
    for problem in log_problems:
        click.echo(
            f"security log entry {problem.record_id} ({problem.chain}, step {problem.seq}):"
            f" {problem.reason}",
            err=True,
        )
    if problems or case_problems or log_problems:
        raise SystemExit(1)
    click.echo("The audit trails and the security log are intact.")
