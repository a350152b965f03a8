"""Writes on assigned cases: each step of the closed loop, with its evidence, through the
case lifecycle. Services flush, never commit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.assignments import lifecycle
from inspection.assignments.models import OWED_CASE_STATES
from inspection.assignments.models import AssignedCase
from inspection.assignments.models import AssignmentBatch
from inspection.assignments.models import CaseEvent
from inspection.assignments.models import CaseEvidence
from inspection.auth.models import User
from inspection.errors import DomainError
from inspection.evidence.documents import CheckedDocument
from inspection.storage import content

POSTING_DAYS = 7


@dataclass
class Step:
    """What a person writes for one step: the text, a date where the step has one, the files."""

    text: str = ""
    on: date | None = None
    body: str = ""
    percent: int | None = None
    files: tuple[CheckedDocument, ...] = ()


def _lock(session: Session, case: AssignedCase) -> AssignedCase:
    session.refresh(case, with_for_update=True)
    return case


def _keep(session: Session, case: AssignedCase, event_id: int, actor: User, files) -> None:
    for document in files:
        session.add(
            CaseEvidence(
                case_id=case.id,
                event_id=event_id,
                sha256=content().put(document.data),
                content_type=document.content_type,
                size_bytes=len(document.data),
                filename=document.filename or "evidence",
                uploaded_by_id=actor.id,
            )
        )
    session.flush()


def _fire(session, case, event, actor, step: Step, version: int, data: dict | None = None):
    record = lifecycle.apply(
        session, case, event, actor, comment=step.text, data=data, expected_version=version
    )
    _keep(session, case, record.id, actor, step.files)
    return record


def acknowledge(session: Session, *, case: AssignedCase, actor: User, version: int) -> AssignedCase:
    """签收: the responsible party takes the case on."""
    _lock(session, case)
    _fire(session, case, "acknowledge", actor, Step(), version)
    return case


def file_plan(
    session: Session, *, case: AssignedCase, actor: User, step: Step, version: int
) -> AssignedCase:
    """整改方案: the measures and the planned completion date, with the plan document."""
    _lock(session, case)
    lifecycle.check(case, "plan", actor, expected_version=version)
    if not step.text.strip():
        raise DomainError(_("Write the measures of the plan."))
    if step.on is None:
        raise DomainError(_("Give the date the work will be complete."))
    _fire(session, case, "plan", actor, step, version, {"completion": step.on.isoformat()})
    case.plan = step.text.strip()
    case.planned_completion = step.on
    session.flush()
    return case


def report_progress(
    session: Session, *, case: AssignedCase, actor: User, step: Step, version: int
) -> AssignedCase:
    """阶段性进展: what was done so far, how far along, and its evidence."""
    _lock(session, case)
    lifecycle.check(case, "report", actor, expected_version=version)
    if not step.text.strip():
        raise DomainError(_("Say what has been done since the last report."))
    if step.percent is not None and not 0 <= step.percent <= 100:
        raise DomainError(_("Give how far the work is as a percentage from 0 to 100."))
    _fire(session, case, "report", actor, step, version, {"percent": step.percent})
    return case


def submit(
    session: Session, *, case: AssignedCase, actor: User, step: Step, version: int
) -> AssignedCase:
    """The work is done: ask for acceptance, with the evidence of what was done."""
    _lock(session, case)
    lifecycle.check(case, "submit", actor, expected_version=version)
    if not step.text.strip():
        raise DomainError(_("Say what was done to rectify the problem."))
    if not step.files and not case_has_evidence(session, case):
        raise DomainError(_("Attach at least one photo or document as evidence of the work."))
    _fire(session, case, "submit", actor, step, version)
    return case


def case_has_evidence(session: Session, case: AssignedCase) -> bool:
    """True when any step of the case has kept a file."""
    return (
        session.exec(select(CaseEvidence.id).where(CaseEvidence.case_id == case.id)).first()
        is not None
    )


def accept(
    session: Session, *, case: AssignedCase, actor: User, step: Step, version: int
) -> AssignedCase:
    """验收: the named body that checked the work, on which day."""
    _lock(session, case)
    lifecycle.check(case, "accept", actor, expected_version=version)
    body = step.body.strip()
    if not body:
        raise DomainError(_("Name the body that accepted the work, e.g. 县生态环境分局."))
    on = step.on or clock.today()
    _fire(session, case, "accept", actor, step, version, {"body": body, "on": on.isoformat()})
    case.acceptance_body = body[:128]
    case.accepted_on = on
    session.flush()
    return case


def reject(
    session: Session, *, case: AssignedCase, actor: User, step: Step, version: int
) -> AssignedCase:
    """Acceptance refused: the case goes back to rectification with the reason."""
    _lock(session, case)
    _fire(session, case, "reject", actor, step, version)
    return case


def post(
    session: Session, *, case: AssignedCase, actor: User, step: Step, version: int
) -> AssignedCase:
    """公示: the case and what was done go on the public page for the posting period."""
    _lock(session, case)
    lifecycle.check(case, "post", actor, expected_version=version)
    starts = step.on or clock.today()
    days = step.percent or POSTING_DAYS
    if not 1 <= days <= 60:
        raise DomainError(_("The posting period is from 1 to 60 days."))
    ends = starts + timedelta(days=days - 1)
    _fire(
        session,
        case,
        "post",
        actor,
        step,
        version,
        {"from": starts.isoformat(), "to": ends.isoformat()},
    )
    case.posting_starts, case.posting_ends = starts, ends
    session.flush()
    return case


def record_objection(
    session: Session, *, case: AssignedCase, actor: User, step: Step, version: int
) -> AssignedCase:
    """An objection received during the posting period reopens the case."""
    _lock(session, case)
    lifecycle.check(case, "object", actor, expected_version=version)
    today = clock.today()
    if case.posting_ends is not None and case.posting_over(today):
        raise DomainError(
            _(
                "The posting period ended on %(day)s; an objection now cannot reopen the case.",
                day=case.posting_ends.isoformat(),
            )
        )
    _fire(
        session, case, "object", actor, step, version, {"received": (step.on or today).isoformat()}
    )
    case.posting_starts = case.posting_ends = None
    case.acceptance_body = case.accepted_on = None
    session.flush()
    return case


def close(
    session: Session, *, case: AssignedCase, actor: User, step: Step, version: int
) -> AssignedCase:
    """销号: after acceptance, and after the posting period when the case is posted."""
    _lock(session, case)
    lifecycle.check(case, "close", actor, expected_version=version)
    if case.needs_posting and not case.posting_over(clock.today()):
        raise DomainError(
            _(
                "The case is posted until %(day)s; close it when the posting period has ended"
                " without objection.",
                day=case.posting_ends.isoformat() if case.posting_ends else "—",
            )
        )
    _fire(session, case, "close", actor, step, version)
    return case


# --- what the reminder sweep needs of cases (the hazards' rules, applied by the sweep) -------


def earliest_owed_deadline(session: Session, park_id: int) -> date | None:
    """The earliest deadline among the park's cases whose rectification is still owed."""
    return session.exec(
        select(func.min(AssignedCase.deadline)).where(
            AssignedCase.park_id == park_id, AssignedCase.state.in_(OWED_CASE_STATES)
        )
    ).one()


