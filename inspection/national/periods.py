"""The period a national export covers: a year (2026), a quarter (2026Q3) or a month (2026-11),
as typed in the period filter; what is wrong with it, said plainly."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from inspection.filings import periods as filing_periods

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class ExportPeriod:
    """The days a period covers, and its code for file names."""

    code: str
    start: date
    end: date


class BadPeriod(ValueError):
    """The period typed cannot be read; the message says how to write one."""


def parse(text: str | None, today: date) -> ExportPeriod:
    """The period `text` names; BadPeriod with a message naming the field otherwise."""
    text = (text or "").strip().upper()
    if not text:
        raise BadPeriod(_("Period: choose or type a period, e.g. 2026, 2026Q3 or 2026-11."))
    month = MONTH.match(text)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        if not 1 <= number <= 12:
            raise BadPeriod(
                _(
                    "Period: %(text)s has no month %(month)s; months run from 01 to 12.",
                    text=text,
                    month=number,
                )
            )
        period = ExportPeriod(
            f"{year}-{number:02d}",
            date(year, number, 1),
            date(year, number, monthrange(year, number)[1]),
        )
    else:
        named = filing_periods.parse(text)
        if named is None:
            raise BadPeriod(
                _(
                    "Period: “%(text)s” is not a period. Write a year (2026), a quarter"
                    " (2026Q3) or a month (2026-11).",
                    text=text[:20],
                )
            )
        period = ExportPeriod(named.code, named.start, named.end)
    if period.start.year < EARLIEST_YEAR or period.start > today:
        raise BadPeriod(
            _(
                "Period: %(code)s has not begun or is too long ago; choose a period between"
                " %(first)s and today.",
                code=period.code,
                first=EARLIEST_YEAR,
            )
        )
    return period


def choices(today: date) -> list[str]:
    """The periods offered in the filter: this month and the five before, the last quarters and
    the last year (the filings' own periods)."""
    months = []
    year, month = today.year, today.month
    for _step in range(6):
        months.append(f"{year}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months + [p.code for p in filing_periods.recent(today)]
