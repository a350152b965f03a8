"""Risk-based inspection frequency: each grade's interval, the yearly cap per enterprise
(国办发〔2024〕54号), and the coming month's proposed inspections."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import or_
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection import labels
from inspection.auth.scope import EVERYTHING
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionStatus
from inspection.inspections.models import InspectionType
from inspection.risk.facts import settings_values
from inspection.risk.models import GRADES
from inspection.risk.queries import current_grades
from inspection.risk.scoring import interval_days
from inspection.risk.scoring import yearly_cap

TARGETED_KINDS = ("complaint", "warning")


class CapReached(DomainError):
    """One inspection more than the yearly cap, without a reason; `count` and `cap` say where the
    enterprise stands."""

    status = 422

    def __init__(self, message: str, *, count: int, cap: int) -> None:
        super().__init__(message, field="over_cap_reason")
        self.count, self.cap = count, cap


def counted():
    """Inspections that count towards the cap: not targeted ones after a complaint (举报) or a
    warning, which 54号文 leaves outside it."""
    return (Inspection.targeted.is_(None)) & (Inspection.type != InspectionType.REPORT)


def year_counts(session: Session, enterprise_ids, year: int) -> dict[int, int]:
    """Inspections of each enterprise planned in a year that count towards its cap."""
    rows = session.exec(
        select(Inspection.enterprise_id, func.count())
        .where(
            Inspection.enterprise_id.in_(enterprise_ids),
            Inspection.planned_date >= date(year, 1, 1),
            Inspection.planned_date <= date(year, 12, 31),
            counted(),
        )
        .group_by(Inspection.enterprise_id)
    )
    return dict(rows.all())


@dataclass
class CapCheck:
    """Where an enterprise stands against its yearly cap."""

    grade: str
    cap: int
    count: int

    @property
    def reached(self) -> bool:
        return self.count >= self.cap


def cap_checks(session: Session, enterprises, year: int) -> dict[int, CapCheck]:
    """The one yearly cap rule, for many enterprises at once (the 双随机 pool, the directory):
    each one's cap for its grade in its park's settings, and its count so far in `year`."""
    enterprises = list(enterprises)
    ids = [e.id for e in enterprises]
    if not ids:
        return {}
    grades = current_grades(session, EVERYTHING, ids)
    counts = year_counts(session, ids, year)
    return {
        e.id: CapCheck(
            grades[e.id],
            yearly_cap(settings_values(session, e.park_id), grades[e.id]),
            counts.get(e.id, 0),
        )
        for e in enterprises
    }


def check_cap(
    session: Session,
    *,
    enterprise: Enterprise,
    type: str,
    planned_date: date,
    targeted: str | None,
    reason: str | None,
) -> str | None:
    """The rule behind `inspection.risk.services.check_cap` (which documents it)."""
    return check_caps(
        session,
        enterprises=[enterprise],
        type=type,
        planned_date=planned_date,
        targeted=targeted,
        reason=reason,
    )[enterprise.id]


def check_caps(
    session: Session,
    *,
    enterprises,
    type: str,
    planned_date: date,
    targeted: str | None,
    reason: str | None,
) -> dict[int, str | None]:
    """`check_cap` for many enterprises planned together (a recurring plan's selection), read
    in three queries whatever their number; the first one beyond its cap without a reason is
    refused, in the enterprises' order."""
    enterprises = list(enterprises)
    if targeted is not None and targeted not in TARGETED_KINDS:
        raise DomainError(
            _("Choose whether the inspection follows a complaint or a warning."), field="targeted"
        )
    if targeted or type == InspectionType.REPORT:
        return {enterprise.id: None for enterprise in enterprises}
    checks = cap_checks(session, enterprises, planned_date.year)
    return {
        enterprise.id: _beyond(enterprise, checks[enterprise.id], planned_date.year, reason)
        for enterprise in enterprises
    }


def _beyond(enterprise: Enterprise, check: CapCheck, year: int, reason: str | None) -> str | None:
    """None below the cap; at it, the reason to record, or CapReached without one."""
    if not check.reached:
        return None
    reason = (reason or "").strip()
    if not reason:
        raise CapReached(
            _(
                "%(name)s has already been inspected %(count)s times in %(year)s; the yearly cap"
                " for a %(grade)s enterprise is %(cap)s (国办发〔2024〕54号), so this inspection"
                " goes beyond it. Write the reason for inspecting beyond the cap, or mark the"
                " inspection as targeted after a complaint or a warning.",
                name=enterprise.name,
                count=check.count,
                year=year,
                grade=labels.label(labels.RISK_GRADES, check.grade),
                cap=check.cap,
            ),
            count=check.count,
            cap=check.cap,
        )
    return reason[:500]


def grade_caps(session: Session, park_id: int) -> dict[str, int]:
    """Each grade's yearly cap in a park's settings, as plans and draw records publish it."""
    values = settings_values(session, park_id)
    return {grade: yearly_cap(values, grade) for grade in GRADES}


def grade_intervals(session: Session, park_id: int) -> dict[str, int]:
    """Each grade's days between inspections in a park's settings (the plan's frequency)."""
    values = settings_values(session, park_id)
    return {grade: interval_days(values, grade) for grade in GRADES}


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of a month."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass
class Proposal:
    """An enterprise the intervals say to inspect in the coming month."""

    enterprise_id: int
    name: str
    grade: str
    last_inspected: date | None
    due: date
    count: int
    cap: int

    @property
    def over_cap(self) -> bool:
        return self.count >= self.cap


def last_inspections(session: Session, enterprise_ids) -> dict[int, date]:
    """The local day each enterprise was last visited (started, or completed)."""
    rows = session.exec(
        select(Inspection.enterprise_id, func.max(Inspection.started_at))
        .where(
            Inspection.enterprise_id.in_(enterprise_ids),
            Inspection.status != InspectionStatus.PLANNED,
        )
        .group_by(Inspection.enterprise_id)
    )
    return {eid: clock.local(at).date() for eid, at in rows.all() if at is not None}


def due_dates(
    session: Session, park_id: int
) -> dict[int, tuple[Enterprise, str, date | None, date]]:
    """Each active enterprise of a park: its grade, last visit and when the next one is due."""
    enterprises = list(
        session.exec(
            select(Enterprise)
            .where(Enterprise.park_id == park_id, Enterprise.active.is_(True))
            .order_by(Enterprise.name)
        )
    )
    ids = [e.id for e in enterprises]
    grades = current_grades(session, EVERYTHING, ids)
    last = last_inspections(session, ids)
    values = settings_values(session, park_id)
    result = {}
    for enterprise in enterprises:
        grade = grades[enterprise.id]
        start = last.get(enterprise.id) or clock.local(enterprise.created_at).date()
        result[enterprise.id] = (
            enterprise,
            grade,
            last.get(enterprise.id),
            start + timedelta(days=interval_days(values, grade)),
        )
    return result


def proposals(session: Session, park_id: int, month: date) -> list[Proposal]:
    """The inspections the intervals call for in `month`: enterprises due by its end that have
    nothing planned or under way for it, worst grade and most overdue first."""
    first, last = month_bounds(month)
    values = settings_values(session, park_id)
    dues = due_dates(session, park_id)
    planned = set(
        session.exec(
            select(Inspection.enterprise_id).where(
                Inspection.park_id == park_id,
                or_(
                    Inspection.status == InspectionStatus.IN_PROGRESS,
                    (Inspection.status == InspectionStatus.PLANNED)
                    & (Inspection.planned_date <= last),
                ),
            )
        )
    )
    wanted = [eid for eid, (_e, _g, _l, due) in dues.items() if due <= last and eid not in planned]
    counts = year_counts(session, wanted, first.year)
    found = []
    for eid in wanted:
        enterprise, grade, last_day, due = dues[eid]
        found.append(
            Proposal(
                eid,
                enterprise.name,
                grade,
                last_day,
                due,
                counts.get(eid, 0),
                yearly_cap(values, grade),
            )
        )
    rank = {"red": 0, "orange": 1, "yellow": 2, "blue": 3}
    return sorted(found, key=lambda p: (rank[p.grade], p.due, p.name))
