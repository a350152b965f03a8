"""`flask storage migrate` and `flask storage verify`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from inspection.db import get_session
from inspection.storage import storage
from inspection.storage.local import LocalStorage
from inspection.storage.transfer import migrate
from inspection.storage.transfer import verify

storage_group = AppGroup("storage", help="Where files are kept: moving them, checking them.")


@storage_group.command("migrate")
@click.option(
    "--from",
    "source",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The folder to move files from (default: INSPECTION_FILES_DIR).",
)
@click.option("--delete", is_flag=True, help="Remove each local file once its copy is checked.")
def migrate_command(source: Path | None, delete: bool) -> None:
    """Copy every file from the local folder into the configured storage (the bucket), read
    each copy back and compare its SHA-256; print the hash of every file."""
    folder = LocalStorage(source or current_app.config["FILES_DIR"])
    target = storage()
    if isinstance(target, LocalStorage) and target.root.resolve() == folder.root.resolve():
        raise click.ClickException(
            "The files are already in the configured storage. Set INSPECTION_STORAGE=s3 and the"
            " INSPECTION_S3_* settings to move them to a bucket."
        )
    if not folder.root.is_dir():
        raise click.ClickException(f"There is no folder {folder.root} to move files from.")
    counts = {"copied": 0, "already there": 0, "damaged in transit": 0}
    size = 0
    for moved in migrate(folder, target, delete=delete):
        counts[moved.outcome] += 1
        size += moved.size
        line = f"{moved.sha256}  {moved.size:>10}  {moved.key}  {moved.outcome}"
        click.echo(line, err=moved.outcome == "damaged in transit")
    click.echo(
        f"{counts['copied']} copied, {counts['already there']} already there,"
        f" {counts['damaged in transit']} damaged in transit; {size} bytes."
    )
    if counts["damaged in transit"]:
        raise SystemExit(1)


@storage_group.command("verify")
def verify_command() -> None:
    """Check every stored original against its hash and that every file the database names
    is stored; name each one that is missing or corrupted."""
    read, problems = verify(get_session(), storage())
    for problem in problems:
        click.echo(f"{problem.key}: {problem.what}", err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) among {read} originals read.")
        raise SystemExit(1)
    click.echo(f"All files are sound: {read} originals read, every file the database names found.")
