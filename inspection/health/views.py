"""/healthz: the database and the storage (and, when asked, the scheduler's heartbeat)."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import request

from inspection.db import get_session
from inspection.health import queries

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def health():
    """200 when everything checked answers, 503 naming what does not; never cached."""
    session = get_session()
    checks = {"database": queries.database(session), "storage": queries.files()}
    if request.args.get("scheduler"):
        stale = int(current_app.config["HEARTBEAT_STALE_SECONDS"])
        checks["scheduler"] = queries.scheduler(session, stale)
    ok = all(check.ok for check in checks.values())
    body = {
        "status": "ok" if ok else "failing",
        "checks": {name: {"ok": c.ok, "detail": c.detail} for name, c in checks.items()},
    }
    return body, 200 if ok else 503, {"Cache-Control": "no-store"}
