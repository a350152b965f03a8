"""Hazard statistics filings: the enterprise files and signs them in the portal; the park's
staff read them."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.db import get_session
from inspection.enterprises.models import Enterprise
from inspection.filings import periods
from inspection.filings import queries
from inspection.filings.forms import FilingForm
from inspection.filings.services import COUNTS
from inspection.filings.services import FiledStatistics
from inspection.filings.services import file_statistics
from inspection.inspections.signatures import decode_signature
from inspection.pagination import parse_page
from inspection.parks.models import Park
from inspection.storage.content import content_key
from inspection.storage.serving import send_stored
from inspection.web import commit_or_refuse
from inspection.web import flash_refusal

bp = Blueprint("filings", __name__)


@bp.get("/statistics-filings")
@require(Permission.VIEW_HAZARDS)
def index():
    """An enterprise's periods and what it filed; the staff's list of filings."""
    db = get_session()
    period = periods.parse(request.args.get("period"))
    page = queries.filings(
        db,
        current_user,
        period=period.code if period else None,
        page=parse_page(request.args.get("page")),
    )
    due = []
    if current_user.role == Role.ENTERPRISE:
        filed = queries.filed_periods(db, current_user.enterprise_id)
        # Periods that ended before the park used the system are not asked for here.
        started = clock.local(db.get(Park, current_user.park_id).created_at).date()
        due = [
            (p, filed.get(p.code))
            for p in periods.recent(clock.today())
            if p.end >= started or p.code in filed
        ]
    return render_template(
        "filings/index.html",
        page=page,
        due=due,
        period=period.code if period else "",
        choices=periods.recent(clock.today(), 8),
        today=clock.today(),
    )


@bp.route("/statistics-filings/new", methods=["GET", "POST"])
@require(Permission.RECTIFY)
def new():
    """File and sign one period's statistics."""
    db = get_session()
    enterprise = db.get(Enterprise, current_user.enterprise_id) or abort(404)
    form = FilingForm()
    period = periods.parse(
        form.period.data if request.method == "POST" else request.args.get("period")
    )
    if period is None:
        abort(404)
    if request.method == "GET":
        form.period.data = period.code
        for name, value in queries.figures(db, enterprise.id, period).items():
            getattr(form, name).data = value
        form.principal_name.data = enterprise.legal_representative or ""

    def page(status: int = 200):
        return render_template(
            "filings/new.html", form=form, period=period, enterprise=enterprise
        ), status

    if not form.validate_on_submit():
        return page(422 if form.errors else 200)

    def change():
        filed = FiledStatistics(
            period=period.code,
            **{name: getattr(form, name).data for name in COUNTS},
            analysis=form.analysis.data,
            principal_name=form.principal_name.data,
            signature=decode_signature(form.signature.data or ""),
        )
        return file_statistics(db, enterprise=enterprise, actor=current_user, filed=filed)

    return commit_or_refuse(
        change,
        then=lambda filing: url_for("filings.detail", filing_id=filing.id),
        message=_("The statistics for %(period)s have been filed.", period=period.code),
        refused=lambda refused: page(flash_refusal(refused)),
    )


@bp.get("/statistics-filings/<id:filing_id>")
@require(Permission.VIEW_HAZARDS)
def detail(filing_id: int):
    """One filing as filed."""
    db = get_session()
    filing = queries.get_filing(db, current_user, filing_id) or abort(404)
    return render_template(
        "filings/detail.html",
        filing=filing,
        period=periods.parse(filing.period),
        enterprise=db.get(Enterprise, filing.enterprise_id),
    )


@bp.get("/statistics-filings/<id:filing_id>/signature.png")
@require(Permission.VIEW_HAZARDS)
def signature(filing_id: int):
    """The principal's signature on a filing."""
    filing = queries.get_filing(get_session(), current_user, filing_id) or abort(404)
    return send_stored(
        content_key(filing.signature_sha256),
        mimetype="image/png",
        max_age=3600,
        etag=filing.signature_sha256,
    )
