"""Rectification notices: the page, the PDF in the official layout, and acknowledging receipt."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspection import clock
from inspection import labels
from inspection.auth.models import User
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.db import get_session
from inspection.downloads import content_disposition
from inspection.downloads import file_name
from inspection.enterprises.models import Enterprise
from inspection.forms import ConfirmForm
from inspection.hazards import notice_terms
from inspection.hazards import queries
from inspection.hazards import services
from inspection.hazards.models import Hazard
from inspection.hazards.models import Notice
from inspection.hazards.views import bp
from inspection.inspections.models import Inspection
from inspection.inspections.queries import team
from inspection.parks.models import Park
from inspection.reports.pdf import render_pdf
from inspection.security import services as security
from inspection.verification import services as verifying
from inspection.web import commit_or_refuse


@bp.get("/notices/<id:notice_id>")
@require(Permission.VIEW_HAZARDS)
def notice(notice_id: int):
    """A rectification notice and the hazards it lists."""
    db = get_session()
    found = queries.get_notice(db, current_user, notice_id) or abort(404)
    return render_template(
        "hazards/notice.html",
        notice=found,
        hazards=_notice_hazards(db, found),
        enterprise=db.get(Enterprise, found.enterprise_id),
        names=queries.user_names(db, {found.issued_by_id, found.acknowledged_by_id}),
        can_acknowledge=has_permission(current_user, Permission.RECTIFY)
        and found.acknowledged_at is None,
        confirm_form=ConfirmForm(),
        labels=labels,
        today=clock.today(),
    )


def _notice_hazards(db, found: Notice) -> list[Hazard]:
    return [
        h
        for h in queries.hazards_of_notice(db, found.id)
        if queries.get_hazard(db, current_user, h.id) is not None
    ]


@bp.get("/notices/<id:notice_id>/pdf")
@require(Permission.VIEW_HAZARDS)
def notice_pdf(notice_id: int):
    """The notice as a PDF in the official layout."""
    db = get_session()
    found = queries.get_notice(db, current_user, notice_id) or abort(404)
    enterprise = db.get(Enterprise, found.enterprise_id)
    inspection = db.get(Inspection, found.inspection_id) if found.inspection_id else None
    inspectors = [u.display_name for u, _lead in team(db, inspection.id)] if inspection else []
    acknowledged_by = db.get(User, found.acknowledged_by_id) if found.acknowledged_by_id else None
    issuer = db.get(User, found.issued_by_id)
    hazards = _notice_hazards(db, found)
    pdf = render_pdf(
        "reports/notice.html",
        verifying.stamp(verifying.NOTICE, found.id),
        notice=found,
        park=db.get(Park, found.park_id),
        enterprise=enterprise,
        inspection=inspection,
        inspectors=inspectors,
        acknowledged_by=acknowledged_by.display_name if acknowledged_by else None,
        hazards=hazards,
        terms=notice_terms.terms(
            inspection, hazards, third_party_issuer=bool(issuer and issuer.third_party)
        ),
    )
    security.record_download(
        db, actor=current_user, what="notice_pdf", park_id=found.park_id, notice=found.number
    )
    db.commit()
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": content_disposition(
                f"{file_name(found.number)}.pdf", inline=True
            )
        },
    )


@bp.post("/notices/<id:notice_id>/acknowledge")
@require(Permission.RECTIFY)
def acknowledge(notice_id: int):
    """签收: the enterprise confirms receipt of the notice."""
    db = get_session()
    found = queries.get_notice(db, current_user, notice_id) or abort(404)
    if not ConfirmForm().validate():
        abort(400)
    return commit_or_refuse(
        lambda: services.acknowledge_notice(db, notice=found, actor=current_user),
        then=url_for("hazards.notice", notice_id=notice_id),
        message=_("Notice %(number)s has been acknowledged.", number=found.number),
    )
