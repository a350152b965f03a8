"""The one source of the current time, controllable in tests and in the demo loader."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

_frozen: datetime | None = None
_zone = ZoneInfo("Asia/Shanghai")


def set_timezone(name: str) -> None:
    """Set the park's local time zone (Asia/Shanghai by default)."""
    global _zone
    _zone = ZoneInfo(name)


def local_zone() -> ZoneInfo:
    """Return the park's local time zone."""
    return _zone


def now() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def today() -> date:
    """Return today's date in the park's time zone."""
    return now().astimezone(_zone).date()


def local(value: datetime) -> datetime:
    """Convert an aware datetime to the park's time zone."""
    return value.astimezone(_zone)


def start_of_local_day(day: date) -> datetime:
    """Return the UTC instant at which a local calendar day begins."""
    return datetime(day.year, day.month, day.day, tzinfo=_zone).astimezone(UTC)


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Pretend that the current time is `at` (aware) inside the block."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("frozen() needs an aware datetime")
    previous, _frozen = _frozen, at.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous


def advance(delta: timedelta) -> None:
    """Move a frozen clock forward."""
    global _frozen
    if _frozen is None:
        raise RuntimeError("the clock is not frozen")
    _frozen += delta
