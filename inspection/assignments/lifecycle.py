"""A case's closed loop: the hazard lifecycle's table form (`Transition`), filled in for cases.

The responsible party (the enterprise's users, or the park's staff for the park's own cases)
acknowledges, plans, reports progress and submits; staff record the acceptance (验收) by a named
body, post the result (公示) and record objections; a supervisor closes (销号).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection import labels
from inspection.assignments.models import OWED_CASE_STATES
from inspection.assignments.models import AssignedCase
from inspection.assignments.models import CaseEvent
from inspection.assignments.models import CaseState as S
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.chain import BrokenLink
from inspection.chain import append_link
from inspection.chain import batched
from inspection.chain import broken_links
from inspection.chain import canonical_json
from inspection.chain import digest
from inspection.chain import step_payload
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.errors import NotFound
from inspection.errors import check_version
from inspection.hazards.lifecycle import ENTERPRISE
from inspection.hazards.lifecycle import STAFF
from inspection.hazards.lifecycle import SUPERVISOR
from inspection.hazards.lifecycle import IllegalTransition
from inspection.hazards.lifecycle import Transition
from inspection.i18n import lazy_gettext as _l


def _of_enterprise(case: AssignedCase) -> bool:
    return not case.of_park


def _of_park(case: AssignedCase) -> bool:
    return case.of_park


def _posted_first(case: AssignedCase) -> bool:
    return case.needs_posting


def _closes_without_posting(case: AssignedCase) -> bool:
    return not case.needs_posting


OWED = OWED_CASE_STATES
RESPONSIBLE = (
    (ENTERPRISE, _of_enterprise),
    (STAFF, _of_park),
)


def _responsible(event: str, sources: frozenset[str], target: str | None) -> tuple:
    return tuple(
        Transition(event, sources, target, roles, guard=guard) for roles, guard in RESPONSIBLE
    )


TRANSITIONS: tuple[Transition, ...] = (
    *_responsible("acknowledge", frozenset({S.ASSIGNED}), S.ACKNOWLEDGED),
    *_responsible("plan", frozenset({S.ACKNOWLEDGED, S.RECTIFYING}), S.RECTIFYING),
    *_responsible("report", frozenset({S.RECTIFYING}), None),
    *_responsible("submit", frozenset({S.RECTIFYING}), S.SUBMITTED),
    Transition("accept", frozenset({S.SUBMITTED}), S.ACCEPTED, STAFF),
    Transition("reject", frozenset({S.SUBMITTED}), S.RECTIFYING, STAFF, needs_comment=True),
    Transition("post", frozenset({S.ACCEPTED}), S.POSTING, STAFF, guard=_posted_first),
    Transition("object", frozenset({S.POSTING}), S.RECTIFYING, STAFF, needs_comment=True),
    Transition("close", frozenset({S.POSTING}), S.CLOSED, SUPERVISOR, guard=_posted_first),
    Transition(
        "close", frozenset({S.ACCEPTED}), S.CLOSED, SUPERVISOR, guard=_closes_without_posting
    ),
    Transition("remind", OWED, None, STAFF),
)
EVENTS: dict[str, list[Transition]] = {}
for _row in TRANSITIONS:
    EVENTS.setdefault(_row.event, []).append(_row)


def _rows_for(case: AssignedCase, event: str) -> list[Transition]:
    return [
        row
        for row in EVENTS.get(event, [])
        if case.state in row.sources and (row.guard is None or row.guard(case))
    ]


def allowed_events(case: AssignedCase, user: User) -> set[str]:
    """The events this user could fire on this case now (for showing the right buttons)."""
    if user.role == Role.ENTERPRISE and user.enterprise_id != case.enterprise_id:
        return set()
    return {
        event for event in EVENTS if any(user.role in row.roles for row in _rows_for(case, event))
    }


def check(
    case: AssignedCase, event: str, actor: User, *, expected_version: int | None = None
) -> Transition:
    """Raise the reason why `actor` may not fire `event` on `case` now; change nothing."""
    rows = EVENTS.get(event)
    if not rows:
        raise DomainError(_("Unknown action %(event)s.", event=event))
    if actor.role == Role.ENTERPRISE and actor.enterprise_id != case.enterprise_id:
        raise NotFound(_("There is nothing here, or it is not yours to see."))
    if expected_version is not None:
        check_version(case.version, expected_version)
    matching = _rows_for(case, event)
    if matching and not any(actor.role in row.roles for row in matching):
        raise Forbidden(
            _(
                "As %(role)s you cannot do this (%(action)s) to an assigned case.",
                role=labels.label(labels.ROLES, actor.role),
                action=labels.label(CASE_EVENTS, event),
            )
        )
    if not matching:
        raise IllegalTransition(
            _(
                "Case %(number)s is %(state)s, so it cannot be %(action)s. Nothing was changed.",
                number=case.number,
                state=labels.label(CASE_STATES, case.state),
                action=labels.label(CASE_EVENTS, event),
            )
        )
    return next(row for row in matching if actor.role in row.roles)


def apply(
    session: Session,
    case: AssignedCase,
    event: str,
    actor: User,
    *,
    comment: str | None = None,
    data: dict | None = None,
    expected_version: int | None = None,
) -> CaseEvent:
    """Fire `event` on a case: check it, change the state and write the chained history."""
    transition = check(case, event, actor, expected_version=expected_version)
    comment = (comment or "").strip() or None
    if transition.needs_comment and not comment:
        raise DomainError(_("Give a reason for this decision; it is kept in the history."))
    previous = case.state
    target = transition.target or previous
    now = clock.now()
    case.state = target
    case.version += 1
    case.updated_at = now
    if target == S.CLOSED:
        case.closed_at = now
        case.closed_by_id = actor.id
    elif previous == S.CLOSED:
        case.closed_at = None
    session.flush()
    return _append(session, case, event, previous, target, actor, comment, data or {}, now)


def _append(session, case, event, from_state, to_state, actor, comment, data, at) -> CaseEvent:
    return append_link(
        session,
        CaseEvent,
        CaseEvent.case_id,
        case.id,
        hash_of=event_hash,
        case_id=case.id,
        event=event,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor.id if actor else None,
        at=at,
        comment=comment,
        data=canonical_json(data),
    )


def event_hash(event: CaseEvent) -> str:
    """The hash over everything a case event says, including the previous event's hash."""
    return digest({"case_id": event.case_id, **step_payload(event)})


