"""`flask draws verify TASK`: re-derive a draw from its stored record."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from inspection.db import get_session
from inspection.draws.drawing import record
from inspection.draws.models import DrawTask
from inspection.draws.verify_draw import verify

draws = AppGroup("draws", help="双随机 draws.")


@draws.command("verify")
@click.argument("task_id", type=int)
def verify_command(task_id: int) -> None:
    """Re-derive the draw of task TASK_ID from its stored record; exit 1 where it differs."""
    task = get_session().get(DrawTask, task_id)
    if task is None or task.seed is None:
        raise click.ClickException(f"Task {task_id} has no draw.")
    problems = verify(record(get_session(), task))
    if problems:
        click.echo("不一致 (inconsistent):")
        for problem in problems:
            click.echo(f"- {problem}")
        raise SystemExit(1)
    click.echo(f"一致 (consistent): {task.name} {task.seed}")
