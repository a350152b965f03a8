"""Reads for the supervision pages that the figures do not cover: lists and workloads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.orm import load_only
from sqlmodel import Session
from sqlmodel import func
from sqlmodel import select

from inspection import clock
from inspection import labels
from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Zone
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardLevel
from inspection.hazards.models import HazardState
from inspection.hazards.models import overdue
from inspection.hazards.models import unclosed
from inspection.hazards.queries import LISTED
from inspection.hazards.queries import hazard_scope
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionInspector
from inspection.inspections.models import InspectionStatus
from inspection.inspections.queries import active_inspectors
from inspection.statistics import figures
from inspection.statistics.figures import Subject
from inspection.statistics.periods import Period
from inspection.statistics.periods import add_months


def overdue_list(session: Session, user: User, limit: int = 10) -> list[tuple[Hazard, str]]:
    """The longest-overdue hazards with their enterprise names."""
    return list(
        session.exec(
            select(Hazard, Enterprise.name)
            .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
            .options(load_only(*LISTED))
            .where(hazard_scope(user), overdue(clock.today()))
            .order_by(Hazard.deadline, Hazard.id)
            .limit(limit)
        )
    )


def open_major(session: Session, user: User, limit: int = 10) -> list[tuple[Hazard, str]]:
    """Major hazards not yet closed (the 动态清零 list)."""
    return list(
        session.exec(
            select(Hazard, Enterprise.name)
            .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
            .options(load_only(*LISTED))
            .where(hazard_scope(user), unclosed(), Hazard.level == HazardLevel.MAJOR)
            .order_by(Hazard.deadline, Hazard.id)
            .limit(limit)
        )
    )


def scope_name(session: Session, scope: Subject) -> str | None:
    """What the subject is called (a zone's or enterprise's name, an industry), if any; a
    zone, enterprise or inspector outside the subject's parks is unknown."""
    parks = scope.parks
    if scope.dimension == "park":
        return None
    if scope.dimension == "zone":
        zone = session.exec(
            select(Zone).where(Zone.id == int(scope.key), parks.parks(Zone.park_id))
        ).first()
        return zone.name if zone else _("an unknown zone")
    if scope.dimension == "enterprise":
        enterprise = session.exec(
            select(Enterprise).where(
                Enterprise.id == int(scope.key), parks.rows(Enterprise.park_id, Enterprise.id)
            )
        ).first()
        return enterprise.name if enterprise else _("an unknown enterprise")
    if scope.dimension == "inspector":
        user = session.exec(select(User).where(User.id == int(scope.key), parks.staff())).first()
        return user.display_name if user else _("an unknown inspector")
    if scope.dimension == "category":
        return labels.label(labels.HAZARD_CATEGORIES, scope.key)
    if scope.dimension == "source":
        return labels.label(labels.INSPECTION_TYPES, scope.key)
    return scope.key


def period_choices(today: date) -> list[Period]:
    """The periods offered in the picker: recent months, quarters and years."""
    this_month = today.replace(day=1)
    months = [Period.month(add_months(this_month, -n)) for n in range(6)]
    quarters = [Period.quarter(add_months(this_month, -3 * n)) for n in range(4)]
    years = [Period.year(today.year - n) for n in range(3)]
    return years[:1] + months + quarters + years[1:]


@dataclass
class Workload:
    """One inspector's load."""

    inspector: User
    open: int = 0
    overdue: int = 0
    to_review: int = 0
    planned: int = 0
    in_progress: int = 0
    found: int = 0


def workload(session: Session, period: Period, parks: Scope) -> list[Workload]:
    """Every active inspector's open hazards, re-inspections waiting and inspections ahead, in
    the parks in scope."""
    today = clock.today()
    rows = {user.id: Workload(user) for user in active_inspectors(session, parks)}
    hazards = session.exec(
        select(
            Hazard.assigned_inspector_id,
            func.count(),
            func.count().filter(overdue(today, among_unclosed=True)),
            func.count().filter(Hazard.state == HazardState.SUBMITTED),
        )
        .where(
            unclosed(), parks.parks(Hazard.park_id), Hazard.assigned_inspector_id.in_(list(rows))
        )
        .group_by(Hazard.assigned_inspector_id)
    )
    for user_id, open_, late, to_review in hazards:
        rows[user_id].open, rows[user_id].overdue, rows[user_id].to_review = (
            open_,
            late,
            to_review,
        )
    inspections = session.exec(
        select(InspectionInspector.user_id, Inspection.status, func.count())
        .join(Inspection, Inspection.id == InspectionInspector.inspection_id)
        .where(
            InspectionInspector.user_id.in_(list(rows)),
            parks.parks(Inspection.park_id),
            Inspection.status.in_([InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS]),
        )
        .group_by(InspectionInspector.user_id, Inspection.status)
    )
    for user_id, status, count in inspections:
        if status == InspectionStatus.PLANNED:
            rows[user_id].planned = count
        else:
            rows[user_id].in_progress = count
    for key, totals in figures.breakdown(session, period, "inspector", parks).items():
        if key.isdigit() and int(key) in rows:
            rows[int(key)].found = totals.found
    return sorted(rows.values(), key=lambda row: (-row.open, row.inspector.display_name))
