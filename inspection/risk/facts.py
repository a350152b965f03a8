"""Reading what grading needs: one enterprise (in a hazard's transaction) or all of them (the
nightly recompute), with the same aggregate so both agree to the point."""

from __future__ import annotations

import calendar
import functools
from datetime import date
from datetime import datetime

from sqlalchemy import Date
from sqlalchemy import Integer
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import true
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.db import UTCDateTime
from inspection.enterprises.models import RISK_FLAGS
from inspection.enterprises.models import Enterprise
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardLevel
from inspection.hazards.models import HazardState
from inspection.hazards.models import unclosed
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionStatus
from inspection.parks.models import Park
from inspection.risk.models import EnterpriseRisk
from inspection.risk.models import RiskOverride
from inspection.risk.models import RiskSettings
from inspection.risk.scoring import Facts
from inspection.risk.scoring import merged


def settings_values(session: Session, park_id: int) -> dict:
    """The park's settings over the defaults (read once per session: a hazard's transaction
    regrades without asking again; changing them resets it)."""
    cache = session.info.setdefault("risk_settings", {})
    if park_id not in cache:
        row = session.exec(select(RiskSettings).where(RiskSettings.park_id == park_id)).first()
        cache[park_id] = merged(row.values if row else None)
    return dict(cache[park_id])


def forget_settings(session: Session) -> None:
    """Read the settings afresh (after they changed, or a rollback)."""
    session.info.pop("risk_settings", None)


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def since(today: date, months: int = 12) -> datetime:
    """The start of the window of the last `months` months, as an aware UTC moment."""
    return clock.start_of_local_day(months_before(today, months))


def _hazard_counts(today: date, start: datetime):
    major = Hazard.level == HazardLevel.MAJOR
    is_open = unclosed()
    counted = Hazard.state != HazardState.VOIDED
    recent = and_(counted, Hazard.found_at >= start)
    closed = and_(Hazard.state == HazardState.CLOSED, Hazard.closed_at >= start)
    return (
        func.count().filter(and_(is_open, ~major)).label("open_general"),
        func.count().filter(and_(is_open, major)).label("open_major"),
        func.count().filter(and_(is_open, Hazard.deadline < today)).label("overdue"),
        func.count().filter(and_(is_open, major, Hazard.deadline < today)).label("overdue_major"),
        func.count()
        .filter(
            and_(
                is_open, major, Hazard.supervision_level.is_not(None), Hazard.delisted_at.is_(None)
            )
        )
        .label("listed"),
        func.count().filter(and_(recent, Hazard.repeat_of_id.is_not(None))).label("repeat"),
        func.count().filter(recent).label("found_12m"),
        func.count().filter(closed).label("closed_12m"),
        func.count()
        .filter(and_(closed, or_(Hazard.closed_on_time.is_(False))))
        .label("closed_late_12m"),
    )


COUNT_NAMES = (
    "open_general",
    "open_major",
    "overdue",
    "overdue_major",
    "listed",
    "repeat",
    "found_12m",
    "closed_12m",
    "closed_late_12m",
)


def _inherent(enterprise) -> dict:
    flags = frozenset(flag for flag in RISK_FLAGS if getattr(enterprise, f"risk_{flag}"))
    return {
        "industry": enterprise.industry,
        "sector": Enterprise.sector.fget(enterprise),
        "scale": enterprise.scale,
        "flags": flags,
    }


def _inspected_since(start: datetime):
    return and_(
        Inspection.status != InspectionStatus.PLANNED,
        Inspection.started_at >= start,
    )


@functools.cache
def _one_enterprise():
    """What grading one enterprise needs, over its own rows (the hazards by their enterprise
    index, from the index alone on PostgreSQL; its visits and any mandatory grade as
    subqueries), built once with its parameters (enterprise_id, today,
    start): a hazard's transition pays for running it, not for making it again."""
    enterprise_id = bindparam("enterprise_id", type_=Integer)
    today = bindparam("today", type_=Date)
    start = bindparam("start", type_=UTCDateTime)
    visits = (
        select(func.count())
        .select_from(Inspection)
        .where(Inspection.enterprise_id == enterprise_id, _inspected_since(start))
        .scalar_subquery()
    )
    override = (
        select(RiskOverride.grade, RiskOverride.reason)
        .where(RiskOverride.enterprise_id == enterprise_id, RiskOverride.lifted_at.is_(None))
        .order_by(RiskOverride.set_at.desc())
        .limit(1)
        .subquery()
    )
    return (
        select(
            *_hazard_counts(today, start),
            visits,
            select(override.c.grade).scalar_subquery(),
            select(override.c.reason).scalar_subquery(),
        )
        .select_from(Hazard)
        .where(Hazard.enterprise_id == enterprise_id)
    )


