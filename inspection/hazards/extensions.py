"""延期: the enterprise asks before the deadline; a supervisor (or inspector, per park) decides.

The park's settings say how many working days ahead a request must come, how many working
days the decision may take, and how far extensions may take a deadline; a listed hazard's
extensions are always decided by a supervisor.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.campaigns.models import Holiday
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.hazards import lifecycle
from inspection.hazards.context import hazard_link
from inspection.hazards.context import hazard_params
from inspection.hazards.context import lock
from inspection.hazards.context import park_of
from inspection.hazards.models import ExtensionRequest
from inspection.hazards.models import ExtensionStatus
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardLevel
from inspection.notifications.services import enterprise_users
from inspection.notifications.services import notify
from inspection.notifications.services import supervisors
from inspection.parks.models import Park
from inspection.risk.services import hazard_moved


def pending_request(session: Session, hazard_id: int) -> ExtensionRequest | None:
    """The extension request of a hazard still waiting for a decision."""
    return session.exec(
        select(ExtensionRequest).where(
            ExtensionRequest.hazard_id == hazard_id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
    ).first()


def requests_of(session: Session, hazard_id: int) -> list[ExtensionRequest]:
    """A hazard's extension requests, newest first."""
    return list(
        session.exec(
            select(ExtensionRequest)
            .where(ExtensionRequest.hazard_id == hazard_id)
            .order_by(ExtensionRequest.id.desc())
        )
    )


def approver_role(session: Session, hazard: Hazard) -> str:
    """Who decides this hazard's extensions: the park's choice, but always a supervisor for a
    hazard listed for supervision (挂牌督办)."""
    if hazard.listed:
        return Role.SUPERVISOR
    return (
        Role.INSPECTOR
        if park_of(session, hazard).extension_approver == "inspector"
        else (Role.SUPERVISOR)
    )


def _check_approver(session: Session, hazard: Hazard, actor: User) -> None:
    """Refuse a decision by anyone but the one who decides this hazard's extensions."""
    role = approver_role(session, hazard)
    if actor.role == role:
        return
    if hazard.listed:
        raise Forbidden(
            _(
                "Extensions of a hazard listed for supervision (挂牌督办) are decided by a"
                " supervisor, whatever the park's setting. Nothing was changed."
            )
        )
    raise Forbidden(
        _(
            "In this park extensions are decided by %(role)s.",
            role=_("a supervisor") if role == Role.SUPERVISOR else _("the inspector"),
        )
    )


def _days_off(session: Session, park_id: int, start: date, end: date) -> set[date]:
    """The park's holidays between two days (weekends are counted apart)."""
    days: set[date] = set()
    for holiday in session.exec(
        select(Holiday).where(
            Holiday.park_id == park_id, Holiday.end_date >= start, Holiday.start_date <= end
        )
    ):
        day = holiday.start_date
        while day <= holiday.end_date:
            days.add(day)
            day += timedelta(days=1)
    return days