def due_cases(session: Session, park_id: int, deadlines: list[date]):
    """The park's owed cases with one of these deadlines (light rows: what a reminder says),
    each with the staff member who imported its batch, who follows it up."""
    return session.exec(
        select(
            AssignedCase.id,
            AssignedCase.number,
            AssignedCase.problem,
            AssignedCase.enterprise_id,
            AssignedCase.department,
            AssignedCase.deadline,
            AssignmentBatch.created_by_id,
        )
        .join(AssignmentBatch, AssignmentBatch.id == AssignedCase.batch_id)
        .where(
            AssignedCase.park_id == park_id,
            AssignedCase.state.in_(OWED_CASE_STATES),
            AssignedCase.deadline.in_(deadlines),
        )
        .order_by(AssignedCase.deadline, AssignedCase.id)
    ).all()


def record_escalation(session: Session, case_id: int, deadline: date, days: int) -> int:
    """Note the escalation of an overdue case in its history, once per deadline; 1 if noted."""
    case = _lock(session, session.get(AssignedCase, case_id))
    for data in session.exec(
        select(CaseEvent.data).where(
            CaseEvent.case_id == case_id, CaseEvent.event == "escalate_overdue"
        )
    ).all():
        if json.loads(data).get("deadline") == deadline.isoformat():
            return 0
    lifecycle.record_system_step(
        session, case, "escalate_overdue", {"deadline": deadline.isoformat(), "days_overdue": days}
    )
    return 1


STEPS = {
    "plan": file_plan,
    "report": report_progress,
    "submit": submit,
    "accept": accept,
    "reject": reject,
    "post": post,
    "object": record_objection,
    "close": close,
}


def verify_history(session: Session) -> list:
    """Every assigned case's history checked link by link (see `lifecycle.verify_chain`)."""
    return lifecycle.verify_chain(session)
