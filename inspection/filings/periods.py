"""Statistics periods: a quarter (2026Q3) is due by the 15th of the next quarter's first month,
a year (2026) by the next 31 January (16号令 第十四条)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

PATTERN = re.compile(r"^(\d{4})(?:Q([1-4]))?$")


@dataclass(frozen=True)
class Period:
    """A quarter or a year and the days it covers."""

    code: str
    start: date
    end: date
    due: date

    @property
    def annual(self) -> bool:
        return "Q" not in self.code


def parse(code: str | None) -> Period | None:
    """The period a code names, or None."""
    match = PATTERN.match((code or "").strip())
    if not match:
        return None
    year = int(match.group(1))
    if match.group(2) is None:
        return Period(match.group(0), date(year, 1, 1), date(year, 12, 31), date(year + 1, 1, 31))
    quarter = int(match.group(2))
    start = date(year, 3 * quarter - 2, 1)
    next_start = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(match.group(0), start, next_start - timedelta(days=1), next_start.replace(day=15))


def recent(today: date, count: int = 4) -> list[Period]:
    """The periods that have ended, latest first: the last `count` quarters and the last year."""
    periods = []
    year, quarter = today.year, (today.month - 1) // 3
    for _ in range(count):
        if quarter == 0:
            year, quarter = year - 1, 4
        periods.append(parse(f"{year}Q{quarter}"))
        quarter -= 1
    periods.append(parse(str(today.year - 1)))
    return sorted(periods, key=lambda p: (p.end, p.annual), reverse=True)
