"""挂牌督办 (listing a major hazard for supervision) and 摘牌销号 (removing it from the list)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session

from inspection import clock
from inspection.auth.models import User
from inspection.errors import DomainError
from inspection.hazards import lifecycle
from inspection.hazards.context import hazard_link
from inspection.hazards.context import hazard_params
from inspection.hazards.context import lock
from inspection.hazards.models import Hazard
from inspection.hazards.models import SupervisionLevel
from inspection.notifications.services import enterprise_users
from inspection.notifications.services import notify
from inspection.risk.services import hazard_moved


def list_hazard(
    session: Session,
    *,
    hazard: Hazard,
    actor: User,
    level: str,
    body: str,
    listed_on: date | None,
    stop_production: bool,
    comment: str | None,
    expected_version: int,
) -> Hazard:
    """List an open major hazard for supervision at city, county or park level."""
    lock(session, hazard)
    lifecycle.check(hazard, "list", actor, expected_version=expected_version)
    if level not in set(SupervisionLevel):
        raise DomainError(_("Choose the level of supervision: city, county or park."))
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Name the supervising body, e.g. the county work safety committee."))
    listed_on = listed_on or clock.today()
    lifecycle.apply(
        session,
        hazard,
        "list",
        actor,
        comment=comment,
        data={
            "level": level,
            "body": body,
            "listed_on": listed_on.isoformat(),
            "stop_production": stop_production,
        },
    )
    hazard.supervision_level = level
    hazard.supervising_body = body
    hazard.listed_on = listed_on
    hazard.stop_production = stop_production
    session.flush()
    hazard_moved(session, hazard, "list")
    notify(
        session,
        enterprise_users(session, hazard.enterprise_id),
        kind="hazard_listed",
        key=f"listed:{hazard.id}",
        params=hazard_params(session, hazard, body=body),
        link=hazard_link(hazard),
        hazard_id=hazard.id,
    )
    return hazard


def delist_hazard(
    session: Session, *, hazard: Hazard, actor: User, comment: str | None, expected_version: int
) -> Hazard:
    """摘牌销号: a supervisor approves removing an accepted listed hazard; it closes."""
    lock(session, hazard)
    lifecycle.apply(
        session, hazard, "delist", actor, comment=comment, expected_version=expected_version
    )
    hazard.delisted_at = hazard.closed_at
    session.flush()
    notify(
        session,
        enterprise_users(session, hazard.enterprise_id),
        kind="hazard_closed",
        key=f"closed:{hazard.id}",
        params=hazard_params(session, hazard),
        link=hazard_link(hazard),
        hazard_id=hazard.id,
    )
    return hazard
