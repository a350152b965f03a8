"""Reading inspections, scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session
from sqlmodel import or_
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.auth.scope import request_scope
from inspection.enterprises.models import Enterprise
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardState
from inspection.hazards.models import Notice
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionInspector
from inspection.inspections.models import InspectionStatus
from inspection.inspections.models import InspectionType
from inspection.pagination import Page
from inspection.pagination import paginate


def visible_inspections(user: User):
    """A select of the inspections the user may see (never another enterprise's)."""
    scope = request_scope(user).rows(Inspection.park_id, Inspection.enterprise_id)
    if user.role == Role.ENTERPRISE:
        # Enterprise users see inspections through the notices issued to them, not directly.
        scope = Inspection.id.is_(None)
    return select(Inspection).where(scope)


def get_inspection(session: Session, user: User, inspection_id: int) -> Inspection | None:
    """One inspection, if the user may see it."""
    return session.exec(visible_inspections(user).where(Inspection.id == inspection_id)).first()


def my_open_inspections(session: Session, user: User) -> list[tuple[Inspection, str]]:
    """The inspector's inspections for today and those still open, with enterprise names."""
    today = clock.today()
    stmt = (
        select(Inspection, Enterprise.name)
        .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
        .join(InspectionInspector, InspectionInspector.inspection_id == Inspection.id)
        .where(InspectionInspector.user_id == user.id)
        .where(
            or_(
                Inspection.status != InspectionStatus.COMPLETED,
                Inspection.planned_date == today,
            )
        )
        .order_by(Inspection.planned_date, Inspection.id)
    )
    return list(session.exec(stmt))


@dataclass
class InspectionFilters:
    """Filters of the inspection list."""

    q: str = ""
    type: str | None = None
    status: str | None = None

    @classmethod
    def from_args(cls, args) -> InspectionFilters:
        """Read filters from the query string; unknown values are ignored."""
        type_ = args.get("type") or None
        status = args.get("status") or None
        return cls(
            q=args.get("q", "").strip()[:100],
            type=type_ if type_ in set(InspectionType) else None,
            status=status if status in set(InspectionStatus) else None,
        )


def list_inspections(
    session: Session, user: User, filters: InspectionFilters, *, page: int, per_page: int
) -> Page:
    """A page of inspections, newest first, with enterprise names."""
    stmt = (
        select(Inspection, Enterprise.name)
        .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
        .where(visible_inspections(user).whereclause)
    )
    if filters.q:
        stmt = stmt.where(Enterprise.name.ilike(f"%{filters.q}%"))
    if filters.type:
        stmt = stmt.where(Inspection.type == filters.type)
    if filters.status:
        stmt = stmt.where(Inspection.status == filters.status)
    stmt = stmt.order_by(Inspection.planned_date.desc(), Inspection.id.desc())
    return paginate(session, stmt, page=page, per_page=per_page)


def recent_for_enterprise(
    session: Session, user: User, enterprise_id: int, limit: int = 10
) -> list[Inspection]:
    """An enterprise's latest inspections."""
    return list(
        session.exec(
            visible_inspections(user)
            .where(Inspection.enterprise_id == enterprise_id)
            .order_by(Inspection.planned_date.desc(), Inspection.id.desc())
            .limit(limit)
        )
    )


def hazards_of(session: Session, inspection_id: int) -> list[Hazard]:
    """The hazards recorded in an inspection."""
    return list(
        session.exec(
            select(Hazard).where(Hazard.inspection_id == inspection_id).order_by(Hazard.id)
        )
    )


def team(session: Session, inspection_id: int) -> list[tuple[User, bool]]:
    """An inspection's inspectors with whether each leads it."""
    return list(
        session.exec(
            select(User, InspectionInspector.lead)
            .join(InspectionInspector, InspectionInspector.user_id == User.id)
            .where(InspectionInspector.inspection_id == inspection_id)
            .order_by(InspectionInspector.lead.desc(), User.display_name)
        )
    )


def inspector_names(session: Session, parks: Scope) -> list:
    """(id, display_name) of the active inspectors of the parks in scope, for filters and
    choices."""
    return list(
        session.exec(
            select(User.id, User.display_name)
            .where(User.role == Role.INSPECTOR, User.active.is_(True), parks.staff())
            .order_by(User.display_name)
        )
    )


def active_inspectors(session: Session, parks: Scope) -> list[User]:
    """Inspectors who can join a team in the parks of a scope."""
    return list(
        session.exec(
            select(User)
            .where(User.role == Role.INSPECTOR, User.active.is_(True), parks.staff())
            .order_by(User.display_name)
        )
    )


def hazard_saved_from(
    session: Session, *, key: str, inspection_id: int, user_id: int
) -> Hazard | None:
    """The hazard this user already saved in this inspection from the form with this key."""
    return session.exec(
        select(Hazard).where(
            Hazard.uuid == key,
            Hazard.inspection_id == inspection_id,
            Hazard.found_by_id == user_id,
        )
    ).first()


def notice_already_issued(session: Session, *, inspection_id: int, user_id: int):
    """The notice this user last issued for this inspection, when no hazard waits to be issued
    any more (so pressing Issue again has nothing to do); None otherwise."""
    waiting = session.exec(
        select(Hazard.id).where(
            Hazard.inspection_id == inspection_id, Hazard.state == HazardState.FOUND
        )
    ).first()
    if waiting is not None:
        return None
    return session.exec(
        select(Notice)
        .where(Notice.inspection_id == inspection_id, Notice.issued_by_id == user_id)
        .order_by(Notice.id.desc())
    ).first()
