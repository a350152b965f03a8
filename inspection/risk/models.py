"""Enterprise risk grades (红/橙/黄/蓝), their history, the park's settings and the warnings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlalchemy import Text
from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class Grade(StrEnum):
    """重大/较大/一般/低风险, from the worst down."""

    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    BLUE = "blue"


# Worst first; a grade's rank is its place from the best (blue 0 … red 3).
GRADES: tuple[str, ...] = (Grade.RED, Grade.ORANGE, Grade.YELLOW, Grade.BLUE)
RANK: dict[str, int] = {Grade.BLUE: 0, Grade.YELLOW: 1, Grade.ORANGE: 2, Grade.RED: 3}


def worse(a: str, b: str) -> str:
    """The worse of two grades."""
    return a if RANK[a] >= RANK[b] else b


class RiskSettings(SQLModel, table=True):
    """A park's weights, thresholds, intervals, caps and mandatory rules; a park without a row
    uses the defaults of `inspection/risk/scoring.py` (documented there with their sources)."""

    __tablename__ = "risk_settings"

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", unique=True, index=True)
    # Canonical JSON of every value (see scoring.DEFAULTS for the names).
    values: str = Field(default="{}", sa_type=Text)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    version: int = 1


class RiskSettingsChange(SQLModel, table=True):
    """One change of a park's settings: who, when, why, before and after, and what moved."""

    __tablename__ = "risk_settings_change"

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    actor_id: int = Field(foreign_key="user_account.id")
    reason: str = Field(sa_type=Text)
    before: str = Field(sa_type=Text)
    after: str = Field(sa_type=Text)
    # How many enterprises changed grade with it.
    regraded: int = 0


class EnterpriseRisk(SQLModel, table=True):
    """An enterprise's current score, grade and its breakdown; changed in the same transaction
    as whatever moves it (a hazard, the enterprise's flags, an override, the settings)."""

    __tablename__ = "enterprise_risk"
    __table_args__ = (Index("ix_enterprise_risk_park_grade", "park_id", "grade"),)

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", unique=True)
    score: int = 0
    inherent: int = 0
    dynamic: int = 0
    # The grade the score alone gives, and the grade after the mandatory rules.
    score_grade: str = Field(default=Grade.BLUE, max_length=8)
    grade: str = Field(default=Grade.BLUE, max_length=8)
    # JSON: the factors with their quantity and points, and the rules that raised the grade.
    breakdown: str = Field(default="{}", sa_type=Text)
    computed_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class RiskHistory(SQLModel, table=True):
    """A change of an enterprise's score or grade, and what caused it."""

    __tablename__ = "risk_history"
    __table_args__ = (Index("ix_risk_history_enterprise_at", "enterprise_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id")
    at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)
    from_grade: str | None = Field(default=None, max_length=8)
    grade: str = Field(max_length=8)
    from_score: int | None = None
    score: int
    cause: str = Field(max_length=200)


class RiskOverride(SQLModel, table=True):
    """A supervisor's mandatory grade for one enterprise: at least this grade, with the reason,
    until lifted (kept afterwards in the history)."""

    __tablename__ = "risk_override"

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    grade: str = Field(max_length=8)
    reason: str = Field(sa_type=Text)
    set_by_id: int = Field(foreign_key="user_account.id")
    set_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    lifted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    lifted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lift_reason: str | None = Field(default=None, sa_type=Text)


class WarningKind(StrEnum):
    """The cases the warnings page lists (预警)."""

    GRADE_WORSE = "grade_worse"
    REPEAT = "repeat"
    REPEAT_THIRD = "repeat_third"
    NOT_INSPECTED = "not_inspected"
    MAJOR_NO_PLAN = "major_no_plan"
    OVERDUE_RISING = "overdue_rising"
    OVER_CAP = "over_cap"


class WarningStatus(StrEnum):
    """New, seen (acknowledged) and dealt with (handled)."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    HANDLED = "handled"


class RiskWarning(SQLModel, table=True):
    """One warning; its key names the case (kind, subject, period), so a sweep that runs twice
    raises it once."""

    __tablename__ = "risk_warning"
    __table_args__ = (
        Index("ix_risk_warning_park_status_raised", "park_id", "status", "raised_at"),
        # The page of every status (with the history), newest first: read in order, 20 at a time.
        Index("ix_risk_warning_park_raised_id", "park_id", "raised_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    hazard_id: int | None = Field(default=None, foreign_key="hazard.id")
    kind: str = Field(max_length=24, index=True)
    # JSON of the figures that raised it (shown on the page and in the message).
    details: str = Field(default="{}", sa_type=Text)
    raised_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    status: str = Field(default=WarningStatus.NEW, max_length=16)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledge_note: str | None = Field(default=None, sa_type=Text)
    handled_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handle_note: str | None = Field(default=None, sa_type=Text)
    version: int = 1
