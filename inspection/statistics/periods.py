"""Reporting periods: a month, a quarter, a year, or a run of months."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from flask_babel import gettext as _


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after `month`'s."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """From the first day of `start`'s month to the last day of `end`'s month."""

    start: date
    end: date
    code: str

    @property
    def months(self) -> list[date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def first_day(self) -> date:
        return self.start

    @property
    def last_day(self) -> date:
        return add_months(self.end, 1) - timedelta(days=1)

    def label(self) -> str:
        """How the period is named on pages and reports (in the current language)."""
        if self.code.count("-") == 1 and "Q" not in self.code and ".." not in self.code:
            return _("%(year)s-%(month)02d", year=self.start.year, month=self.start.month)
        if "Q" in self.code:
            return _(
                "Q%(quarter)s %(year)s",
                quarter=(self.start.month - 1) // 3 + 1,
                year=self.start.year,
            )
        if re.fullmatch(r"\d{4}", self.code):
            return _("the year %(year)s", year=self.start.year)
        return f"{self.first_day.isoformat()} — {self.last_day.isoformat()}"

    def previous(self) -> Period:
        """The period of the same kind and length just before (last month, last quarter …)."""
        length = len(self.months)
        before = add_months(self.start, -length)
        if re.fullmatch(r"\d{4}", self.code):
            return Period.year(before.year)
        if "Q" in self.code:
            return Period.quarter(before)
        if length == 1:
            return Period.month(before)
        return _make(before, add_months(self.end, -length))

    @classmethod
    def month(cls, day: date) -> Period:
        start = day.replace(day=1)
        return cls(start, start, f"{start:%Y-%m}")

    @classmethod
    def quarter(cls, day: date) -> Period:
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return cls(start, add_months(start, 2), f"{day.year}-Q{(day.month - 1) // 3 + 1}")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 1), str(year))

    @classmethod
    def parse(cls, text: str | None, today: date) -> Period:
        """ "2026-11", "2026-Q4", "2026" or "2026-01..2026-06"; ValueError with a message
        that says what is accepted otherwise. Nothing means this year."""
        text = (text or "").strip()
        if not text:
            return cls.year(today.year)
        try:
            if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
                return cls.month(date(int(m[1]), int(m[2]), 1))
            if m := re.fullmatch(r"(\d{4})-?[Qq]([1-4])", text):
                return cls.quarter(date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1))
            if re.fullmatch(r"\d{4}", text):
                return cls.year(int(text))
            if m := re.fullmatch(r"(\d{4})-(\d{1,2})\.\.(\d{4})-(\d{1,2})", text):
                start, end = date(int(m[1]), int(m[2]), 1), date(int(m[3]), int(m[4]), 1)
                if end < start or len(_make(start, end).months) > 120:
                    raise ValueError
                return _make(start, end)
        except ValueError:
            pass
        raise ValueError(
            _(
                "“%(text)s” is not a period. Use a month (2026-11), a quarter (2026-Q4), a year"
                " (2026) or a run of months (2026-01..2026-06).",
                text=text[:40],
            )
        )


def _make(start: date, end: date) -> Period:
    return Period(start, end, f"{start:%Y-%m}..{end:%Y-%m}")
