"""专项整治 outcomes: a campaign's counts by outcome, the list, recording one, and the PDF."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from inspection import clock
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.campaigns.queries import get_campaign
from inspection.db import get_session
from inspection.enterprises.models import Enterprise
from inspection.evidence.documents import check_upload
from inspection.forms import choices
from inspection.programme import outcomes
from inspection.programme import queries
from inspection.programme.forms import OutcomeForm
from inspection.programme.views import bp
from inspection.programme.views import send_evidence
from inspection.reports.pdf import render_pdf
from inspection.web import commit_or_refuse
from inspection.web import flash_refusal


def _context(campaign) -> dict:
    db = get_session()
    rows = queries.outcomes_of(db, campaign)
    counts = queries.outcome_counts(db, [campaign.id])
    covered = outcomes.covered(db, campaign)
    return {
        "campaign": campaign,
        "rows": rows,
        "counts": counts,
        "covered": len(covered),
        "unrecorded": len(covered) - len(rows),
        "outcomes": outcomes.OUTCOMES,
        "relocated": counts.get("relocated_in_county", 0) + counts.get("relocated_out", 0),
    }


def _form(campaign) -> OutcomeForm:
    db = get_session()
    form = OutcomeForm()
    ids = outcomes.covered(db, campaign)
    form.enterprise.choices = choices(
        db.exec(
            select(Enterprise.id, Enterprise.name)
            .where(Enterprise.id.in_(ids or [-1]))
            .order_by(Enterprise.name)
        ).all()
    )
    return form


@bp.route("/campaigns/<id:campaign_id>/outcomes", methods=["GET", "POST"])
@require(Permission.VIEW_INSPECTIONS)
def campaign_outcomes(campaign_id: int):
    """A campaign's outcomes: 关停, 整治提升, 搬迁, 保留 and 未完成, counted and listed."""
    db = get_session()
    campaign = get_campaign(db, current_user, campaign_id) or abort(404)
    form = _form(campaign)
    can_record = has_permission(current_user, Permission.PLAN_INSPECTIONS)

    def page(status: int = 200):
        return render_template(
            "programme/outcomes.html", form=form, can_record=can_record, **_context(campaign)
        ), status

    if not form.is_submitted():
        form.decided_on.data = clock.today()
        return page()
    if not can_record:
        abort(403)
    if not form.validate():
        return page(422)
    return commit_or_refuse(
        lambda: outcomes.record_outcome(
            db,
            campaign=campaign,
            actor=current_user,
            enterprise_id=form.enterprise.data,
            outcome=form.outcome.data,
            decided_on=form.decided_on.data,
            note=form.note.data,
            document=check_upload(form.file.data),
        ),
        then=url_for("programme.campaign_outcomes", campaign_id=campaign.id),
        message=_("The outcome has been recorded."),
        refused=lambda refused: page(flash_refusal(refused)),
    )


@bp.get("/campaigns/<id:campaign_id>/outcomes.pdf")
@require(Permission.VIEW_INSPECTIONS)
def campaign_report(campaign_id: int):
    """The campaign's outcome report as PDF: the same counts and list as the page."""
    db = get_session()
    campaign = get_campaign(db, current_user, campaign_id) or abort(404)
    pdf = render_pdf(
        "reports/campaign_outcomes.html", generated_at=clock.now(), **_context(campaign)
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=campaign-{campaign.id}.pdf"},
    )


@bp.get("/outcomes/<id:outcome_id>/evidence")
@require(Permission.VIEW_INSPECTIONS)
def outcome_evidence(outcome_id: int):
    """Download an outcome's evidence."""
    found = queries.get_outcome(get_session(), current_user, outcome_id) or abort(404)
    return send_evidence(found.evidence_sha256, found.evidence_name, found.evidence_type)