def working_days_between(session: Session, park_id: int, start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (Monday to Friday, not a holiday
    the park has recorded)."""
    if end <= start:
        return 0
    off = _days_off(session, park_id, start, end)
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        if day.weekday() < 5 and day not in off:
            count += 1
        day += timedelta(days=1)
    return count


def add_working_days(session: Session, park_id: int, start: date, days: int) -> date:
    """The day `days` working days after `start`."""
    off = _days_off(session, park_id, start, start + timedelta(days=days * 3 + 30))
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            days -= 1
    return day


def lead_days(park: Park, hazard: Hazard) -> int:
    """How many working days before the deadline this hazard's extension must be asked for."""
    if hazard.level == HazardLevel.MAJOR:
        return park.extension_lead_days_major
    return park.extension_lead_days_general


def latest_deadline(park: Park, hazard: Hazard) -> date:
    """The furthest any extension may take this hazard's deadline (the park's cap)."""
    return clock.local(hazard.found_at).date() + timedelta(days=park.rectification_max_days)


def _check_cap(park: Park, hazard: Hazard, new_deadline: date, field: str | None = None) -> None:
    cap = latest_deadline(park, hazard)
    if new_deadline > cap:
        raise DomainError(
            _(
                "The park's extension rule caps a rectification at %(days)s days from the"
                " finding, so the deadline can be moved to %(cap)s at the latest. Nothing was"
                " changed.",
                days=park.rectification_max_days,
                cap=cap.isoformat(),
            ),
            field=field,
        )


def request_extension(
    session: Session,
    *,
    hazard: Hazard,
    actor: User,
    reason: str,
    requested_deadline: date | None,
    expected_version: int,
) -> ExtensionRequest:
    """Ask for a later deadline, with a reason, before the deadline has passed."""
    lock(session, hazard)
    lifecycle.check(hazard, "request_extension", actor, expected_version=expected_version)
    today = clock.today()
    if hazard.deadline is None or today > hazard.deadline:
        raise DomainError(
            _(
                "An extension must be asked for before the deadline (%(deadline)s). The hazard"
                " is now overdue; rectify it and report the rectification.",
                deadline=hazard.deadline.isoformat() if hazard.deadline else "—",
            )
        )
    if requested_deadline is None or requested_deadline <= hazard.deadline:
        raise DomainError(
            _("Choose a new deadline later than the current one."), field="requested_deadline"
        )
    park = park_of(session, hazard)
    needed = lead_days(park, hazard)
    left = working_days_between(session, hazard.park_id, today, hazard.deadline)
    if left < needed:
        raise DomainError(
            _(
                "The park's extension rule asks for a request at least %(needed)s working days"
                " before the deadline (%(deadline)s); only %(left)s are left. Rectify by the"
                " deadline, or ask the inspector about the next steps. Nothing was changed.",
                needed=needed,
                deadline=hazard.deadline.isoformat(),
                left=left,
            )
        )
    _check_cap(park, hazard, requested_deadline, field="requested_deadline")
    if pending_request(session, hazard.id) is not None:
        raise DomainError(_("An extension request for this hazard is already waiting."))
    event = lifecycle.apply(
        session,
        hazard,
        "request_extension",
        actor,
        comment=reason,
        data={"old": hazard.deadline.isoformat(), "requested": requested_deadline.isoformat()},
    )
    request = ExtensionRequest(
        hazard_id=hazard.id,
        reason=event.comment,
        old_deadline=hazard.deadline,
        requested_deadline=requested_deadline,
        requested_by_id=actor.id,
        requested_at=event.at,
        decide_by=add_working_days(session, hazard.park_id, today, park.extension_decision_days),
    )
    session.add(request)
    session.flush()
    role = approver_role(session, hazard)
    deciders = (
        supervisors(session, hazard.park_id)
        if role == Role.SUPERVISOR
        else [session.get(User, hazard.assigned_inspector_id or hazard.found_by_id)]
    )
    notify(
        session,
        deciders,
        kind="extension_requested",
        key=f"extension:{request.id}",
        params=hazard_params(
            session,
            hazard,
            old=hazard.deadline.isoformat(),
            new=requested_deadline.isoformat(),
            reason=request.reason,
        ),
        link=hazard_link(hazard),
        hazard_id=hazard.id,
    )
    return request


def decide_extension(
    session: Session,
    *,
    request: ExtensionRequest,
    actor: User,
    approve: bool,
    comment: str | None,
) -> ExtensionRequest:
    """Approve (the deadline moves; the original stays on record) or refuse a request."""
    hazard = lock(session, session.get(Hazard, request.hazard_id))
    session.refresh(request, with_for_update=True)
    if actor.role in (Role.SUPERVISOR, Role.INSPECTOR):
        _check_approver(session, hazard, actor)
    lifecycle.check(hazard, "decide_extension", actor)
    if request.status != ExtensionStatus.PENDING:
        raise DomainError(_("This request was already decided. Nothing was changed."))
    if approve:
        _check_cap(park_of(session, hazard), hazard, request.requested_deadline)
    comment = (comment or "").strip() or None
    if not approve and not comment:
        raise DomainError(
            _("Give a reason for refusing; the enterprise will read it."), field="comment"
        )
    old = hazard.deadline
    lifecycle.apply(
        session,
        hazard,
        "decide_extension",
        actor,
        comment=comment,
        data={
            "request": request.id,
            "approved": approve,
            "old": old.isoformat() if old else None,
            "new": request.requested_deadline.isoformat() if approve else None,
        },
    )
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    request.decided_by_id = actor.id
    request.decided_at = clock.now()
    request.decision_comment = comment
    if approve:
        hazard.deadline = request.requested_deadline
        session.flush()
        hazard_moved(session, hazard, "extension")
    session.flush()
    notify(
        session,
        enterprise_users(session, hazard.enterprise_id),
        kind="extension_approved" if approve else "extension_refused",
        key=f"extension-decided:{request.id}",
        params=hazard_params(
            session,
            hazard,
            old=old.isoformat() if old else "",
            new=request.requested_deadline.isoformat(),
            reason=comment or "",
        ),
        link=hazard_link(hazard),
        hazard_id=hazard.id,
    )
    return request


def extend_directly(
    session: Session, *, hazard: Hazard, actor: User, new_deadline: date | None, reason: str
) -> Hazard:
    """An approver moves a deadline without a request (e.g. for many hazards at once)."""
    lock(session, hazard)
    _check_approver(session, hazard, actor)
    lifecycle.check(hazard, "decide_extension", actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for the new deadline; it is kept in the history."))
    if new_deadline is None or hazard.deadline is None or new_deadline <= hazard.deadline:
        raise DomainError(_("The new deadline must be later than the current one."))
    _check_cap(park_of(session, hazard), hazard, new_deadline)
    lifecycle.apply(
        session,
        hazard,
        "decide_extension",
        actor,
        comment=reason,
        data={
            "approved": True,
            "old": hazard.deadline.isoformat(),
            "new": new_deadline.isoformat(),
            "direct": True,
        },
    )
    old = hazard.deadline
    hazard.deadline = new_deadline
    session.flush()
    hazard_moved(session, hazard, "extension")
    notify(
        session,
        enterprise_users(session, hazard.enterprise_id),
        kind="extension_approved",
        key=f"extension-direct:{hazard.id}:{hazard.version}",
        params=hazard_params(session, hazard, old=old.isoformat(), new=new_deadline.isoformat()),
        link=hazard_link(hazard),
        hazard_id=hazard.id,
    )
    return hazard
