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
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Zone
from inspection.statistics import charts
from inspection.statistics import figures
from inspection.statistics.figures import Scope
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


def list_args(period: Period | None, scope: Scope, **extra) -> dict[str, str]:
    """The hazard-list filters that show the hazards behind a figure."""
    args: dict[str, str] = {}
    if period is not None:
        args["found_from"] = period.first_day.isoformat()
        args["found_to"] = period.last_day.isoformat()
    if scope.dimension in LIST_ARGS:
        args[LIST_ARGS[scope.dimension]] = scope.key
    args.update({name: value for name, value in extra.items() if value})
    return args


@dataclass
class Summary:
    """The figures of one period and scope."""

    period: Period
    scope: Scope
    totals: Totals
    now: figures.Now
    trend: list
    trend_chart: str


def summarise(session: Session, period: Period, scope: Scope) -> Summary:
    """Read the figures (tallies for the period, the open-hazard index for now)."""
    trend = figures.trend(session, period.end, scope)
    title = _("Hazards found and closed, month by month")
    chart = charts.trend(
        title,
        tuple(format_date(month, "MMM") for month, _t in trend),
        tuple(t.found for _m, t in trend),
        tuple(t.closed for _m, t in trend),
        (_("Found"), _("Closed"), _("Closure rate")),
    )
    return Summary(
        period=period,
        scope=scope,
        totals=figures.totals(session, period, scope),
        now=figures.now(session, scope),
        trend=trend,
        trend_chart=chart,
    )


@dataclass
class Row:
    """One line of a breakdown."""

    key: str
    name: str
    totals: Totals


@dataclass
class Breakdown:
    """A period's figures by one dimension."""

    dimension: str
    title: str
    rows: list[Row] = field(default_factory=list)
    chart: str | None = None


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


BREAKDOWNS = (
    ("zone", True),
    ("industry", True),
    ("category", True),
    ("source", False),
    ("inspector", False),
)


def breakdowns(session: Session, period: Period) -> list[Breakdown]:
    """The park's figures by zone, industry, category, source and inspector."""
    titles = {
        "zone": _("By zone"),
        "industry": _("By industry"),
        "category": _("By category"),
        "source": _("By source"),
        "inspector": _("By inspector"),
    }
    result = []
    for dimension, with_chart in BREAKDOWNS:
        by_key = figures.breakdown(session, period, dimension)
        names = names_for(session, dimension, by_key)
        rows = sorted(
            (Row(key, names[key], totals) for key, totals in by_key.items() if totals.found),
            key=lambda row: (-row.totals.found, row.name),
        )
        breakdown = Breakdown(dimension, titles[dimension], rows)
        if with_chart and rows:
            shown = rows[:12]
            breakdown.chart = charts.bars(
                breakdown.title,
                tuple(row.name for row in shown),
                tuple(row.totals.found for row in shown),
                tuple(row.totals.closed for row in shown),
                (_("Found"), _("Closed")),
            )
        result.append(breakdown)
    return result
