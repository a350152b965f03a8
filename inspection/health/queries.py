"""What the health probe reads: the database answers, the storage answers, the heartbeat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from inspection import clock
from inspection.health.models import SchedulerHeartbeat
from inspection.storage import StorageUnavailable
from inspection.storage import storage


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


def database(session: Session) -> Check:
    try:
        session.connection().execute(text("SELECT 1")).scalar()
    except Exception as error:  # any failure is the answer
        session.rollback()
        return Check(False, f"unreachable: {type(error).__name__}")
    return Check(True, "ok")


def files() -> Check:
    try:
        storage().check()
    except StorageUnavailable as error:
        return Check(False, str(error))
    except Exception as error:  # an unreachable endpoint raises many kinds
        return Check(False, f"unreachable: {type(error).__name__}")
    return Check(True, storage().name)


def last_heartbeat(session: Session) -> datetime | None:
    row = session.get(SchedulerHeartbeat, 1, populate_existing=True)
    return row.beat_at if row else None


def scheduler(session: Session, stale_after: int) -> Check:
    beat_at = last_heartbeat(session)
    if beat_at is None:
        return Check(False, "no heartbeat yet: is `python -m scheduler` running?")
    age = (clock.now() - beat_at).total_seconds()
    if age > stale_after:
        return Check(False, f"last heartbeat {int(age)} s ago (stale after {stale_after} s)")
    return Check(True, f"last heartbeat {int(age)} s ago")
