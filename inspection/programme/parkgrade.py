"""The chemical park's safety-risk grade (化工园区安全风险等级, A high risk to D low risk) from
a scored self-assessment on the checklist engine, and its improvement projects (一园一策)."""

from __future__ import annotations

import json
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistSection
from inspection.checklists.models import ChecklistTemplate
from inspection.checklists.models import ChecklistVersion
from inspection.checklists.queries import latest_published
from inspection.checklists.scoring import score
from inspection.errors import DomainError
from inspection.errors import check_version
from inspection.evidence.documents import CheckedDocument
from inspection.parks.models import Park
from inspection.programme.models import AssessmentResult
from inspection.programme.models import ParkAssessment
from inspection.programme.models import ParkProject
from inspection.programme.models import ProjectState
from inspection.storage import content

TEMPLATE_CODE = "chemical-park-risk-2023"
RESULTS = ("pass", "fail", "na")


def assessment_version(session: Session, park: Park) -> ChecklistVersion | None:
    """The latest published version of the chemical-park scoring checklist: the park's own
    copy when it has one, else the shared library's."""
    template = session.exec(
        select(ChecklistTemplate)
        .where(
            ChecklistTemplate.code == TEMPLATE_CODE,
            or_(ChecklistTemplate.park_id == park.id, ChecklistTemplate.park_id.is_(None)),
        )
        .order_by(ChecklistTemplate.park_id.is_(None))
    ).first()
    return latest_published(session, template.id) if template else None


def scored_items(session: Session, version: ChecklistVersion) -> list[ChecklistItem]:
    """The version's items that carry points, in order."""
    return list(
        session.exec(
            select(ChecklistItem)
            .join(ChecklistSection, ChecklistSection.id == ChecklistItem.section_id)
            .where(ChecklistItem.version_id == version.id, ChecklistItem.points.is_not(None))
            .order_by(ChecklistSection.position, ChecklistItem.position)
        )
    )


def grade_of(version: ChecklistVersion, percent: float) -> str:
    """The grade letter of a score, by the checklist's own bands (A is the lowest band)."""
    for entry in sorted(json.loads(version.scoring)["bands"], key=lambda b: -b["min_percent"]):
        if percent >= entry["min_percent"]:
            return entry["label"][:1]
    return "A"


def prefill(session: Session, park: Park, version: ChecklistVersion) -> dict[int, str]:
    """The last assessment's results, with the deductions whose projects are closed as passed:
    closed projects raise the next score."""
    last = session.exec(
        select(ParkAssessment)
        .where(ParkAssessment.park_id == park.id)
        .order_by(ParkAssessment.assessed_on.desc(), ParkAssessment.id.desc())
    ).first()
    if last is None:
        return {}
    results = dict(
        session.exec(
            select(AssessmentResult.item_id, AssessmentResult.result).where(
                AssessmentResult.assessment_id == last.id
            )
        ).all()
    )
    fixed = session.exec(
        select(ParkProject.item_id).where(
            ParkProject.park_id == park.id,
            ParkProject.state == ProjectState.CLOSED,
            ParkProject.item_id.is_not(None),
        )
    ).all()
    for item_id in fixed:
        if results.get(item_id) == "fail":
            results[item_id] = "pass"
    return results


def record_assessment(
    session: Session,
    *,
    park: Park,
    actor: User,
    version: ChecklistVersion,
    assessed_on: date | None,
    results: dict[int, str],
    note: str | None = None,
) -> ParkAssessment:
    """Score a self-assessment (every scored item answered) and grade the park by it."""
    items = scored_items(session, version)
    missing = [item.code for item in items if results.get(item.id) not in RESULTS]
    if missing:
        raise DomainError(
            _(
                "Answer every scored item; these are missing: %(codes)s.",
                codes="、".join(missing[:10]),
            )
        )
    result = score(version, items, results)
    percent = result.percent or 0.0
    assessment = ParkAssessment(
        park_id=park.id,
        version_id=version.id,
        assessed_on=assessed_on or clock.today(),
        score=percent,
        grade=grade_of(version, percent),
        note=(note or "").strip() or None,
        assessed_by_id=actor.id,
    )
    session.add(assessment)
    session.flush()
    for item in items:
        session.add(
            AssessmentResult(assessment_id=assessment.id, item_id=item.id, result=results[item.id])
        )
    session.flush()
    return assessment


def start_project(
    session: Session,
    *,
    assessment: ParkAssessment,
    actor: User,
    item_id: int,
    title: str,
    owner: str,
    budget_yuan: int | None,
    milestones: str | None,
    due_on: date | None,
) -> ParkProject:
    """Turn a deduction of an assessment into a project of the 整治提升项目动态清单."""
    failed = session.exec(
        select(AssessmentResult).where(
            AssessmentResult.assessment_id == assessment.id,
            AssessmentResult.item_id == item_id,
            AssessmentResult.result == "fail",
        )
    ).first()
    if failed is None:
        raise DomainError(_("Choose an item on which this assessment deducted points."))
    if not (title or "").strip() or not (owner or "").strip():
        raise DomainError(_("Give the project a title and the unit that owns it."))
    if due_on is None:
        raise DomainError(_("Give the date the project must be finished."))
    if budget_yuan is not None and budget_yuan < 0:
        raise DomainError(_("The budget cannot be negative."))
    project = ParkProject(
        park_id=assessment.park_id,
        assessment_id=assessment.id,
        item_id=item_id,
        title=title.strip()[:200],
        owner=owner.strip()[:128],
        budget_yuan=budget_yuan,
        milestones=(milestones or "").strip() or None,
        due_on=due_on,
        created_by_id=actor.id,
    )
    session.add(project)
    session.flush()
    return project


def report_project(
    session: Session,
    *,
    project: ParkProject,
    actor: User,
    progress: int | None,
    note: str | None,
    document: CheckedDocument | None,
    close: bool,
    version: int,
) -> ParkProject:
    """Report a project's progress with evidence; close it when the work is done."""
    session.refresh(project, with_for_update=True)
    check_version(project.version, version)
    if project.state == ProjectState.CLOSED:
        raise DomainError(_("This project is closed; it can no longer change."))
    if progress is not None and not 0 <= progress <= 100:
        raise DomainError(_("Give how far the work is as a percentage from 0 to 100."))
    if document is not None:
        project.evidence_sha256 = content().put(document.data)
        project.evidence_name = document.filename or "evidence"
        project.evidence_type = document.content_type
    if close:
        if not project.evidence_sha256:
            raise DomainError(_("Attach the evidence of the finished work before closing."))
        project.state = ProjectState.CLOSED
        project.closed_on = clock.today()
        project.progress = 100
    elif progress is not None:
        project.progress = progress
    project.progress_note = (note or "").strip() or project.progress_note
    project.version += 1
    session.flush()
    return project
