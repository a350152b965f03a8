"""Which reminder rule, if any, fires for a deadline on a given day: pure date arithmetic.

The sweep turns these rules round: for a day it lists the finite set of deadlines that
trigger anything, so the database reads only the hazards that are due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from inspection.reminders.models import ReminderPolicy


def parse_days(text: str | None) -> tuple[int, ...]:
    """ "3, 1" -> (3, 1); raise ValueError on anything that is not whole days from 1 to 365."""
    days = []
    for part in (text or "").replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 365:
            raise ValueError(part)
        days.append(int(part))
    return tuple(sorted(set(days), reverse=True))


@dataclass(frozen=True)
class Steps:
    """The reminder steps for one hazard level."""

    before: tuple[int, ...]
    on_day: bool
    overdue_every: int
    escalate_after: int

    @classmethod
    def of(cls, policy: ReminderPolicy, *, major: bool) -> Steps:
        if major:
            return cls(
                parse_days(policy.major_before_days),
                policy.on_day,
                policy.major_overdue_every,
                policy.major_escalate_after,
            )
        return cls(
            parse_days(policy.before_days),
            policy.on_day,
            policy.overdue_every,
            policy.escalate_after,
        )


@dataclass(frozen=True)
class Fired:
    """A rule that fires: its name (part of the delivery key) and days before (+) or late (-)."""

    rule: str
    days: int


def rule_for(day: date, deadline: date, steps: Steps) -> Fired | None:
    """The reminder due on `day` for a hazard with `deadline`, if any."""
    ahead = (deadline - day).days
    if ahead > 0:
        return Fired(f"before-{ahead}", ahead) if ahead in steps.before else None
    if ahead == 0:
        return Fired("due", 0) if steps.on_day else None
    late = -ahead
    if late == 1 or (steps.overdue_every > 0 and (late - 1) % steps.overdue_every == 0):
        return Fired(f"overdue-{late}", -late)
    return None


def escalates(day: date, deadline: date, steps: Steps) -> bool:
    """True on the one day the supervisors are told about an overdue hazard."""
    return steps.escalate_after > 0 and (day - deadline).days == steps.escalate_after


def deadlines_due(day: date, steps: Steps, earliest: date | None) -> list[date]:
    """Every deadline for which a rule fires on `day` (back to the earliest open deadline)."""
    dates = {day + timedelta(days=n) for n in steps.before}
    if steps.on_day:
        dates.add(day)
    if steps.escalate_after > 0:
        dates.add(day - timedelta(days=steps.escalate_after))
    dates.add(day - timedelta(days=1))
    if steps.overdue_every > 0 and earliest is not None:
        deadline = day - timedelta(days=1 + steps.overdue_every)
        while deadline >= earliest:
            dates.add(deadline)
            deadline -= timedelta(days=steps.overdue_every)
    return sorted(dates)


@dataclass(frozen=True)
class StatisticsPeriod:
    """An enterprise hazard statistics report and the day it is due."""

    code: str  # e.g. "2026Q4" or "2026"
    due: date
    annual: bool


def statistics_periods_due_within(day: date, horizon: int) -> list[StatisticsPeriod]:
    """Reports due between `day` and `day + horizon`: each quarter's by the 15th of the first
    month of the next quarter, the year's by 31 January."""
    found = []
    for year in (day.year, day.year + 1):
        for quarter, month in ((4, 1), (1, 4), (2, 7), (3, 10)):
            report_year = year - 1 if quarter == 4 else year
            due = date(year, month, 15)
            found.append(StatisticsPeriod(f"{report_year}Q{quarter}", due, False))
        found.append(StatisticsPeriod(str(year - 1), date(year, 1, 31), True))
    end = day + timedelta(days=horizon)
    return sorted((p for p in found if day <= p.due <= end), key=lambda p: p.due)
