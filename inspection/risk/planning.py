"""Confirming the coming month's risk-based inspections: a supervisor reviews the proposals and
plans the chosen ones for the chosen inspectors; those at their cap need the reason."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session

from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionStatus
from inspection.inspections.models import InspectionType
from inspection.inspections.services import open_inspection
from inspection.inspections.services import team_members
from inspection.parks.models import Park
from inspection.risk.frequency import month_bounds
from inspection.risk.frequency import proposals


def confirm(
    session: Session,
    *,
    park: Park,
    actor: User,
    month: date,
    enterprise_ids: list[int],
    inspector_ids: list[int],
    over_cap_reason: str | None,
) -> list[Inspection]:
    """Plan one inspection in `month` for each chosen proposal, by the chosen team."""
    if actor.role != Role.SUPERVISOR:
        raise Forbidden(_("Only supervisors confirm the month's risk-based inspections."))
    offered = {p.enterprise_id: p for p in proposals(session, park.id, month)}
    chosen = [eid for eid in dict.fromkeys(enterprise_ids) if eid in offered]
    if not chosen:
        raise DomainError(_("Tick at least one of the proposed enterprises."))
    team = team_members(session, inspector_ids, park=park)
    if not team:
        raise DomainError(_("Choose at least one inspector."))
    first, last = month_bounds(month)
    planned = []
    for eid in chosen:
        planned.append(
            open_inspection(
                session,
                enterprise=session.get(Enterprise, eid),
                actor=actor,
                team=team,
                type=InspectionType.ROUTINE,
                planned_date=max(first, offered[eid].due) if offered[eid].due <= last else first,
                enforcement=False,
                summary=_("Risk-based inspection (%(grade)s)", grade=offered[eid].grade),
                status=InspectionStatus.PLANNED,
                due_date=last,
                over_cap_reason=over_cap_reason,
            )
        )
    return planned
