"""The national 双重预防 export: a period's hazards as the interface's JSON and as an Excel
sheet headed by its column names. Park staff only; an enterprise's users get nothing of it."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request
from flask import stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from inspection import clock
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.db import get_session
from inspection.downloads import content_disposition
from inspection.downloads import file_name
from inspection.national import periods
from inspection.national import queries
from inspection.national import services
from inspection.national.workbook import xlsx_bytes
from inspection.security import services as security
from inspection.security.models import EventKind
from inspection.storage import storage
from inspection.storage.content import content_key

bp = Blueprint("national", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(period_text: str, *, error: str | None = None, status: int = 200, **context):
    return render_template(
        "national/index.html",
        period=period_text,
        error=error,
        choices=periods.choices(clock.today()),
        **context,
    ), status


@bp.get("/national-export")
@require(Permission.VIEW_DASHBOARD)
def index():
    """Choose a period; see how many hazards it holds and which lack a required field."""
    # Opened without a period, the page shows this year's (what a filing is usually about).
    text = (request.args.get("period") or "").strip() or str(clock.today().year)
    try:
        period = periods.parse(text, clock.today())
    except periods.BadPeriod as bad:
        return _page(text, error=str(bad), status=400)
    facts = queries.hazards_of(get_session(), current_user, period)
    incomplete = services.incomplete((f.hazard.number, services.record(f)) for f in facts)
    return _page(
        period.code,
        chosen=period,
        count=len(facts),
        incomplete=incomplete,
        required=services.required_fields(),
    )


def _download(fmt: str):
    """The period's facts for a download, and the download logged; or the page with the
    period's problem."""
    text = (request.args.get("period") or "").strip()
    try:
        period = periods.parse(text, clock.today())
    except periods.BadPeriod as bad:
        return None, None, _page(text, error=str(bad), status=400)
    db = get_session()
    facts = queries.hazards_of(db, current_user, period)
    security.record_download(
        db,
        actor=current_user,
        what="national_hazard_export",
        kind=EventKind.EXPORT,
        park_id=request_scope(current_user).park_id,
        format=fmt,
        filters={"period": period.code},
    )
    db.commit()
    title = _("National hazard records")
    name = file_name(f"{title}-{period.code}") + f".{fmt}"
    return facts, name, None


@bp.get("/national-export/hazards.json")
@require(Permission.VIEW_DASHBOARD)
def download_json():
    """The interface's JSON: an array of 隐患信息 records with their photos, streamed."""
    facts, name, refused = _download("json")
    if refused is not None:
        return refused
    store = storage()

    def read(sha256: str) -> bytes:
        return store.get(content_key(sha256))

    return Response(
        stream_with_context(services.json_chunks(facts, read)),
        mimetype="application/json",
        headers={"Content-Disposition": content_disposition(name)},
    )


@bp.get("/national-export/hazards.xlsx")
@require(Permission.VIEW_DASHBOARD)
def download_xlsx():
    """The same records as an Excel sheet with the interface's column names."""
    facts, name, refused = _download("xlsx")
    if refused is not None:
        return refused
    return Response(
        xlsx_bytes(services.record(f) for f in facts),
        mimetype=XLSX,
        headers={"Content-Disposition": content_disposition(name)},
    )
