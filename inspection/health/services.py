"""Writing the scheduler's heartbeat."""

from __future__ import annotations

import os
import socket

from sqlmodel import Session

from inspection import clock
from inspection.health.models import SchedulerHeartbeat


def beat(session: Session) -> None:
    """Record that the scheduler is alive now (the job commits)."""
    row = session.get(SchedulerHeartbeat, 1)
    if row is None:
        row = SchedulerHeartbeat(id=1)
        session.add(row)
    row.beat_at = clock.now()
    row.host = socket.gethostname()[:255]
    row.pid = os.getpid()
    session.flush()