def _facts(enterprise: Enterprise, row) -> Facts:
    counts, (inspections, override_grade, override_reason) = row[:-3], row[-3:]
    return Facts(
        **_inherent(enterprise),
        **dict(zip(COUNT_NAMES, counts, strict=True)),
        inspections_12m=inspections,
        override_grade=override_grade,
        override_reason=override_reason,
    )


@functools.cache
def _with_rows():
    counts = _one_enterprise().subquery()
    return (
        select(Enterprise, EnterpriseRisk, *counts.c)
        .select_from(Enterprise)
        .join(counts, true())  # one row of figures
        .outerjoin(EnterpriseRisk, EnterpriseRisk.enterprise_id == Enterprise.id)
        .where(Enterprise.id == bindparam("enterprise_id", type_=Integer))
    )


def graded_facts(
    session: Session, enterprise_id: int, today: date | None = None
) -> tuple[Enterprise, EnterpriseRisk | None, Facts]:
    """An enterprise, its stored grade (None before its first) and the facts to grade it on,
    in one statement: what a hazard's transition adds to regrade its enterprise."""
    today = today or clock.today()
    row = session.execute(
        _with_rows(), {"enterprise_id": enterprise_id, "today": today, "start": since(today)}
    ).one()
    enterprise, stored = row[0], row[1]
    return enterprise, stored, _facts(enterprise, row[2:])


def active_override(session: Session, enterprise_id: int) -> RiskOverride | None:
    """The supervisor's mandatory grade in force for an enterprise, if any."""
    return session.exec(
        select(RiskOverride)
        .where(RiskOverride.enterprise_id == enterprise_id, RiskOverride.lifted_at.is_(None))
        .order_by(RiskOverride.set_at.desc())
    ).first()


def all_facts(
    session: Session, today: date | None = None, *, park_ids=None, enterprise_ids=None
) -> dict[int, tuple[int, Facts]]:
    """Every (or the given) active enterprise's park and facts, in four grouped reads."""
    today = today or clock.today()
    start = since(today)
    enterprises = select(Enterprise).where(Enterprise.active.is_(True))
    if park_ids is not None:
        enterprises = enterprises.where(Enterprise.park_id.in_(park_ids))
    if enterprise_ids is not None:
        enterprises = enterprises.where(Enterprise.id.in_(enterprise_ids))
    result: dict[int, tuple[int, Facts]] = {
        e.id: (e.park_id, Facts(**_inherent(e))) for e in session.exec(enterprises)
    }
    if not result:
        return result
    wanted = list(result) if enterprise_ids is not None else None
    counts = select(Hazard.enterprise_id, *_hazard_counts(today, start)).group_by(
        Hazard.enterprise_id
    )
    visits = (
        select(Inspection.enterprise_id, func.count())
        .where(_inspected_since(start))
        .group_by(Inspection.enterprise_id)
    )
    overrides = select(RiskOverride).where(RiskOverride.lifted_at.is_(None))
    if park_ids is not None:
        counts = counts.where(Hazard.park_id.in_(park_ids))
        visits = visits.where(Inspection.park_id.in_(park_ids))
    if wanted is not None:
        counts = counts.where(Hazard.enterprise_id.in_(wanted))
        visits = visits.where(Inspection.enterprise_id.in_(wanted))
        overrides = overrides.where(RiskOverride.enterprise_id.in_(wanted))
    for enterprise_id, *values in session.exec(counts):
        if enterprise_id in result:
            facts = result[enterprise_id][1]
            for name, value in zip(COUNT_NAMES, values, strict=True):
                setattr(facts, name, value)
    for enterprise_id, count in session.exec(visits):
        if enterprise_id in result:
            result[enterprise_id][1].inspections_12m = count
    for override in session.exec(overrides.order_by(RiskOverride.set_at)):
        if override.enterprise_id in result:
            facts = result[override.enterprise_id][1]
            facts.override_grade, facts.override_reason = override.grade, override.reason
    return result


def park_ids(session: Session) -> list[int]:
    """Every park's id."""
    return list(session.exec(select(Park.id).order_by(Park.id)))