def record_system_step(session: Session, case: AssignedCase, event: str, data: dict) -> CaseEvent:
    """A step the system records without changing the state (the sweep's escalation), with no
    actor, chained like every other."""
    return _append(session, case, event, case.state, case.state, None, None, data, clock.now())


def record_import(session: Session, case: AssignedCase, actor: User) -> CaseEvent:
    """The first step of an imported case's history."""
    return _append(
        session,
        case,
        "assign",
        None,
        case.state,
        actor,
        None,
        {"batch": case.batch_id},
        clock.now(),
    )


CASE_STATES = {
    S.ASSIGNED: _l("Assigned"),
    S.ACKNOWLEDGED: _l("Acknowledged"),
    S.RECTIFYING: _l("Rectifying"),
    S.SUBMITTED: _l("Awaiting acceptance"),
    S.ACCEPTED: _l("Accepted"),
    S.POSTING: _l("Publicly posted"),
    S.CLOSED: _l("Closed (销号)"),
}
CASE_EVENTS = {
    "assign": _l("assigned"),
    "acknowledge": _l("acknowledged"),
    "plan": _l("given a plan"),
    "report": _l("given a progress report"),
    "submit": _l("submitted for acceptance"),
    "accept": _l("accepted"),
    "reject": _l("sent back"),
    "post": _l("publicly posted"),
    "object": _l("objected to"),
    "close": _l("closed"),
    "remind": _l("reminded"),
    "escalate_overdue": _l("reported overdue to the supervisors"),
}


def verify_chain(session: Session, *, batch: int = 5000) -> list[BrokenLink]:
    """Recompute every case's history chain and report each step that does not fit (the chain
    of a problem is the case's id)."""
    events = batched(
        lambda offset, limit: session.exec(
            select(CaseEvent).order_by(CaseEvent.case_id, CaseEvent.seq).offset(offset).limit(limit)
        ).all(),
        batch=batch,
    )
    return list(broken_links(events, chain_of=lambda e: e.case_id, hash_of=event_hash))
