"""Report jobs: long PDFs built in the background, with their progress and the finished file."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class ReportKind(StrEnum):
    """What a report job builds."""

    SUPERVISION = "supervision"  # 监管报告: a month's or quarter's figures, lists and photos
    LEDGER = "ledger"  # 隐患台账: one enterprise's hazards


class JobStatus(StrEnum):
    """Where a report job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReportJob(SQLModel, table=True):
    """One report asked for; the scheduler builds it and the page shows how far it has got."""

    __tablename__ = "report_job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    # One park's report, or (no park) the region's comparison of its parks.
    park_id: int | None = Field(default=None, foreign_key="park.id", index=True)
    region_id: int | None = Field(default=None, foreign_key="region.id", index=True)
    # The period code (2026-11, 2026-Q4, …) of a supervision report.
    period: str | None = Field(default=None, max_length=32)
    # A ledger's enterprise (also what limits who may see the job).
    enterprise_id: int | None = Field(default=None, foreign_key="enterprise.id", index=True)
    title: str = Field(max_length=200)
    status: str = Field(default=JobStatus.QUEUED, max_length=16, index=True)
    progress: int = 0
    # What it is doing now, as a message key (see reports.jobs.STAGES).
    stage: str | None = Field(default=None, max_length=32)
    error: str | None = Field(default=None, sa_type=Text)
    # The finished PDF, stored under reports/<file_name>.
    file_name: str | None = Field(default=None, max_length=100)
    size_bytes: int | None = None
    pages: int | None = None
    locale: str | None = Field(default=None, max_length=8)
    requested_by_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
