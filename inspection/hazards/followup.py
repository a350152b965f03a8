"""Following a hazard up: who is responsible for it, and reminding the enterprise."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import Session

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.errors import DomainError
from inspection.hazards import lifecycle
from inspection.hazards.context import hazard_link
from inspection.hazards.context import hazard_params
from inspection.hazards.context import lock
from inspection.hazards.models import Hazard
from inspection.inspections.services import check_serves
from inspection.notifications.services import enterprise_users
from inspection.notifications.services import notify
from inspection.parks.models import Park


def reassign(session: Session, *, hazard: Hazard, actor: User, inspector: User | None) -> Hazard:
    """Give the follow-up of a hazard to another inspector."""
    if inspector is None or inspector.role != Role.INSPECTOR or not inspector.active:
        raise DomainError(_("Choose an active inspector."))
    check_serves(inspector, session.get(Park, hazard.park_id))
    lock(session, hazard)
    lifecycle.check(hazard, "reassign", actor)
    if hazard.assigned_inspector_id == inspector.id:
        raise DomainError(
            _("%(name)s already follows this hazard up.", name=inspector.display_name)
        )
    lifecycle.apply(
        session,
        hazard,
        "reassign",
        actor,
        data={"from": hazard.assigned_inspector_id, "to": inspector.id},
    )
    hazard.assigned_inspector_id = inspector.id
    session.flush()
    notify(
        session,
        [inspector],
        kind="hazard_assigned",
        key=f"assigned:{hazard.id}:{hazard.version}",
        params=hazard_params(session, hazard),
        link=hazard_link(hazard),
        hazard_id=hazard.id,
    )
    return hazard


def remind(session: Session, *, hazard: Hazard, actor: User) -> Hazard:
    """Remind the enterprise of the deadline (at most once a day per hazard)."""
    lock(session, hazard)
    lifecycle.check(hazard, "remind", actor)
    today = clock.today().isoformat()
    created = notify(
        session,
        enterprise_users(session, hazard.enterprise_id),
        kind="reminder",
        key=f"manual-reminder:{hazard.id}:{today}",
        params=hazard_params(session, hazard),
        link=hazard_link(hazard),
        hazard_id=hazard.id,
    )
    if not created:
        raise DomainError(_("The enterprise was already reminded of this hazard today."))
    lifecycle.apply(session, hazard, "remind", actor, data={"recipients": len(created)})
    return hazard
