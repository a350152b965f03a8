"""One inspection: starting it, its page, issuing its notice, its record as a PDF; the helpers
the other inspection pages share."""

from __future__ import annotations

import contextlib

from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspection import clock
from inspection import labels
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.checklists import queries as checklist_queries
from inspection.checklists import scoring
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistSection
from inspection.db import get_session
from inspection.downloads import content_disposition
from inspection.downloads import file_name
from inspection.enterprises import queries as enterprise_queries
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.forms import ConfirmForm
from inspection.forms import choices
from inspection.forms import parse_id
from inspection.hazards import services as hazard_services
from inspection.hazards.models import HazardState
from inspection.hazards.models import Notice
from inspection.hazards.queries import user_names
from inspection.inspections import answers
from inspection.inspections import queries
from inspection.inspections import record
from inspection.inspections import services
from inspection.inspections.forms import CompleteForm
from inspection.inspections.forms import InspectionForm
from inspection.inspections.views import bp
from inspection.reports.pdf import render_pdf
from inspection.risk.frequency import CapReached
from inspection.security import services as security
from inspection.verification import services as verifying
from inspection.web import commit_or_refuse
from inspection.web import on_field


def _enterprise_choices(form: InspectionForm) -> None:
    db = get_session()
    enterprises = db.exec(
        enterprise_queries.visible_enterprises(current_user)
        .where(Enterprise.active.is_(True))
        .order_by(Enterprise.name)
    )
    form.enterprise_id.choices = choices((e.id, e.name) for e in enterprises)
    form.co_inspectors.choices = choices(
        (u.id, u.display_name + (f"（{u.organisation}）" if u.organisation else ""))
        for u in queries.active_inspectors(db, request_scope(current_user))
        if u.id != current_user.id
    )


@bp.route("/inspections/new", methods=["GET", "POST"])
@require(Permission.INSPECT)
def create():
    """Start an inspection at an enterprise."""
    form = InspectionForm()
    _enterprise_choices(form)
    if request.method == "GET":
        form.planned_date.data = clock.today()
        with contextlib.suppress(ValueError):
            form.enterprise_id.data = parse_id(request.args.get("enterprise", ""))
        if current_user.third_party:
            form.type.data = "third_party"

    def page():
        return render_template("inspections/form.html", form=form), 422 if form.errors else 200

    if form.validate_on_submit():
        db = get_session()
        enterprise = enterprise_queries.get_enterprise(db, current_user, form.enterprise_id.data)
        if enterprise is None:
            abort(404)
        return commit_or_refuse(
            lambda: services.create_inspection(
                db,
                enterprise=enterprise,
                actor=current_user,
                type=form.type.data,
                planned_date=form.planned_date.data,
                enforcement=form.enforcement.data,
                co_inspector_ids=form.co_inspectors.data,
                summary=form.summary.data,
                targeted=form.targeted.data or None,
                over_cap_reason=form.over_cap_reason.data,
            ),
            then=lambda inspection: url_for("inspections.detail", inspection_id=inspection.id),
            message=_("The inspection has started."),
            refused=lambda error: on_field(
                form.over_cap_reason if isinstance(error, CapReached) else form.enforcement, page
            )(error),
        )
    return page()


def load_inspection(inspection_id: int):
    return queries.get_inspection(get_session(), current_user, inspection_id) or abort(404)


@bp.get("/inspections/<id:inspection_id>")
@require(Permission.VIEW_INSPECTIONS)
def detail(inspection_id: int):
    """One inspection: the team, the hazards found, issuing the notice."""
    db = get_session()
    inspection = load_inspection(inspection_id)
    team = queries.team(db, inspection.id)
    hazards = queries.hazards_of(db, inspection.id)
    on_team = any(member.id == current_user.id for member, _lead in team)
    enterprise = db.get(Enterprise, inspection.enterprise_id)
    suited, others = checklist_queries.offered_versions(db, enterprise)
    used = answers.versions_of(db, inspection.id)
    used_templates = {v.template_id for v in used}
    return render_template(
        "inspections/detail.html",
        checklists=checklist_rows(db, inspection, used),
        suited=[v for v in suited if v.template_id not in used_templates],
        others=[v for v in others if v.template_id not in used_templates],
        inspection=inspection,
        enterprise=enterprise,
        team=team,
        hazards=hazards,
        waiting=[h for h in hazards if h.state == HazardState.FOUND],
        notices=[
            db.get(Notice, notice_id)
            for notice_id in sorted({h.notice_id for h in hazards if h.notice_id})
        ],
        on_team=on_team and has_permission(current_user, Permission.INSPECT),
        confirm_form=ConfirmForm(),
        complete_form=CompleteForm(),
        names=user_names(db, {inspection.created_by_id}),
        labels=labels,
        today=clock.today(),
    )


def section_code(item: ChecklistItem) -> str:
    section = get_session().get(ChecklistSection, item.section_id)
    return section.code if section else ""


def checklist_rows(db, inspection, versions):
    """Each checklist of an inspection with its progress and, for assessments, its score."""
    answered = answers.answers_of(db, inspection.id)
    rows = []
    for version in versions:
        progress, items = answers.progress(db, version.id, answered)
        score = None
        if version.kind == "assessment":
            score = scoring.score(
                version, items, {i: a.result for i, a in answered.items() if a.result}
            )
        rows.append((version, progress, score))
    return rows


@bp.post("/inspections/<id:inspection_id>/issue")
@require(Permission.ISSUE_NOTICES)
def issue(inspection_id: int):
    """Issue the inspection's hazards to the enterprise as a numbered notice."""
    db = get_session()
    inspection = load_inspection(inspection_id)
    if not ConfirmForm().validate():
        abort(400)
    return commit_or_refuse(
        lambda: hazard_services.issue_notice(db, inspection=inspection, actor=current_user),
        then=lambda notice: url_for("hazards.notice", notice_id=notice.id),
        message=lambda notice: _(
            "Notice %(number)s has been issued to the enterprise.", number=notice.number
        ),
        refused=lambda refused: _issued_before(inspection, refused),
    )


def _issued_before(inspection, refused: DomainError):
    """A refused issue: when the button was pressed again (Back, then Issue) the notice that was
    issued is shown; otherwise the refusal, on the inspection's page."""
    latest = queries.notice_already_issued(
        get_session(), inspection_id=inspection.id, user_id=current_user.id
    )
    if latest is not None:
        flash(
            _(
                "Notice %(number)s was already issued; it was not issued a second time.",
                number=latest.number,
            ),
            "warning",
        )
        return redirect(url_for("hazards.notice", notice_id=latest.id))
    flash(refused.message, "error")
    return redirect(url_for("inspections.detail", inspection_id=inspection.id))


@bp.get("/inspections/<id:inspection_id>/record.pdf")
@require(Permission.VIEW_INSPECTIONS)
def record_pdf(inspection_id: int):
    """现场检查记录: the inspection record as a PDF."""
    db = get_session()
    inspection = load_inspection(inspection_id)
    context = record.context(db, inspection)
    pdf = render_pdf(
        "reports/inspection_record.html",
        verifying.stamp(verifying.RECORD, inspection.id),
        **context,
    )
    security.record_download(
        db,
        actor=current_user,
        what="inspection_record_pdf",
        park_id=inspection.park_id,
        inspection=inspection.id,
    )
    db.commit()
    day = clock.local(inspection.started_at or inspection.created_at).date().isoformat()
    name = _(
        "Inspection record %(enterprise)s %(date)s", enterprise=context["enterprise"].name, date=day
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": content_disposition(f"{file_name(name)}.pdf", inline=True)},
    )
