"""The supervision figures, read from the tallies (periods) and the open-hazard index (now).

A period's figures count the hazards found in it: 整改率 is how many of them are closed by
now, 按期整改率 how many of the closed ones were closed by their first deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date

from sqlmodel import Session
from sqlmodel import func
from sqlmodel import select

from inspection import clock
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
class Scope:
    """Which hazards the figures are about: the whole park, or one zone, industry, enterprise,
    inspector, category or source."""

    dimension: str = "park"
    key: str = ""


SUMS = (
    func.sum(HazardTally.found),
    func.sum(HazardTally.closed),
    func.sum(HazardTally.closed_on_time),
    func.sum(HazardTally.close_days),
    func.sum(HazardTally.funding_yuan),
)


def totals(session: Session, period: Period, scope: Scope = Scope()) -> Totals:
    """The period's counts for one scope."""
    result = Totals()
    rows = session.exec(
        select(HazardTally.level, *SUMS)
        .where(
            HazardTally.dimension == scope.dimension,
            HazardTally.key == scope.key,
            HazardTally.month >= period.start,
            HazardTally.month <= period.end,
        )
        .group_by(HazardTally.level)
    )
    for level, *counts in rows:
        result.add(level, *(int(c or 0) for c in counts))
    return result


def breakdown(
    session: Session, period: Period, dimension: str, *, keys: set[str] | None = None
) -> dict[str, Totals]:
    """The period's counts for every value of a dimension (only `keys`, if given)."""
    stmt = (
        select(HazardTally.key, HazardTally.level, *SUMS)
        .where(
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


def trend(session: Session, last: date, scope: Scope = Scope(), months: int = 12):
    """Month by month up to `last`'s month: [(month, Totals)]."""
    first = add_months(last.replace(day=1), -(months - 1))
    by_month: dict[date, Totals] = {add_months(first, n): Totals() for n in range(months)}
    rows = session.exec(
        select(HazardTally.month, HazardTally.level, *SUMS)
        .where(
            HazardTally.dimension == scope.dimension,
            HazardTally.key == scope.key,
            HazardTally.month >= first,
            HazardTally.month <= last.replace(day=1),
        )
        .group_by(HazardTally.month, HazardTally.level)
    )
    for month, level, *counts in rows:
        by_month[month].add(level, *(int(c or 0) for c in counts))
    return sorted(by_month.items())


def scoped(stmt, scope: Scope):
    """Narrow a select over Hazard to a scope."""
    if scope.dimension == "park":
        return stmt
    if scope.dimension in ("zone", "industry"):
        column = Enterprise.zone_id if scope.dimension == "zone" else Enterprise.industry
        value = (int(scope.key) if scope.key else None) if scope.dimension == "zone" else scope.key
        inner = select(Enterprise.id).where(column.is_(None) if value is None else column == value)
        return stmt.where(Hazard.enterprise_id.in_(inner))
    column = {
        "enterprise": Hazard.enterprise_id,
        "inspector": Hazard.found_by_id,
        "category": Hazard.category,
        "source": Hazard.source,
    }[scope.dimension]
    value = int(scope.key) if scope.dimension in ("enterprise", "inspector") else scope.key
    return stmt.where(column == value)


@dataclass
class Now:
    """How things stand today, whatever the period."""

    open: int = 0
    overdue: int = 0
    open_major: int = 0
    overdue_major: int = 0
    worst: list = field(default_factory=list)


def now(session: Session, scope: Scope = Scope()) -> Now:
    """Open, overdue and open major hazards now (from the index of unclosed hazards alone)."""
    late = overdue(clock.today(), among_unclosed=True)
    major = Hazard.level == HazardLevel.MAJOR
    stmt = select(
        func.count(),
        func.count().filter(late),
        func.count().filter(major),
        func.count().filter(late & major),
    ).where(unclosed())
    row = session.exec(scoped(stmt, scope)).one()
    return Now(*(int(value) for value in row))


def worst_enterprises(session: Session, scope: Scope = Scope(), limit: int = 10):
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
    leaders = session.exec(scoped(stmt, scope)).all()
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
