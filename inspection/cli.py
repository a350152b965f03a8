"""The `flask` commands. Each feature keeps its commands in its own cli.py; this registers them."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every feature's commands."""
    from inspection.checklists.cli import checklists
    from inspection.demo.cli import demo
    from inspection.draws.cli import draws
    from inspection.hazards.cli import audit
    from inspection.migrate import db
    from inspection.parks.cli import setup_park
    from inspection.parks.cli import setup_region
    from inspection.security.cli import security
    from inspection.statistics.cli import stats
    from inspection.storage.cli import storage_group
    from inspection.users.cli import create_admin

    for command in (
        db,
        setup_region,
        setup_park,
        create_admin,
        demo,
        checklists,
        audit,
        stats,
        storage_group,
        draws,
        security,
    ):
        app.cli.add_command(command)
