"""A campaign: its name, dates and whether it is an enforcement action."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class Campaign(SQLModel, table=True):
    """专项行动: one campaign inspects many enterprises with the same checklists and team."""

    __table_args__ = (
        UniqueConstraint("recurring_plan_id", "occurrence", name="uq_campaign_plan_occurrence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    name: str = Field(max_length=128)
    type: str = Field(default="special", max_length=20)
    description: str | None = Field(default=None, sa_type=Text)
    start_date: date
    due_date: date
    enforcement: bool = False
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    # Made by a recurring plan for one occurrence (the plan makes each occurrence once).
    recurring_plan_id: int | None = Field(default=None, foreign_key="recurring_plan.id", index=True)
    occurrence: date | None = None


class RecurringPlan(SQLModel, table=True):
    """定期检查计划: inspections that repeat (monthly, quarterly, before holidays); the scheduler
    plans each occurrence as a campaign `lead_days` ahead and tells the inspectors."""

    __tablename__ = "recurring_plan"

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    name: str = Field(max_length=128)
    recurrence: str = Field(max_length=20)  # monthly, quarterly, before_holidays
    type: str = Field(default="routine", max_length=20)
    # Monthly: the day of the month; quarterly: the day in the quarter's first month.
    day: int = 1
    # Before holidays: the inspection date is this many days before the holiday starts.
    days_before_holiday: int = 3
    # Plan the inspections this many days before their date; they are due this many days after.
    lead_days: int = 7
    duration_days: int = 7
    # Which enterprises (as for a campaign), the checklists and the team, as JSON lists.
    industry: str | None = Field(default=None, max_length=32)
    risk: str | None = Field(default=None, max_length=32)
    zone_id: int | None = Field(default=None, foreign_key="zone.id")
    version_ids: str = Field(default="[]", sa_type=Text)
    inspector_ids: str = Field(default="[]", sa_type=Text)
    active: bool = True
    # Why its inspections may go beyond an enterprise's yearly cap (国办发〔2024〕54号), recorded
    # on each inspection that does.
    over_cap_reason: str | None = Field(default=None, max_length=500)
    # Why the last occurrence could not be planned (shown on the plan list), if it could not.
    last_error: str | None = Field(default=None, sa_type=Text)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    version: int = 1


class Holiday(SQLModel, table=True):
    """A public holiday, for plans that inspect before holidays (节假日前检查)."""

    __table_args__ = (
        UniqueConstraint("park_id", "start_date", "name", name="uq_holiday_park_start_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    name: str = Field(max_length=64)
    start_date: date
    end_date: date
