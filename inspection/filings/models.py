"""The quarterly and annual hazard statistics an enterprise files with the park (隐患排查治理
统计分析表), signed by its principal person in charge (16号令 第十四条)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class StatisticsFiling(SQLModel, table=True):
    """One enterprise's statistics for one quarter (2026Q3) or year (2026), filed once."""

    __tablename__ = "statistics_filing"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "period", name="uq_statistics_filing_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    period: str = Field(max_length=8, index=True)
    # Hazards found in the period (the enterprise's own findings included), how many were
    # major, how many of them are rectified, how many are still open, and the funds spent.
    found: int = 0
    found_major: int = 0
    rectified: int = 0
    rectified_major: int = 0
    still_open: int = 0
    funding_yuan: int = 0
    analysis: str = Field(sa_type=Text)
    # 主要负责人: the name written and the signature drawn.
    principal_name: str = Field(max_length=64)
    signature_sha256: str = Field(max_length=64)
    filed_by_id: int = Field(foreign_key="user_account.id")
    filed_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
