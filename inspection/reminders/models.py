"""The park's reminder rules, and how far the daily sweeps have got."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class ReminderPolicy(SQLModel, table=True):
    """When to remind whom of a deadline; a park without a row uses these defaults.

    Day lists are comma-separated numbers of days before the deadline, e.g. "3,1".
    """

    __tablename__ = "reminder_policy"

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", unique=True)
    before_days: str = Field(default="3,1", max_length=64)
    on_day: bool = True
    # Overdue: a reminder on the first day late, then every so many days (0: only the first).
    overdue_every: int = 3
    # Days overdue after which the supervisors are told (0: never).
    escalate_after: int = 7
    # Major hazards (重大事故隐患) get stricter steps.
    major_before_days: str = Field(default="7,3,1", max_length=64)
    major_overdue_every: int = 1
    major_escalate_after: int = 3
    # Enterprises' quarterly and annual hazard statistics: days before they are due.
    statistics_before_days: str = Field(default="7,1", max_length=64)
    # Remind whoever decides an extension request every so many days while it waits.
    extension_every: int = 2
    # Local hour at which the daily email digest goes out.
    digest_hour: int = 8
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    version: int = 1


class SweepState(SQLModel, table=True):
    """The last local day a daily job has fully processed, so a restart catches up from there."""

    __tablename__ = "sweep_state"

    job: str = Field(primary_key=True, max_length=64)
    last_day: date
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
