"""一公开: the public page of a task, its draw record and the verifier; no login needed."""

from __future__ import annotations

from pathlib import Path

from flask import Response
from flask import abort
from flask import render_template

from inspection.db import get_session
from inspection.draws import drawing
from inspection.draws import pool
from inspection.draws import queries
from inspection.draws import results as result_services
from inspection.draws.views import bp
from inspection.draws.views.tasks import _csv
from inspection.draws.views.tasks import record_json
from inspection.parks.models import Park

# tools/verify_draw.py at the repository root is the file; the package holds a symlink to it,
# which a wheel (a plain install) turns into a copy. Served byte for byte.
VERIFIER = Path(__file__).parent.parent / "verify_draw.py"


def _public_task(task_id: int):
    return queries.public_task(get_session(), task_id) or abort(404)


@bp.get("/public/draws/<id:task_id>")
def public_task(task_id: int):
    """The task's public page: items, pool size and quotas, hash and seed inputs, the drawn
    enterprises with their officers, the adjustments and the published results."""
    db = get_session()
    task = _public_task(task_id)
    record = drawing.record(db, task)
    teams = queries.teams(db, task)
    drawn = [
        (found, enterprise, teams.get(enterprise.id, []))
        for found, enterprise in queries.results(db, drawing.pool_scope(task), task)
    ]
    return render_template(
        "draws/public.html",
        task=task,
        park=db.get(Park, task.park_id),
        items=queries.task_items(db, task),
        document=pool.document(task),
        record=record,
        drawn=drawn,
        codes=result_services.RESULT_CODES,
    )


@bp.get("/public/draws/<id:task_id>/record.json")
def public_record(task_id: int):
    """The published draw record, as the verifier takes it."""
    return record_json(drawing.record(get_session(), _public_task(task_id)))


@bp.get("/public/draws/<id:task_id>/results.csv")
def public_results(task_id: int):
    """The task's published results as CSV."""
    db = get_session()
    task = _public_task(task_id)
    return _csv(task, queries.published_results(db, task))


@bp.get("/public/draws/verify_draw.py")
def verifier():
    """The verifier: one standard-library Python file that re-derives a draw from its record."""
    return Response(
        VERIFIER.read_bytes(),
        mimetype="text/x-python",
        headers={"Content-Disposition": "attachment; filename=verify_draw.py"},
    )
