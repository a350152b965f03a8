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
from inspection.hazards.reviewers import may_review
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


def _unconfirmed_major(hazard: Hazard) -> bool:
    return hazard.level == "major" and hazard.confirmed_at is None


def _stopped_not_resumed(hazard: Hazard) -> bool:
    return hazard.stop_production and hazard.resumption_approved_at is None


def on_spot_refusal(level: str, *, listed: bool = False) -> str | None:
    """Why a hazard of this level (listed or not) may not be fixed on the spot, if it may not."""
    if listed:
        return _(
            "A hazard listed for supervision (挂牌督办) cannot be fixed on the spot: it closes"
            " only when its supervisor approves removing it from the list (摘牌销号). Nothing"
            " was changed."
        )
    if level == "major":
        return _(
            "A major hazard cannot be fixed on the spot (即查即改): under"
            " 《安全生产事故隐患排查治理暂行规定》第十五条 the enterprise's principal person in"
            " charge rectifies it under a plan (治理方案). Record it for rectification by a"
            " deadline. Nothing was changed."
        )
    return None


def _on_spot_rule(hazard: Hazard, actor: User) -> str | None:
    return on_spot_refusal(hazard.level, listed=hazard.listed)


def _delist_rule(hazard: Hazard, actor: User) -> str | None:
    if _stopped_not_resumed(hazard):
        return _(
            "Production was stopped for this hazard, so it is removed from the list only after"
            " the resume-production review (复产审查, 《安全生产事故隐患排查治理暂行规定》"
            "第十八条、第二十三条). Review the enterprise's application first. Nothing was"
            " changed."
        )
    return None


def _void_rule(hazard: Hazard, actor: User) -> str | None:
    if actor.role == Role.SUPERVISOR:
        return None
    if hazard.listed:
        return _(
            "A hazard listed for supervision (挂牌督办) can be voided only by a supervisor."
            " Ask a supervisor to void it. Nothing was changed."
        )
    if hazard.level == "major":
        return _(
            "Voiding a major hazard (重大事故隐患) needs a supervisor: it is on the regulator's"
            " register of major hazards (安全生产法 第四十一条). Ask a supervisor to void it."
            " Nothing was changed."
        )
    return None


# Rules the law sets on an event beyond its row in the table; each gives the refusal to show.
RULES: dict[str, tuple[Callable[[Hazard, User], str | None], ...]] = {
    "fix_on_spot": (_on_spot_rule,),
    "void": (_void_rule,),
    "delist": (_delist_rule,),
}


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
    # Narrows who of `roles` may fire it on this hazard (the finder may not re-inspect).
    actor_guard: Callable[[Hazard, User], bool] | None = None

    def admits(self, hazard: Hazard, user: User) -> bool:
        """True when this user's role may fire the row on this hazard."""
        return user.role in self.roles and (
            self.actor_guard is None or self.actor_guard(hazard, user)
        )


TRANSITIONS: tuple[Transition, ...] = (
    Transition("fix_on_spot", frozenset({S.FOUND}), S.CLOSED, INSPECTOR),
    Transition("issue", frozenset({S.FOUND}), S.ISSUED, INSPECTOR),
    Transition("acknowledge", frozenset({S.ISSUED}), S.ACKNOWLEDGED, ENTERPRISE),
    Transition("plan", frozenset({S.ACKNOWLEDGED, S.RECTIFYING}), S.RECTIFYING, ENTERPRISE),
    Transition("submit", frozenset({S.ACKNOWLEDGED, S.RECTIFYING}), S.SUBMITTED, ENTERPRISE),
    Transition(
        "accept",
        frozenset({S.SUBMITTED}),
        S.CLOSED,
        INSPECTOR,
        guard=_not_listed,
        actor_guard=may_review,
    ),
    Transition(
        "accept",
        frozenset({S.SUBMITTED}),
        S.ACCEPTED,
        INSPECTOR,
        guard=_listed,
        actor_guard=may_review,
    ),
    Transition(
        "reject",
        frozenset({S.SUBMITTED}),
        S.RECTIFYING,
        INSPECTOR,
        needs_comment=True,
        actor_guard=may_review,
    ),
    Transition("delist", frozenset({S.ACCEPTED}), S.CLOSED, SUPERVISOR),
    Transition("refuse", OWED, S.ESCALATED, STAFF, needs_comment=True),
    Transition("resume", frozenset({S.ESCALATED}), S.RECTIFYING, SUPERVISOR, needs_comment=True),
    Transition("void", frozenset({S.FOUND}) | OPEN, S.VOIDED, STAFF, needs_comment=True),
    # Events that leave the state as it is.
    Transition("request_extension", OWED, None, ENTERPRISE, needs_comment=True),
    Transition("decide_extension", OWED | {S.SUBMITTED}, None, STAFF),
    Transition("list", frozenset({S.FOUND}) | OPEN, None, SUPERVISOR, guard=_major_not_listed),
    Transition("confirm", frozenset({S.FOUND}), None, SUPERVISOR, guard=_unconfirmed_major),
    Transition(
        "approve_resumption",
        frozenset({S.ACCEPTED, S.CLOSED}),
        None,
        SUPERVISOR,
        needs_comment=True,
        guard=_stopped_not_resumed,
    ),
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
        event
        for event in EVENTS
        if any(row.admits(hazard, user) for row in _rows_for(hazard, event))
        and not any(rule(hazard, user) for rule in RULES.get(event, ()))
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
    if matching and not any(row.admits(hazard, actor) for row in matching):
        raise Forbidden(
            _(
                "You found this hazard, so another inspector must re-inspect it (the park's"
                " rule). Ask a colleague, or have a supervisor reassign it."
            )
        )
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
    for rule in RULES.get(event, ()):
        refusal = rule(hazard, actor)
        if refusal:
            raise IllegalTransition(refusal)
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
        raise DomainError(
            _("Give a reason for this decision; it is kept in the history."), field="comment"
        )
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
