"""Keeping the tallies: each hazard change adds to (or takes from) its cells, atomically.

`INSERT … ON CONFLICT DO UPDATE SET found = found + excluded.found` on PostgreSQL and SQLite
alike, so concurrent changes never lose a count. `rebuild()` recomputes everything from the
hazards (after a restore, or to check), and `differences()` says where the table disagrees.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlmodel import Session
from sqlmodel import delete
from sqlmodel import select

from inspection import clock
from inspection.enterprises.models import Enterprise
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardState
from inspection.statistics.models import HazardTally

DIMENSIONS = ("park", "zone", "industry", "enterprise", "inspector", "category", "source")
COUNTERS = ("found", "closed", "closed_on_time", "close_days", "funding_yuan")


def month_of(day: date) -> date:
    """The first day of the month."""
    return day.replace(day=1)


def found_month(hazard) -> date:
    """The local month a hazard was found in."""
    return month_of(clock.local(hazard.found_at).date())


def cells(hazard, zone_id: int | None, industry: str) -> list[tuple[str, str]]:
    """The (dimension, key) cells a hazard counts in."""
    return [
        ("park", ""),
        ("zone", str(zone_id or "")),
        ("industry", industry or ""),
        ("enterprise", str(hazard.enterprise_id)),
        ("inspector", str(hazard.found_by_id)),
        ("category", hazard.category),
        ("source", hazard.source),
    ]


def closing_figures(hazard) -> dict[str, int]:
    """What a closed hazard adds: one closure, on time or not, its days and its funding."""
    closed_day = clock.local(hazard.closed_at).date()
    limit = hazard.original_deadline or hazard.deadline
    return {
        "closed": 1,
        "closed_on_time": 1 if limit is None or closed_day <= limit else 0,
        "close_days": max(0, (closed_day - clock.local(hazard.found_at).date()).days),
        "funding_yuan": hazard.funding_yuan or 0,
    }


def _bump(session: Session, hazard, zone_id: int | None, industry: str, delta: dict) -> None:
    _bump_cells(session, hazard, zone_id, industry, delta, DIMENSIONS)


def _where(session: Session, hazard) -> tuple[int | None, str]:
    enterprise = session.get(Enterprise, hazard.enterprise_id)
    return enterprise.zone_id, enterprise.industry


def hazard_found(session: Session, hazard: Hazard) -> None:
    """A hazard was recorded."""
    _bump(session, hazard, *_where(session, hazard), {"found": 1})


def hazard_closed(session: Session, hazard: Hazard) -> None:
    """A hazard was closed (销号): count the closure and note whether it was on time."""
    figures = closing_figures(hazard)
    hazard.closed_on_time = bool(figures["closed_on_time"])
    _bump(session, hazard, *_where(session, hazard), figures)


def hazard_voided(session: Session, hazard: Hazard) -> None:
    """A hazard was voided (recorded by mistake): it no longer counts as found."""
    _bump(session, hazard, *_where(session, hazard), {"found": -1})


def enterprise_moved(
    session: Session,
    enterprise_id: int,
    *,
    old: tuple[int | None, str],
    new: tuple[int | None, str],
) -> None:
    """An enterprise changed zone or industry: move its hazards' counts along with it."""
    if old == new:
        return
    hazards = session.exec(select(Hazard).where(Hazard.enterprise_id == enterprise_id))
    for hazard in hazards:
        if hazard.state == HazardState.VOIDED:
            continue
        delta = {"found": 1}
        if hazard.state == HazardState.CLOSED:
            delta.update(closing_figures(hazard))
        for (zone_id, industry), sign in ((old, -1), (new, 1)):
            signed = {name: sign * value for name, value in delta.items()}
            _bump_cells(session, hazard, zone_id, industry, signed, ("zone", "industry"))


def _bump_cells(session, hazard, zone_id, industry, delta, dimensions) -> None:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = HazardTally.__table__
    rows = [
        {
            "park_id": hazard.park_id,
            "dimension": dimension,
            "month": found_month(hazard),
            "key": key,
            "level": hazard.level,
            **{name: delta.get(name, 0) for name in COUNTERS},
        }
        for dimension, key in cells(hazard, zone_id, industry)
        if dimension in dimensions
    ]
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["park_id", "dimension", "month", "key", "level"],
        set_={name: table.c[name] + stmt.excluded[name] for name in COUNTERS},
    )
    session.execute(stmt, rows)


# The columns rebuild() reads (named, so that it works on any later schema too).
READ = (
    Hazard.park_id,
    Hazard.enterprise_id,
    Hazard.found_at,
    Hazard.found_by_id,
    Hazard.level,
    Hazard.category,
    Hazard.source,
    Hazard.state,
    Hazard.closed_at,
    Hazard.deadline,
    Hazard.original_deadline,
    Hazard.funding_yuan,
)


def computed(session: Session) -> dict[tuple, dict[str, int]]:
    """Every cell's counts, recomputed from the hazards (streamed, a batch at a time)."""
    places = {
        row[0]: (row[1], row[2])
        for row in session.exec(select(Enterprise.id, Enterprise.zone_id, Enterprise.industry))
    }
    totals: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    stmt = select(*READ).where(Hazard.state != HazardState.VOIDED).execution_options(yield_per=5000)
    for hazard in session.exec(stmt):
        zone_id, industry = places[hazard.enterprise_id]
        delta = {"found": 1}
        if hazard.state == HazardState.CLOSED and hazard.closed_at is not None:
            delta.update(closing_figures(hazard))
        month = found_month(hazard)
        for dimension, key in cells(hazard, zone_id, industry):
            cell = totals[(hazard.park_id, dimension, month, key, hazard.level)]
            for name, value in delta.items():
                cell[name] += value
    return totals


def rebuild(session: Session) -> int:
    """Replace the tallies with a recomputation; return the number of cells."""
    totals = computed(session)
    session.execute(delete(HazardTally))
    rows = [
        {"park_id": p, "dimension": d, "month": m, "key": k, "level": lv, **counts}
        for (p, d, m, k, lv), counts in totals.items()
    ]
    for start in range(0, len(rows), 5000):
        session.execute(HazardTally.__table__.insert(), rows[start : start + 5000])
    return len(rows)


def differences(session: Session) -> list[str]:
    """Where the tallies disagree with the hazards (empty when all is well)."""
    wanted = computed(session)
    found = {
        (t.park_id, t.dimension, t.month, t.key, t.level): {
            name: getattr(t, name) for name in COUNTERS
        }
        for t in session.exec(select(HazardTally))
    }
    problems = []
    for cell in sorted(set(wanted) | set(found), key=str):
        expected = wanted.get(cell, dict.fromkeys(COUNTERS, 0))
        actual = found.get(cell, dict.fromkeys(COUNTERS, 0))
        if expected != actual:
            problems.append(f"{cell}: table {actual}, hazards {expected}")
    return problems
