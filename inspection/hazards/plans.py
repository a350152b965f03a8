"""整改方案: the enterprise's rectification plan; for a major hazard all of 五落实 is required."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection.auth.models import User
from inspection.errors import DomainError
from inspection.evidence.documents import CheckedDocument
from inspection.evidence.documents import keep_document
from inspection.evidence.models import DocumentKind
from inspection.hazards import lifecycle
from inspection.hazards.context import lock
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardLevel
from inspection.hazards.models import RectificationPlan


def current_plan(session: Session, hazard_id: int) -> RectificationPlan | None:
    """The latest plan filed for a hazard."""
    return session.exec(
        select(RectificationPlan)
        .where(RectificationPlan.hazard_id == hazard_id)
        .order_by(RectificationPlan.id.desc())
        .limit(1)
    ).first()


def file_plan(
    session: Session,
    *,
    hazard: Hazard,
    actor: User,
    responsible_person: str,
    measures: str,
    funding_yuan: int | None,
    planned_completion: date | None,
    contingency_plan: str | None,
    document: CheckedDocument | None,
    expected_version: int,
) -> RectificationPlan:
    """File (or revise) the plan; the hazard moves to rectifying."""
    lock(session, hazard)
    lifecycle.check(hazard, "plan", actor, expected_version=expected_version)
    responsible_person = (responsible_person or "").strip()
    measures = (measures or "").strip()
    contingency_plan = (contingency_plan or "").strip() or None
    previous = current_plan(session, hazard.id)
    missing = []
    if not responsible_person:
        missing.append(_("the person responsible"))
    if not measures:
        missing.append(_("the measures"))
    if hazard.level == HazardLevel.MAJOR:
        if funding_yuan is None:
            missing.append(_("the funding"))
        if planned_completion is None:
            missing.append(_("the completion date"))
        if not contingency_plan:
            missing.append(_("the contingency plan"))
        if document is None and (previous is None or previous.document_id is None):
            missing.append(_("the plan document"))
    if missing:
        if hazard.level == HazardLevel.MAJOR:
            raise DomainError(
                _(
                    "A major hazard's plan must settle all five musts (五落实). Still missing:"
                    " %(missing)s.",
                    missing="、".join(missing),
                )
            )
        raise DomainError(_("Still missing: %(missing)s.", missing="、".join(missing)))
    if funding_yuan is not None and funding_yuan < 0:
        raise DomainError(_("The funding cannot be negative."))
    if planned_completion and hazard.deadline and planned_completion > hazard.deadline:
        raise DomainError(
            _(
                "The plan finishes on %(planned)s, after the deadline %(deadline)s. Finish"
                " earlier, or ask for an extension first.",
                planned=planned_completion.isoformat(),
                deadline=hazard.deadline.isoformat(),
            )
        )
    event = lifecycle.apply(
        session,
        hazard,
        "plan",
        actor,
        comment=measures,
        data={
            "responsible_person": responsible_person,
            "funding_yuan": funding_yuan,
            "planned_completion": planned_completion.isoformat() if planned_completion else None,
        },
    )
    document_id = previous.document_id if previous else None
    if document is not None:
        document_id = keep_document(
            session,
            document,
            kind=DocumentKind.PLAN,
            enterprise_id=hazard.enterprise_id,
            actor=actor,
            hazard_id=hazard.id,
            event_id=event.id,
        ).id
    plan = RectificationPlan(
        hazard_id=hazard.id,
        responsible_person=responsible_person,
        measures=measures,
        funding_yuan=funding_yuan,
        planned_completion=planned_completion,
        contingency_plan=contingency_plan,
        document_id=document_id,
        submitted_by_id=actor.id,
        submitted_at=event.at,
    )
    session.add(plan)
    hazard.responsible_person = responsible_person
    session.flush()
    return plan


def plan_complete(session: Session, hazard: Hazard) -> bool:
    """Whether a major hazard has a plan that settles 五落实 (general hazards need none)."""
    if hazard.level != HazardLevel.MAJOR:
        return True
    plan = current_plan(session, hazard.id)
    return bool(
        plan
        and plan.responsible_person
        and plan.measures
        and plan.funding_yuan is not None
        and plan.planned_completion
        and plan.contingency_plan
        and plan.document_id
    )
