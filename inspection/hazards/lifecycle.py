"""The hazard lifecycle: which event may move a hazard from which state to which, and who may.

Every state change goes through `apply()`; anything not in the table is refused with a message
that says what the hazard's state is and what can be done instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlmodel import Session

from inspection import clock
from inspection import labels
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.errors import NotFound
from inspection.errors import check_version
from inspection.hazards.audit import append_event
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.hazards.models import HazardState as S
from inspection.risk.services import hazard_moved
from inspection.statistics import tally

INSPECTOR = frozenset({Role.INSPECTOR})
ENTERPRISE = frozenset({Role.ENTERPRISE})
SUPERVISOR = frozenset({Role.SUPERVISOR})
STAFF = frozenset({Role.INSPECTOR, Role.SUPERVISOR})
OPEN = frozenset({S.ISSUED, S.ACKNOWLEDGED, S.RECTIFYING, S.SUBMITTED})
OWED = frozenset({S.ISSUED, S.ACKNOWLEDGED, S.RECTIFYING})


def _listed(hazard: Hazard) -> bool:
    return hazard.listed


def _not_listed(hazard: Hazard) -> bool:
    return not hazard.listed


def _major_not_listed(hazard: Hazard) -> bool:
    return hazard.level == "major" and not hazard.listed


@dataclass(frozen=True)
class Transition:
    """One row of the table: `event` moves a hazard from any of `sources` to `target`.

    A target of None records the event and leaves the state as it is (an extension request,
    a reminder). A guard narrows the row to hazards it holds for (a listed hazard is accepted
    first and closed only when a supervisor approves its removal from the list).
    """

    event: str
    sources: frozenset[str]
    target: str | None
    roles: frozenset[str]
    needs_comment: bool = False
    guard: Callable[[Hazard], bool] | None = None


TRANSITIONS: tuple[Transition, ...] = (
    Transition("fix_on_spot", frozenset({S.FOUND}), S.CLOSED, INSPECTOR),
    Transition("issue", frozenset({S.FOUND}), S.ISSUED, INSPECTOR),
    Transition("acknowledge", frozenset({S.ISSUED}), S.ACKNOWLEDGED, ENTERPRISE),
    Transition("plan", frozenset({S.ACKNOWLEDGED, S.RECTIFYING}), S.RECTIFYING, ENTERPRISE),
    Transition("submit", frozenset({S.ACKNOWLEDGED, S.RECTIFYING}), S.SUBMITTED, ENTERPRISE),
    Transition("accept", frozenset({S.SUBMITTED}), S.CLOSED, INSPECTOR, guard=_not_listed),
    Transition("accept", frozenset({S.SUBMITTED}), S.ACCEPTED, INSPECTOR, guard=_listed),
    Transition("reject", frozenset({S.SUBMITTED}), S.RECTIFYING, INSPECTOR, needs_comment=True),
    Transition("delist", frozenset({S.ACCEPTED}), S.CLOSED, SUPERVISOR),
    Transition("refuse", OWED, S.ESCALATED, STAFF, needs_comment=True),
    Transition("resume", frozenset({S.ESCALATED}), S.RECTIFYING, SUPERVISOR, needs_comment=True),
    Transition("void", frozenset({S.FOUND}) | OPEN, S.VOIDED, STAFF, needs_comment=True),
    # Events that leave the state as it is.
    Transition("request_extension", OWED, None, ENTERPRISE, needs_comment=True),
    Transition("decide_extension", OWED | {S.SUBMITTED}, None, STAFF),
    Transition("list", frozenset({S.FOUND}) | OPEN, None, SUPERVISOR, guard=_major_not_listed),
    Transition("reassign", frozenset({S.FOUND}) | OPEN | {S.ACCEPTED}, None, STAFF),
    Transition("remind", OWED, None, STAFF),
)
EVENTS: dict[str, list[Transition]] = {}
for _row in TRANSITIONS:
    EVENTS.setdefault(_row.event, []).append(_row)


class IllegalTransition(DomainError):
    """The event is not allowed from the hazard's current state."""

    status = 409
    code = "illegal_transition"


def _rows_for(hazard: Hazard, event: str) -> list[Transition]:
    return [
        row
        for row in EVENTS.get(event, [])
        if hazard.state in row.sources and (row.guard is None or row.guard(hazard))
    ]


def allowed_events(hazard: Hazard, user: User) -> set[str]:
    """The events this user could fire on this hazard now (for showing the right buttons)."""
    if user.role == Role.ENTERPRISE and user.enterprise_id != hazard.enterprise_id:
        return set()
    return {
        event for event in EVENTS if any(user.role in row.roles for row in _rows_for(hazard, event))
    }


def check(
    hazard: Hazard,
    event: str,
    actor: User,
    *,
    expected_version: int | None = None,
) -> Transition:
    """Raise the reason why `actor` may not fire `event` on `hazard` now; change nothing."""
    rows = EVENTS.get(event)
    if not rows:
        raise DomainError(_("Unknown action %(event)s.", event=event))
    if actor.role == Role.ENTERPRISE and actor.enterprise_id != hazard.enterprise_id:
        raise NotFound(_("There is nothing here, or it is not yours to see."))
    if not any(actor.role in row.roles for row in rows):
        raise Forbidden(
            _(
                "As %(role)s you cannot do this (%(action)s) to a hazard.",
                role=labels.label(labels.ROLES, actor.role),
                action=labels.label(labels.HAZARD_EVENTS, event),
            )
        )
    if expected_version is not None:
        check_version(hazard.version, expected_version)
    matching = _rows_for(hazard, event)
    if not matching:
        in_state = [row for row in rows if hazard.state in row.sources]
        if in_state and event == "list":
            raise IllegalTransition(
                _(
                    "Only an open major hazard that is not listed yet can be listed for"
                    " supervision. Nothing was changed."
                )
            )
        raise IllegalTransition(
            _(
                "Hazard %(number)s is %(state)s, so it cannot be %(action)s. Nothing was changed.",
                number=hazard.number,
                state=labels.label(labels.HAZARD_STATES, hazard.state),
                action=labels.label(labels.HAZARD_EVENTS, event),
            )
        )
    return matching[0]


def apply(
    session: Session,
    hazard: Hazard,
    event: str,
    actor: User,
    *,
    comment: str | None = None,
    data: dict | None = None,
    expected_version: int | None = None,
) -> HazardEvent:
    """Fire `event` on a locked hazard: check it, change the state and write the audit event."""
    transition = check(hazard, event, actor, expected_version=expected_version)
    comment = (comment or "").strip() or None
    if transition.needs_comment and not comment:
        raise DomainError(_("Give a reason for this decision; it is kept in the history."))
    previous = hazard.state
    target = transition.target or previous
    now = clock.now()
    hazard.state = target
    hazard.version += 1
    hazard.updated_at = now
    if target == S.CLOSED:
        hazard.closed_at = now
        hazard.closed_by_id = actor.id
        tally.hazard_closed(session, hazard)
    elif target == S.VOIDED and previous != S.VOIDED:
        tally.hazard_voided(session, hazard)
    session.flush()
    if target != previous:
        hazard_moved(session, hazard, event)
    return append_event(
        session,
        hazard,
        event=event,
        from_state=previous,
        to_state=target,
        actor=actor,
        comment=comment,
        data=data or {},
        at=now,
    )
