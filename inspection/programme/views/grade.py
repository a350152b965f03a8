"""The chemical park's grade: its history as a chart, a new self-assessment, one assessment's
deductions turned into projects, and the 一园一策 project list."""

from __future__ import annotations

import json
from datetime import date

from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from inspection import clock
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistVersion
from inspection.db import get_session
from inspection.errors import DomainError
from inspection.evidence.documents import check_upload
from inspection.forms import ConfirmForm
from inspection.forms import choices
from inspection.forms import parse_version
from inspection.parks.queries import require_working_park
from inspection.programme import parkgrade
from inspection.programme import queries
from inspection.programme.forms import ProgressForm
from inspection.programme.forms import ProjectForm
from inspection.programme.models import AssessmentResult
from inspection.programme.views import bp
from inspection.programme.views import send_evidence
from inspection.statistics import charts
from inspection.web import commit_or_refuse
from inspection.web import flash_refusal


def history_chart(history, version: ChecklistVersion | None, medium: str = "screen") -> str:
    """The grade history as a chart (empty text when there is nothing to draw)."""
    if not history or version is None or not version.scoring:
        return ""
    bands = json.loads(version.scoring)["bands"]
    cutoffs = tuple(
        (float(b["min_percent"]), b["label"][:1]) for b in bands if b["min_percent"] > 0
    )
    return charts.grade_history(
        _("Chemical park risk score"),
        tuple(a.assessed_on.isoformat() for a in history),
        tuple(round(a.score, 1) for a in history),
        cutoffs,
        medium,
    )


@bp.get("/grade")
@require(Permission.VIEW_INSPECTIONS)
def grade():
    """The grade history (chart and table) and the project list."""
    db = get_session()
    scope = request_scope(current_user)
    history = queries.assessments(db, scope)
    version = db.get(ChecklistVersion, history[-1].version_id) if history else None
    return render_template(
        "programme/grade.html",
        history=history,
        chart=history_chart(history, version),
        projects=queries.projects(db, scope),
        can_assess=has_permission(current_user, Permission.SUPERVISE_MAJOR),
        today=clock.today(),
    )


@bp.route("/grade/assess", methods=["GET", "POST"])
@require(Permission.SUPERVISE_MAJOR)
def assess():
    """A new self-assessment: each scored item passed, failed or not applicable."""
    db = get_session()
    park = require_working_park(db, current_user)
    version = parkgrade.assessment_version(db, park)
    if version is None:
        abort(404)
    items = parkgrade.scored_items(db, version)
    form = ConfirmForm()
    results = parkgrade.prefill(db, park, version)

    def page(status: int = 200):
        return render_template(
            "programme/assess.html", version=version, items=items, results=results, form=form
        ), status

    if request.method == "GET":
        return page()
    results = {item.id: request.form.get(f"item-{item.id}", "") for item in items}

    def change():
        try:
            assessed_on = clock.today()
            if request.form.get("assessed_on"):
                assessed_on = date.fromisoformat(request.form["assessed_on"])
        except ValueError as error:
            raise DomainError(_("Give the date of the assessment as 2026-06-30.")) from error
        return parkgrade.record_assessment(
            db,
            park=park,
            actor=current_user,
            version=version,
            assessed_on=assessed_on,
            results=results,
            note=request.form.get("note"),
        )

    return commit_or_refuse(
        change,
        then=lambda assessment: url_for("programme.assessment", assessment_id=assessment.id),
        message=lambda assessment: _(
            "The assessment scores %(score)s: grade %(grade)s.",
            score=assessment.score,
            grade=assessment.grade,
        ),
        refused=lambda refused: page(flash_refusal(refused)),
    )


def _deductions(assessment_id: int):
    return (
        get_session()
        .exec(
            select(ChecklistItem, AssessmentResult)
            .join(AssessmentResult, AssessmentResult.item_id == ChecklistItem.id)
            .where(
                AssessmentResult.assessment_id == assessment_id, AssessmentResult.result == "fail"
            )
            .order_by(ChecklistItem.id)
        )
        .all()
    )


@bp.route("/grade/<id:assessment_id>", methods=["GET", "POST"])
@require(Permission.VIEW_INSPECTIONS)
def assessment(assessment_id: int):
    """One assessment: its score and grade, each deduction, and turning one into a project."""
    db = get_session()
    found = queries.get_assessment(db, current_user, assessment_id) or abort(404)
    deductions = _deductions(found.id)
    form = ProjectForm()
    form.item.choices = choices(
        (item.id, f"{item.code} {item.text[:40]}") for item, _r in deductions
    )
    can_plan = has_permission(current_user, Permission.SUPERVISE_MAJOR)

    def page(status: int = 200):
        return render_template(
            "programme/assessment.html",
            assessment=found,
            deductions=deductions,
            form=form,
            can_plan=can_plan,
        ), status

    if not form.is_submitted():
        return page()
    if not can_plan:
        abort(403)
    if not form.validate():
        return page(422)
    return commit_or_refuse(
        lambda: parkgrade.start_project(
            db,
            assessment=found,
            actor=current_user,
            item_id=form.item.data,
            title=form.title.data,
            owner=form.owner.data,
            budget_yuan=form.budget_yuan.data,
            milestones=form.milestones.data,
            due_on=form.due_on.data,
        ),
        then=lambda project: url_for("programme.project", project_id=project.id),
        message=_("The project has been added to the improvement list."),
        refused=lambda refused: page(flash_refusal(refused)),
    )


@bp.route("/projects/<id:project_id>", methods=["GET", "POST"])
@require(Permission.VIEW_INSPECTIONS)
def project(project_id: int):
    """One project: owner, milestones, budget, progress and evidence; report and close it."""
    db = get_session()
    found = queries.get_project(db, current_user, project_id) or abort(404)
    form = ProgressForm()
    can_report = has_permission(current_user, Permission.SUPERVISE_MAJOR)

    def page(status: int = 200):
        item = db.get(ChecklistItem, found.item_id) if found.item_id else None
        return render_template(
            "programme/project.html", project=found, item=item, form=form, can_report=can_report
        ), status

    if not form.is_submitted():
        form.progress.data = found.progress
        return page()
    if not can_report:
        abort(403)
    if not form.validate():
        return page(422)
    return commit_or_refuse(
        lambda: parkgrade.report_project(
            db,
            project=found,
            actor=current_user,
            progress=form.progress.data,
            note=form.note.data,
            document=check_upload(form.file.data),
            close=form.close.data,
            version=parse_version(form.version.data),
        ),
        then=url_for("programme.project", project_id=found.id),
        message=_("The project has been updated."),
        refused=lambda refused: page(flash_refusal(refused)),
    )


@bp.get("/projects/<id:project_id>/evidence")
@require(Permission.VIEW_INSPECTIONS)
def project_evidence(project_id: int):
    """Download a project's evidence."""
    found = queries.get_project(get_session(), current_user, project_id) or abort(404)
    return send_evidence(found.evidence_sha256, found.evidence_name, found.evidence_type)
