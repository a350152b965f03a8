"""The scheduler's heartbeat: one row, rewritten by the running scheduler every half minute."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class SchedulerHeartbeat(SQLModel, table=True):
    """When the one running scheduler last said it was alive, and which process it is."""

    __tablename__ = "scheduler_heartbeat"

    id: int = Field(default=1, primary_key=True)
    beat_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    host: str = Field(default="", max_length=255)
    pid: int = 0
