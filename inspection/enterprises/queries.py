"""Reading enterprises and zones, scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case
from sqlmodel import Session
from sqlmodel import or_
from sqlmodel import select

from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.auth.scope import request_scope
from inspection.enterprises.models import INDUSTRY_SECTORS
from inspection.enterprises.models import RISK_FLAGS
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Zone
from inspection.pagination import Page
from inspection.pagination import paginate
from inspection.risk.models import GRADES
from inspection.risk.models import RANK
from inspection.risk.models import EnterpriseRisk


@dataclass
class EnterpriseFilters:
    """The list's search box and filters, already checked."""

    q: str = ""
    zone_id: int | None = None
    industry: str | None = None
    risk: str | None = None
    active: bool | None = True
    # Risk grade (red/orange/yellow/blue), and the order: by name, or worst grade first.
    grade: str | None = None
    sort: str = "name"

    @classmethod
    def from_args(cls, args) -> EnterpriseFilters:
        """Read filters from the query string; unknown values are ignored."""
        zone = args.get("zone", "")
        industry = args.get("industry") or None
        risk = args.get("risk") or None
        return cls(
            q=args.get("q", "").strip()[:100],
            zone_id=int(zone) if zone.isdigit() and len(zone) < 10 else None,
            industry=industry if industry in INDUSTRY_SECTORS else None,
            risk=risk if risk in RISK_FLAGS else None,
            active=args.get("inactive") != "1",
            grade=args.get("grade") if args.get("grade") in GRADES else None,
            sort="grade" if args.get("sort") == "grade" else "name",
        )


def visible_enterprises(user: User):
    """A select of the enterprises the user may see."""
    return select(Enterprise).where(request_scope(user).rows(Enterprise.park_id, Enterprise.id))


def get_enterprise(session: Session, user: User, enterprise_id: int) -> Enterprise | None:
    """One enterprise, if the user may see it."""
    return session.exec(visible_enterprises(user).where(Enterprise.id == enterprise_id)).first()


def list_enterprises(
    session: Session, user: User, filters: EnterpriseFilters, *, page: int, per_page: int
) -> Page:
    """A page of enterprises matching the filters."""
    stmt = visible_enterprises(user)
    if filters.q:
        pattern = f"%{filters.q}%"
        stmt = stmt.where(
            or_(
                Enterprise.name.ilike(pattern),
                Enterprise.credit_code.ilike(pattern),
                Enterprise.contact_name.ilike(pattern),
                Enterprise.address.ilike(pattern),
            )
        )
    if filters.zone_id is not None:
        stmt = stmt.where(Enterprise.zone_id == filters.zone_id)
    if filters.industry:
        stmt = stmt.where(Enterprise.industry == filters.industry)
    if filters.risk:
        stmt = stmt.where(getattr(Enterprise, f"risk_{filters.risk}").is_(True))
    if filters.active is not None:
        stmt = stmt.where(Enterprise.active.is_(filters.active))
    if filters.grade or filters.sort == "grade":
        stmt = stmt.outerjoin(EnterpriseRisk, EnterpriseRisk.enterprise_id == Enterprise.id)
    if filters.grade:
        stmt = stmt.where(EnterpriseRisk.grade == filters.grade)
    if filters.sort == "grade":
        worst = case({g: RANK[g] for g in GRADES}, value=EnterpriseRisk.grade, else_=-1)
        stmt = stmt.order_by(
            worst.desc(), EnterpriseRisk.score.desc().nulls_last(), Enterprise.name
        )
    else:
        stmt = stmt.order_by(Enterprise.name)
    return paginate(session, stmt, page=page, per_page=per_page)


def zones(session: Session, park_id: int) -> list[Zone]:
    """The park's zones by name."""
    return list(session.exec(select(Zone).where(Zone.park_id == park_id).order_by(Zone.name)))


def zones_in(session: Session, scope: Scope) -> list[Zone]:
    """The zones of the parks in scope, by name (for list filters)."""
    return list(
        session.exec(select(Zone).where(scope.parks(Zone.park_id)).order_by(Zone.name, Zone.id))
    )


def zone_names(session: Session) -> dict[int, str]:
    """Zone names by id, for lists."""
    return {zone.id: zone.name for zone in session.exec(select(Zone))}
