"""What a dashboard page or a supervision report shows for a period and scope: the figures,
how things stand now, the 12-month trend and the breakdowns, each with its chart."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from flask_babel import format_date
from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import labels
from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Zone
from inspection.parks.models import Park
from inspection.statistics import charts
from inspection.statistics import figures
from inspection.statistics import standing
from inspection.statistics.figures import Subject
from inspection.statistics.figures import Totals
from inspection.statistics.periods import Period

# The hazard list's query-string name for each scope dimension.
LIST_ARGS = {
    "zone": "zone",
    "industry": "industry",
    "enterprise": "enterprise",
    "inspector": "inspector",
    "category": "category",
    "source": "source",
}


def list_args(period: Period | None, subject: Subject, **extra) -> dict[str, str]:
    """The hazard-list filters that show the hazards behind a figure."""
    args: dict[str, str] = {}
    if period is not None:
        args["found_from"] = period.first_day.isoformat()
        args["found_to"] = period.last_day.isoformat()
    if subject.dimension in LIST_ARGS:
        args[LIST_ARGS[subject.dimension]] = subject.key
    args.update({name: value for name, value in extra.items() if value})
    return args


@dataclass
class Summary:
    """The figures of one period and subject."""

    period: Period
    subject: Subject
    totals: Totals
    now: figures.Now
    trend: list
    # The enterprises with the most overdue hazards now: [(EnterpriseName, overdue, open)].
    worst: list = field(default_factory=list)

    def chart(self, medium: str = "screen") -> str:
        """The 12-month trend as an SVG chart, for the screen or for print."""
        return charts.trend(
            _("Hazards found and closed, month by month"),
            tuple(format_date(month, "MMM") for month, _t in self.trend),
            tuple(t.found for _m, t in self.trend),
            tuple(t.closed for _m, t in self.trend),
            (_("Found"), _("Closed"), _("Closure rate")),
            medium,
        )


def summarise(session: Session, period: Period, subject: Subject) -> Summary:
    """Read the figures: the period's from the tallies, now's from the index of hazards not yet
    closed (kept until a hazard changes, see standing.py)."""
    trend = figures.trend(session, period.end, subject)
    if period.start >= trend[0][0]:  # the period's months are in the trend already
        totals = figures.Totals()
        for month, month_totals in trend:
            if month >= period.start:
                totals += month_totals
    else:
        totals = figures.totals(session, period, subject)
    now = standing.current(session, subject)
    return Summary(
        period=period, subject=subject, totals=totals, now=now.now, trend=trend, worst=now.worst
    )


@dataclass
class Row:
    """One line of a breakdown."""

    key: str
    name: str
    totals: Totals


# Breakdowns with few enough values to chart (the busiest twelve).
CHARTED = frozenset({"zone", "industry", "category", "park"})


@dataclass
class Breakdown:
    """A period's figures by one dimension."""

    dimension: str
    title: str
    rows: list[Row] = field(default_factory=list)

    def chart(self, medium: str = "screen") -> str | None:
        """Found and closed by value as an SVG chart, if this dimension is charted."""
        if self.dimension not in CHARTED or not self.rows:
            return None
        shown = self.rows[:12]
        return charts.bars(
            self.title,
            tuple(row.name for row in shown),
            tuple(row.totals.found for row in shown),
            tuple(row.totals.closed for row in shown),
            (_("Found"), _("Closed")),
            medium,
        )


def names_for(session: Session, dimension: str, keys) -> dict[str, str]:
    """What to call each key of a dimension."""
    keys = list(keys)
    if dimension == "zone":
        ids = [int(k) for k in keys if k.isdigit()]
        zones = {str(z.id): z.name for z in session.exec(select(Zone).where(Zone.id.in_(ids)))}
        return {k: zones.get(k, _("No zone")) for k in keys}
    if dimension == "inspector":
        ids = [int(k) for k in keys if k.isdigit()]
        users = {
            str(u.id): u.display_name for u in session.exec(select(User).where(User.id.in_(ids)))
        }
        return {k: users.get(k, k) for k in keys}
    if dimension == "enterprise":
        ids = [int(k) for k in keys if k.isdigit()]
        found = session.exec(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids)))
        names = {str(i): n for i, n in found}
        return {k: names.get(k, k) for k in keys}
    if dimension == "category":
        return {k: labels.label(labels.HAZARD_CATEGORIES, k) for k in keys}
    if dimension == "source":
        return {k: labels.label(labels.INSPECTION_TYPES, k) for k in keys}
    return {k: k or _("Not given") for k in keys}


# Breakdowns that belong to one park: across a region its parks are compared instead, and a
# park's zones and inspectors are seen by looking into that park.
PARK_ONLY = frozenset({"zone", "inspector"})


def _titles() -> dict[str, str]:
    return {
        "zone": _("By zone"),
        "industry": _("By industry"),
        "category": _("By category"),
        "source": _("By source"),
        "inspector": _("By inspector"),
    }


def titles(parks: Scope) -> dict[str, str]:
    """The breakdowns offered for the parks in scope, with their titles, in order."""
    offered = _titles()
    if parks.is_region:
        return {name: title for name, title in offered.items() if name not in PARK_ONLY}
    return offered


def breakdown(session: Session, period: Period, dimension: str, parks: Scope) -> Breakdown:
    """The figures of the parks in scope for the period by one dimension, busiest first."""
    by_key = figures.breakdown(session, period, dimension, parks)
    names = names_for(session, dimension, by_key)
    rows = sorted(
        (Row(key, names[key], totals) for key, totals in by_key.items() if totals.found),
        key=lambda row: (-row.totals.found, row.name),
    )
    return Breakdown(dimension, _titles()[dimension], rows)


@dataclass
class ParkRow:
    """One park's line in a region's comparison."""

    park: Park
    totals: Totals
    now: figures.Now


@dataclass
class ParkComparison:
    """The parks of a region side by side for a period, and how each stands now."""

    rows: list[ParkRow]

    def chart(self, medium: str = "screen") -> str | None:
        """Found and closed by park as an SVG chart."""
        if not self.rows:
            return None
        return charts.bars(
            _("By park"),
            tuple(row.park.label for row in self.rows),
            tuple(row.totals.found for row in self.rows),
            tuple(row.totals.closed for row in self.rows),
            (_("Found"), _("Closed")),
            medium,
        )


def park_breakdown(comparison: ParkComparison) -> Breakdown:
    """A region's comparison as a breakdown by park (for the report's tables)."""
    rows = [Row(str(row.park.id), row.park.label, row.totals) for row in comparison.rows]
    return Breakdown("park", _("By park"), rows)


def compare_parks(session: Session, period: Period, parks: Scope) -> ParkComparison:
    """Each park in scope: the period's figures (from the tallies) and now's (open, overdue,
    open major), read with one grouped query each."""
    totals = figures.by_park(session, period, parks)
    now = standing.by_park(session, parks)
    rows = [
        ParkRow(park, totals.get(park.id, Totals()), now.get(park.id, figures.Now()))
        for park in session.exec(select(Park).where(parks.parks(Park.id)).order_by(Park.name))
    ]
    return ParkComparison(rows)
