"""专项行动: a campaign plans one inspection per chosen enterprise, with the same checklists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import func
from sqlmodel import select

from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.campaigns.models import Campaign
from inspection.enterprises.models import RISK_FLAGS
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.inspections import services
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionStatus
from inspection.parks.models import Park


@dataclass
class Selection:
    """Which enterprises of a park a campaign covers: by industry, risk flag and zone (all must
    match)."""

    park_id: int
    industry: str | None = None
    risk: str | None = None
    zone_id: int | None = None

    def statement(self):
        stmt = select(Enterprise).where(
            Enterprise.park_id == self.park_id, Enterprise.active.is_(True)
        )
        if self.industry:
            stmt = stmt.where(Enterprise.industry == self.industry)
        if self.risk in RISK_FLAGS:
            stmt = stmt.where(getattr(Enterprise, f"risk_{self.risk}").is_(True))
        if self.zone_id:
            stmt = stmt.where(Enterprise.zone_id == self.zone_id)
        return stmt.order_by(Enterprise.name)


def matching(session: Session, selection: Selection) -> list[Enterprise]:
    """The active enterprises a selection covers."""
    return list(session.exec(selection.statement()))


def create_campaign(
    session: Session,
    *,
    actor: User,
    park: Park,
    name: str,
    type: str,
    description: str | None,
    start_date: date,
    due_date: date,
    enforcement: bool,
    enterprise_ids: list[int],
    version_ids: list[int],
    inspector_ids: list[int],
    over_cap_reason: str | None = None,
) -> Campaign:
    """Plan the campaign's inspections: one per enterprise, the team and checklists on each."""
    if actor.role not in (Role.INSPECTOR, Role.SUPERVISOR):
        raise Forbidden(_("Only inspectors and supervisors can plan campaigns."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the campaign a name, e.g. 木制品企业专项整治."))
    if due_date < start_date:
        raise DomainError(_("The campaign cannot end before it starts."))
    if not enterprise_ids:
        raise DomainError(_("The selection covers no enterprise. Change the filters."))
    if not version_ids:
        raise DomainError(_("Choose at least one checklist for the campaign."))
    ids = list(inspector_ids)
    if actor.role == Role.INSPECTOR and actor.id not in ids:
        ids.insert(0, actor.id)
    team = services.team_members(session, ids, park=park)
    campaign = Campaign(
        park_id=park.id,
        name=name,
        type=type,
        description=(description or "").strip() or None,
        start_date=start_date,
        due_date=due_date,
        enforcement=enforcement,
        created_by_id=actor.id,
    )
    session.add(campaign)
    session.flush()
    for enterprise_id in dict.fromkeys(enterprise_ids):
        enterprise = session.get(Enterprise, enterprise_id)
        if enterprise is None or enterprise.park_id != park.id:
            raise DomainError(
                _("An enterprise of the selection no longer exists in %(park)s.", park=park.name)
            )
        inspection = services.open_inspection(
            session,
            enterprise=enterprise,
            actor=actor,
            team=team,
            type=type,
            planned_date=start_date,
            enforcement=enforcement,
            summary=None,
            status=InspectionStatus.PLANNED,
            campaign_id=campaign.id,
            due_date=due_date,
            over_cap_reason=over_cap_reason,
        )
        services.use_checklists(session, inspection, version_ids, for_campaign=True)
    return campaign


@dataclass
class CampaignProgress:
    """How far a campaign has come."""

    total: int
    started: int
    completed: int


def progress(session: Session, campaign_id: int) -> CampaignProgress:
    """Counts of the campaign's inspections by status."""
    counts = dict(
        session.exec(
            select(Inspection.status, func.count())
            .where(Inspection.campaign_id == campaign_id)
            .group_by(Inspection.status)
        ).all()
    )
    total = sum(counts.values())
    completed = counts.get(InspectionStatus.COMPLETED, 0)
    return CampaignProgress(
        total=total,
        started=total - counts.get(InspectionStatus.PLANNED, 0),
        completed=completed,
    )
