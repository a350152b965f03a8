"""The hazard list with its filters, exports and bulk actions, and the major-hazard register."""

from __future__ import annotations

from flask import Response
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import stream_with_context
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspection import clock
from inspection import labels
from inspection.auth.models import User
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import is_enterprise_user
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.db import get_session
from inspection.downloads import content_disposition
from inspection.enterprises import queries as enterprise_queries
from inspection.enterprises.models import INDUSTRY_SECTORS
from inspection.hazards import bulk
from inspection.hazards import export
from inspection.hazards import queries
from inspection.hazards.forms import BulkForm
from inspection.hazards.views import bp
from inspection.hazards.views.detail import inspector_choices
from inspection.inspections.queries import inspector_names
from inspection.pagination import parse_page
from inspection.security import services as security
from inspection.security.models import EventKind


@bp.get("/hazards/")
@require(Permission.VIEW_HAZARDS)
def index():
    """The hazard list with filters, pagination and bulk actions."""
    db = get_session()
    filters = queries.HazardFilters.from_args(request.args)
    page = queries.list_hazards(
        db,
        current_user,
        filters,
        page=parse_page(request.args.get("page")),
        per_page=current_app.config["PAGE_SIZE"],
    )
    enterprise = None
    if filters.enterprise_id is not None:
        enterprise = enterprise_queries.get_enterprise(db, current_user, filters.enterprise_id)
    zones, inspectors = [], []
    if not is_enterprise_user(current_user):
        zones = enterprise_queries.zones_in(db, request_scope(current_user))
        inspectors = inspector_names(db, request_scope(current_user))
    # Ticking hazards and the bulk form come when asked for (?bulk=1): the everyday list stays
    # light, and a tablet user does not tick boxes by accident.
    can_act_in_bulk = has_permission(current_user, Permission.BULK_ACTIONS)
    bulk_form = None
    if can_act_in_bulk and request.args.get("bulk") == "1":
        bulk_form = BulkForm(formdata=None)
        inspector_choices(bulk_form, inspectors)
    return render_template(
        "hazards/index.html",
        page=page,
        filters=filters,
        industries=list(INDUSTRY_SECTORS),
        inspectors=inspectors,
        enterprise=enterprise,
        zones=zones,
        bulk_form=bulk_form,
        can_act_in_bulk=can_act_in_bulk,
        today=clock.today(),
        labels=labels,
    )


@bp.get("/hazards/export.<any(csv, xlsx):fmt>")
@require(Permission.VIEW_HAZARDS)
def export_list(fmt: str):
    """The filtered list as the hazard ledger, in CSV or Excel, streamed."""
    filters = queries.HazardFilters.from_args(request.args)
    db = get_session()
    security.record_download(
        db,
        actor=current_user,
        what="hazard_ledger",
        kind=EventKind.EXPORT,
        park_id=request_scope(current_user).park_id,
        format=fmt,
        filters={k: v for k, v in request.args.items() if v},
    )
    db.commit()
    rows = export.rows_for(queries.ledger_statement(current_user, filters))
    name = f"{export.file_title(filters)}.{fmt}"
    if fmt == "csv":
        body, mimetype = export.csv_lines(rows), "text/csv; charset=utf-8"
    else:
        body = export.xlsx_chunks(rows, title=_("Hazard ledger"))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        stream_with_context(body),
        mimetype=mimetype,
        headers={"Content-Disposition": content_disposition(name)},
    )


@bp.post("/hazards/bulk")
@require(Permission.BULK_ACTIONS)
def bulk_action():
    """One action on the ticked hazards, or on all that match the list's filters."""
    db = get_session()
    form = BulkForm()
    inspector_choices(form)
    if not form.validate():
        flash(_("Choose an action."), "error")
        return redirect(url_for("hazards.index", **request.args))
    filters = queries.HazardFilters.from_args(request.args)
    if form.scope.data == "all":
        rows = queries.filtered(db, current_user, filters)
    else:
        ids = [int(i) for i in request.form.getlist("hazard") if i.isdigit() and len(i) < 10]
        rows = queries.filtered(db, current_user, None, ids=ids)
    if not rows:
        flash(_("No hazards were chosen. Tick some, or choose all that match."), "error")
        return redirect(url_for("hazards.index", **request.args))
    if form.action.data == "export":
        body = "".join(export.csv_lines(rows))  # before the commit expires the rows
        security.record_download(
            db,
            actor=current_user,
            what="hazard_ledger",
            kind=EventKind.EXPORT,
            park_id=request_scope(current_user).park_id,
            format="csv",
            hazards=len(rows),
            filters=dict(request.args) if form.scope.data == "all" else None,
        )
        db.commit()
        return Response(
            body,
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": content_disposition(export.file_title(None) + ".csv")},
        )
    inspector = db.get(User, form.inspector_id.data) if form.inspector_id.data else None
    report = bulk.run(
        db,
        hazards=[hazard for hazard, _name in rows],
        actor=current_user,
        action=form.action.data,
        inspector=inspector,
        new_deadline=form.new_deadline.data,
        reason=form.reason.data,
    )
    db.commit()
    return render_template(
        "hazards/bulk_report.html",
        report=report,
        labels=labels,
        back=url_for("hazards.index", **request.args),
    )


@bp.get("/major-hazards")
@require(Permission.VIEW_DASHBOARD)
def major_register():
    """The register of major hazards and their state (重大事故隐患台账)."""
    rows = queries.major_register(get_session(), open_only=request.args.get("open") == "1")
    return render_template(
        "hazards/major_register.html",
        rows=rows,
        today=clock.today(),
        open_only=request.args.get("open") == "1",
        labels=labels,
    )
