"""整改方案: the enterprise's rectification plan.

A major hazard's (治理方案) holds every element of 16号令 第十五条; a general hazard's says who
does what, and the interim controls until it is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(kw_only=True)
class PlanDraft:
    """What the enterprise writes in its plan; the web form, the demo and the tests fill one."""

    responsible_person: str | None
    measures: str | None
    goals: str | None = None
    funding_yuan: int | None = None
    materials: str | None = None
    organization: str | None = None
    planned_completion: date | None = None
    requirements: str | None = None
    safety_measures: str | None = None
    contingency_plan: str | None = None
    interim_controls: str | None = None
    document: CheckedDocument | None = None


TEXTS = (
    "responsible_person",
    "measures",
    "goals",
    "materials",
    "organization",
    "requirements",
    "safety_measures",
    "contingency_plan",
    "interim_controls",
)


def _major_missing(draft: PlanDraft, previous: RectificationPlan | None) -> dict[str, str]:
    """The elements of 16号令 第十五条 a major hazard's plan still lacks, by the first field
    that would supply each."""
    missing = {}
    if not draft.goals:
        missing["goals"] = _("the goals and tasks (目标和任务)")
    if draft.funding_yuan is None or not draft.materials:
        field = "funding_yuan" if draft.funding_yuan is None else "materials"
        missing[field] = _("the funding and materials (经费和物资)")
    if not draft.organization:
        missing["organization"] = _("the organisation in charge (负责治理的机构)")
    if draft.planned_completion is None or not draft.requirements:
        field = "planned_completion" if draft.planned_completion is None else "requirements"
        missing[field] = _("the time limit and requirements (时限和要求)")
    if not draft.safety_measures or not draft.contingency_plan:
        field = "safety_measures" if not draft.safety_measures else "contingency_plan"
        missing[field] = _("the safety measures and emergency plan (安全措施和应急预案)")
    if draft.document is None and (previous is None or previous.document_id is None):
        missing["document"] = _("the plan document")
    return missing


def file_plan(
    session: Session,
    *,
    hazard: Hazard,
    actor: User,
    draft: PlanDraft,
    expected_version: int,
) -> RectificationPlan:
    """File (or revise) the plan; the hazard moves to rectifying."""
    lock(session, hazard)
    lifecycle.check(hazard, "plan", actor, expected_version=expected_version)
    for name in TEXTS:
        setattr(draft, name, (getattr(draft, name) or "").strip() or None)
    previous = current_plan(session, hazard.id)
    missing = {}
    if not draft.responsible_person:
        missing["responsible_person"] = _("the person responsible")
    if not draft.measures:
        missing["measures"] = _("the measures")
    if hazard.level == HazardLevel.MAJOR:
        missing |= _major_missing(draft, previous)
    if missing:
        # Each element's message goes under the field that supplies it.
        fields = {
            name: _("Still missing: %(missing)s.", missing=text) for name, text in missing.items()
        }
        if hazard.level == HazardLevel.MAJOR:
            raise DomainError(
                _(
                    "A major hazard's plan (治理方案) must hold every element"
                    " 《安全生产事故隐患排查治理暂行规定》第十五条 lists. Still missing:"
                    " %(missing)s.",
                    missing="、".join(missing.values()),
                ),
                fields=fields,
            )
        raise DomainError(
            _("Still missing: %(missing)s.", missing="、".join(missing.values())), fields=fields
        )
    if draft.funding_yuan is not None and draft.funding_yuan < 0:
        raise DomainError(_("The funding cannot be negative."), field="funding_yuan")
    planned = draft.planned_completion
    if planned and hazard.deadline and planned > hazard.deadline:
        raise DomainError(
            _(
                "The plan finishes on %(planned)s, after the deadline %(deadline)s. Finish"
                " earlier, or ask for an extension first.",
                planned=planned.isoformat(),
                deadline=hazard.deadline.isoformat(),
            ),
            field="planned_completion",
        )
    event = lifecycle.apply(
        session,
        hazard,
        "plan",
        actor,
        comment=draft.measures,
        data={
            "responsible_person": draft.responsible_person,
            "funding_yuan": draft.funding_yuan,
            "planned_completion": planned.isoformat() if planned else None,
        },
    )
    document_id = previous.document_id if previous else None
    if draft.document is not None:
        document_id = keep_document(
            session,
            draft.document,
            kind=DocumentKind.PLAN,
            enterprise_id=hazard.enterprise_id,
            actor=actor,
            hazard_id=hazard.id,
            event_id=event.id,
        ).id
    plan = RectificationPlan(
        hazard_id=hazard.id,
        **{name: getattr(draft, name) for name in TEXTS},
        funding_yuan=draft.funding_yuan,
        planned_completion=planned,
        document_id=document_id,
        submitted_by_id=actor.id,
        submitted_at=event.at,
    )
    session.add(plan)
    hazard.responsible_person = draft.responsible_person
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
        and plan.goals
        and plan.funding_yuan is not None
        and plan.materials
        and plan.organization
        and plan.planned_completion
        and plan.requirements
        and plan.safety_measures
        and plan.contingency_plan
        and plan.document_id
    )
