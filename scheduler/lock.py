"""Make sure only one scheduler runs jobs: a PostgreSQL advisory lock, or a file lock on SQLite.

A second copy started by mistake waits here and takes over when the first one dies: the lock
goes with the first process's database connection (or open file), so nothing has to time out.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import text

log = logging.getLogger(__name__)

# Any fixed 64-bit number; it names the lock in pg_locks.
ADVISORY_KEY = 0x5A46_6A63_6865_6431


class SchedulerLock:
    """Held for the life of the process once acquired."""

    def __init__(self, engine: Engine, lock_file: Path) -> None:
        self.engine = engine
        self.lock_file = lock_file
        self._connection: Connection | None = None
        self._file = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; never blocks."""
        if self.engine.dialect.name == "postgresql":
            connection = self.engine.connect()
            got = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
            ).scalar()
            connection.commit()
            if got:
                self._connection = connection
                return True
            connection.close()
            return False
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.lock_file, "a+")  # noqa: SIM115 (held open while the lock is held)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def wait(self, *, poll_seconds: float = 10.0, stop: Callable[[float], bool]) -> bool:
        """Wait until the lock is ours (True), or until `stop`, which waits up to the given
        seconds for a reason to give up, says to give up (False)."""
        announced = False
        while not self.try_acquire():
            if not announced:
                log.warning("another scheduler is running; waiting to take over")
                announced = True
            if stop(poll_seconds):
                return False
        return True

    def still_held(self) -> bool:
        """Check that the lock's connection is alive (PostgreSQL can drop it on a restart)."""
        if self._connection is None:
            return self._file is not None
        try:
            self._connection.execute(text("SELECT 1")).scalar()
            self._connection.commit()
            return True
        except Exception:  # the connection is gone, and the lock with it
            return False

    def release(self) -> None:
        """Give the lock up (on shutdown)."""
        if self._connection is not None:
            try:
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY}
                )
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
