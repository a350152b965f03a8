"""The inspector's start page and the list of every inspection."""

from __future__ import annotations

from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from inspection import clock
from inspection import labels
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.db import get_session
from inspection.inspections import queries
from inspection.inspections.views import bp
from inspection.pagination import parse_page


@bp.get("/inspections/")
@require(Permission.VIEW_INSPECTIONS)
def index():
    """The inspector's start page: today's inspections and those still open."""
    if not has_permission(current_user, Permission.INSPECT):
        return redirect(url_for("inspections.all"))
    db = get_session()
    return render_template(
        "inspections/index.html",
        rows=queries.my_open_inspections(db, current_user),
        today=clock.today(),
        labels=labels,
    )


@bp.get("/inspections/all")
@require(Permission.VIEW_INSPECTIONS)
def all():
    """Every inspection, with filters and pagination."""
    db = get_session()
    filters = queries.InspectionFilters.from_args(request.args)
    page = queries.list_inspections(
        db,
        current_user,
        filters,
        page=parse_page(request.args.get("page")),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template("inspections/all.html", page=page, filters=filters, labels=labels)
