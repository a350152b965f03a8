"""The supervision figures, read from the tallies (periods) and the open-hazard index (now).

A period's figures count the hazards found in it: 整改率 is how many of them are closed by
now, 按期整改率 how many of the closed ones were closed by their first deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import NamedTuple

from sqlalchemy import String
from sqlalchemy import literal
from sqlalchemy import union_all
from sqlmodel import Session
from sqlmodel import func
from sqlmodel import select

from inspection import clock
from inspection.auth.scope import Scope
from inspection.enterprises.models import Enterprise
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardLevel
from inspection.hazards.models import overdue
from inspection.hazards.models import unclosed
from inspection.statistics.models import HazardTally
from inspection.statistics.periods import Period
from inspection.statistics.periods import add_months


@dataclass
class Totals:
    """Counts for a period and what they make."""

    found: int = 0
    closed: int = 0
    closed_on_time: int = 0
    close_days: int = 0
    funding_yuan: int = 0
    major_found: int = 0
    major_closed: int = 0

    def __iadd__(self, other: Totals) -> Totals:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def add(self, level: str, found, closed, on_time, days, funding) -> None:
        self.found += found
        self.closed += closed
        self.closed_on_time += on_time
        self.close_days += days
        self.funding_yuan += funding
        if level == HazardLevel.MAJOR:
            self.major_found += found
            self.major_closed += closed

    @property
    def closure_rate(self) -> float | None:
        """整改率: closed / found."""
        return self.closed / self.found if self.found else None

    @property
    def on_time_rate(self) -> float | None:
        """按期整改率: closed by the first deadline / closed."""
        return self.closed_on_time / self.closed if self.closed else None

    @property
    def major_rate(self) -> float | None:
        """重大隐患整改率: major closed / major found."""
        return self.major_closed / self.major_found if self.major_found else None

    @property
    def average_days(self) -> float | None:
        """Average days from finding to closing, over the closed ones."""
        return self.close_days / self.closed if self.closed else None


@dataclass(frozen=True)
class Subject:
    """Which hazards the figures are about: those of the parks in scope (one park, or a
    region's), as a whole or one zone, industry, enterprise, inspector, category or source."""

    parks: Scope
    dimension: str = "park"
    key: str = ""


SUMS = (
    func.sum(HazardTally.found),
    func.sum(HazardTally.closed),
    func.sum(HazardTally.closed_on_time),
    func.sum(HazardTally.close_days),
    func.sum(HazardTally.funding_yuan),
)


def totals(session: Session, period: Period, subject: Subject) -> Totals:
    """The period's counts for one subject."""
    result = Totals()
    rows = session.exec(
        select(HazardTally.level, *SUMS)
        .where(
            subject.parks.parks(HazardTally.park_id),
            HazardTally.dimension == subject.dimension,
            HazardTally.key == subject.key,
            HazardTally.month >= period.start,
            HazardTally.month <= period.end,
        )
        .group_by(HazardTally.level)
    )
    for level, *counts in rows:
        result.add(level, *(int(c or 0) for c in counts))
    return result


def breakdown(
    session: Session,
    period: Period,
    dimension: str,
    parks: Scope,
    *,
    keys: set[str] | None = None,
) -> dict[str, Totals]:
    """The period's counts in the parks for every value of a dimension (only `keys`, if
    given)."""
    stmt = (
        select(HazardTally.key, HazardTally.level, *SUMS)
        .where(
            parks.parks(HazardTally.park_id),
            HazardTally.dimension == dimension,
            HazardTally.month >= period.start,
            HazardTally.month <= period.end,
        )
        .group_by(HazardTally.key, HazardTally.level)
    )
    if keys is not None:
        stmt = stmt.where(HazardTally.key.in_(sorted(keys)))
    result: dict[str, Totals] = {}
    for key, level, *counts in session.exec(stmt):
        result.setdefault(key, Totals()).add(level, *(int(c or 0) for c in counts))
    return result


def by_park(session: Session, period: Period, parks: Scope) -> dict[int, Totals]:
    """The period's counts of each park in scope (a region's comparison)."""
    stmt = (
        select(HazardTally.park_id, HazardTally.level, *SUMS)
        .where(
            parks.parks(HazardTally.park_id),
            HazardTally.dimension == "park",
            HazardTally.month >= period.start,
            HazardTally.month <= period.end,
        )
        .group_by(HazardTally.park_id, HazardTally.level)
    )
    result: dict[int, Totals] = {}
    for park_id, level, *counts in session.exec(stmt):
        result.setdefault(park_id, Totals()).add(level, *(int(c or 0) for c in counts))
    return result


def trend(session: Session, last: date, subject: Subject, months: int = 12):
    """Month by month up to `last`'s month: [(month, Totals)]."""
    first = add_months(last.replace(day=1), -(months - 1))
    by_month: dict[date, Totals] = {add_months(first, n): Totals() for n in range(months)}
    rows = session.exec(
        select(HazardTally.month, HazardTally.level, *SUMS)
        .where(
            subject.parks.parks(HazardTally.park_id),
            HazardTally.dimension == subject.dimension,
            HazardTally.key == subject.key,
            HazardTally.month >= first,
            HazardTally.month <= last.replace(day=1),
        )
        .group_by(HazardTally.month, HazardTally.level)
    )
    for month, level, *counts in rows:
        by_month[month].add(level, *(int(c or 0) for c in counts))
    return sorted(by_month.items())


def scoped(stmt, subject: Subject):
    """Narrow a select over Hazard to a subject."""
    stmt = stmt.where(subject.parks.parks(Hazard.park_id))
    if subject.dimension == "park":
        return stmt
    if subject.dimension in ("zone", "industry"):
        column = Enterprise.zone_id if subject.dimension == "zone" else Enterprise.industry
        if subject.dimension == "zone":
            value = int(subject.key) if subject.key else None
        else:
            value = subject.key
        inner = select(Enterprise.id).where(column.is_(None) if value is None else column == value)
        return stmt.where(Hazard.enterprise_id.in_(inner))
    column = {
        "enterprise": Hazard.enterprise_id,
        "inspector": Hazard.found_by_id,
        "category": Hazard.category,
        "source": Hazard.source,
    }[subject.dimension]
    value = int(subject.key) if subject.dimension in ("enterprise", "inspector") else subject.key
    return stmt.where(column == value)


class EnterpriseName(NamedTuple):
    id: int
    name: str


@dataclass
class Now:
    """How things stand today, whatever the period."""

    open: int = 0
    overdue: int = 0
    open_major: int = 0
    overdue_major: int = 0
    worst: list = field(default_factory=list)

    def __iadd__(self, other: Now) -> Now:
        self.open += other.open
        self.overdue += other.overdue
        self.open_major += other.open_major
        self.overdue_major += other.overdue_major
        return self


def now(session: Session, subject: Subject) -> Now:
    """Open, overdue and open major hazards now (from the index of unclosed hazards alone)."""
    late = overdue(clock.today(), among_unclosed=True)
    major = Hazard.level == HazardLevel.MAJOR
    stmt = select(
        func.count(),
        func.count().filter(late),
        func.count().filter(major),
        func.count().filter(late & major),
    ).where(unclosed())
    row = session.exec(scoped(stmt, subject)).one()
    return Now(*(int(value) for value in row))


def parks_standing(session: Session, parks: Scope, limit: int = 10):
    """Each park's figures of now and the enterprises with the most overdue hazards in the
    parks in scope, from one pass over the hazards not yet closed (a region holds a hundred
    parks' backlogs) in one round trip: ({park_id: Now}, [(EnterpriseName, overdue, open)]).
    The enterprises are chosen as `worst_enterprises` chooses them, and ranked as it ranks
    them."""
    late = overdue(clock.today(), among_unclosed=True)
    major = Hazard.level == HazardLevel.MAJOR
    per = (
        select(
            Hazard.park_id.label("park_id"),
            Hazard.enterprise_id.label("enterprise_id"),
            func.count().label("open"),
            func.count().filter(late).label("overdue"),
            func.count().filter(major).label("major"),
            func.count().filter(late & major).label("overdue_major"),
        )
        .where(unclosed(), parks.parks(Hazard.park_id))
        .group_by(Hazard.park_id, Hazard.enterprise_id)
        .cte("per_enterprise")
    )
    by_park = select(
        per.c.park_id,
        literal(None, String).label("name"),
        func.sum(per.c.open),
        func.sum(per.c.overdue),
        func.sum(per.c.major),
        func.sum(per.c.overdue_major),
    ).group_by(per.c.park_id)
    leaders = (
        select(per.c.enterprise_id, per.c.open, per.c.overdue)
        .where(per.c.overdue > 0)
        .order_by(per.c.overdue.desc(), per.c.enterprise_id)
        .limit(limit)
        .subquery()
    )
    named = select(
        leaders.c.enterprise_id,
        Enterprise.name,
        leaders.c.open,
        leaders.c.overdue,
        literal(0),
        literal(0),
    ).join(Enterprise, Enterprise.id == leaders.c.enterprise_id)
    now: dict[int, Now] = {}
    worst = []
    for key, name, open_, late_, major_, late_major in session.exec(union_all(by_park, named)):
        if name is None:
            now[key] = Now(int(open_), int(late_), int(major_), int(late_major))
        else:
            worst.append((EnterpriseName(key, name), int(late_), int(open_)))
    # Most overdue first; then the one with more still open.
    return now, sorted(worst, key=lambda row: (-row[1], -row[2], row[0].id))


def worst_enterprises(session: Session, subject: Subject, limit: int = 10):
    """The enterprises with the most overdue hazards now: [(Enterprise, overdue, open)]. Ties on
    the overdue count are ranked by how many are still open among those chosen; at the last
    place, an enterprise tied on overdue is chosen by its id (counting every enterprise's open
    hazards too would double the work for that one edge)."""
    count = func.count().label("overdue")
    stmt = (
        select(Hazard.enterprise_id, count)
        .where(overdue(clock.today()))
        .group_by(Hazard.enterprise_id)
        .order_by(count.desc(), Hazard.enterprise_id)
        .limit(limit)
    )
    leaders = session.exec(scoped(stmt, subject)).all()
    if not leaders:
        return []
    ids = [enterprise_id for enterprise_id, _count in leaders]
    still_open = dict(
        session.exec(
            select(Hazard.enterprise_id, func.count())
            .where(unclosed(), Hazard.enterprise_id.in_(ids))
            .group_by(Hazard.enterprise_id)
        ).all()
    )
    names = {e.id: e for e in session.exec(select(Enterprise).where(Enterprise.id.in_(ids)))}
    rows = [(names[i], int(count), int(still_open.get(i, 0))) for i, count in leaders]
    # Most overdue first; then the one with more still open.
    return sorted(rows, key=lambda row: (-row[1], -row[2], row[0].id))
