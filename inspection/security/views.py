"""The security log page (安全审计日志): search by user, kind, outcome and date; export; and
the park's password policy."""

from __future__ import annotations

from flask import Blueprint
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

from inspection import labels
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.db import get_session
from inspection.downloads import content_disposition
from inspection.pagination import paginate
from inspection.pagination import parse_page
from inspection.parks.queries import require_working_park
from inspection.parks.queries import working_park
from inspection.security import export
from inspection.security import queries
from inspection.security import services
from inspection.security.forms import PasswordPolicyForm
from inspection.security.models import EventKind
from inspection.web import commit_or_refuse

bp = Blueprint("security", __name__, url_prefix="/security-log")


def _filters() -> queries.LogFilters:
    return queries.LogFilters.from_args(
        request.args, lambda raw: _("%(value)s is not a date; use YYYY-MM-DD.", value=raw)
    )


def _standalone() -> bool:
    """A park without a region sees the deployment's own events too."""
    park = working_park(get_session(), current_user)
    return park is not None and park.region_id is None


@bp.get("/")
@require(Permission.VIEW_SECURITY_LOG)
def index():
    """The log, newest first, filtered and a page at a time."""
    db = get_session()
    filters = _filters()
    stmt = queries.events(request_scope(current_user), filters, standalone_park=_standalone())
    page = paginate(
        db,
        stmt,
        page=parse_page(request.args.get("page")),
        per_page=current_app.config["PAGE_SIZE"],
        count_limit=1000,
    )
    park = working_park(db, current_user)
    policy = None
    if park is not None and current_user.role == "admin":
        policy = PasswordPolicyForm(formdata=None, min_length=park.password_min_length)
    return render_template(
        "security/index.html",
        page=page,
        filters=filters,
        labels=labels,
        names=export.Names(db, page.items),
        details=export.details,
        policy=policy,
        retention_days=max(current_app.config["SECURITY_LOG_RETENTION_DAYS"], 180),
    )


@bp.get("/export.<any(csv, xlsx):fmt>")
@require(Permission.VIEW_SECURITY_LOG)
def export_log(fmt: str):
    """The filtered log as CSV or Excel (the export is itself logged, with its filters)."""
    db = get_session()
    filters = _filters()
    stmt = queries.events(request_scope(current_user), filters, standalone_park=_standalone())
    services.record_download(
        db,
        actor=current_user,
        what="security_log",
        kind=EventKind.EXPORT,
        park_id=request_scope(current_user).park_id,
        format=fmt,
        filters=filters.as_args(),
    )
    db.commit()
    name = export.file_title(filters) + f".{fmt}"
    if fmt == "csv":
        body, mimetype = export.csv_lines(stmt), "text/csv; charset=utf-8"
    else:
        body = export.xlsx_chunks(stmt)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        stream_with_context(body),
        mimetype=mimetype,
        headers={"Content-Disposition": content_disposition(name)},
    )


@bp.post("/policy")
@require(Permission.MANAGE_USERS)
def policy():
    """Change the working park's password policy."""
    db = get_session()
    form = PasswordPolicyForm()
    if not form.validate():
        flash(_("Choose a length between 8 and 64 characters."), "error")
        return redirect(url_for("security.index"))
    return commit_or_refuse(
        lambda: services.change_password_policy(
            db,
            park=require_working_park(db, current_user),
            min_length=form.min_length.data,
            actor=current_user,
        ),
        then=url_for("security.index"),
        message=_("The password policy has been saved. It applies to each new password."),
    )
