"""Reading the security log, scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import or_
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.scope import Scope
from inspection.security.models import EventKind
from inspection.security.models import Outcome
from inspection.security.models import SecurityEvent

# How long a successful login makes an address "known" for its user (see auth.services).
KNOWN_ADDRESS_DAYS = 90


def has_logged_in_from(session: Session, user_id: int, address: str) -> bool:
    """True when the user logged in successfully from this address in the last 90 days."""
    since = clock.now() - timedelta(days=KNOWN_ADDRESS_DAYS)
    return (
        session.exec(
            select(SecurityEvent.id)
            .where(
                SecurityEvent.actor_id == user_id,
                SecurityEvent.kind == EventKind.LOGIN,
                SecurityEvent.outcome == Outcome.OK,
                SecurityEvent.ip == address,
                SecurityEvent.at >= since,
            )
            .limit(1)
        ).first()
        is not None
    )


def visible(scope: Scope, *, standalone_park: bool = False) -> ColumnElement[bool]:
    """The events a scope may see: its parks' events; a bureau looking across its region also
    its region's own events and the deployment's (logins under names nobody has), which a park
    without a region sees as well."""
    if scope.nothing or scope.enterprise_id is not None:
        return false()
    clause = scope.parks(SecurityEvent.park_id)
    if scope.everything:
        return clause
    if scope.is_region:
        return or_(
            clause,
            SecurityEvent.region_id == scope.region_id,
            and_(SecurityEvent.park_id.is_(None), SecurityEvent.region_id.is_(None)),
        )
    if standalone_park:
        return or_(clause, and_(SecurityEvent.park_id.is_(None), SecurityEvent.region_id.is_(None)))
    return clause


@dataclass
class LogFilters:
    """The security log page's filters, already checked; what could not be used is in
    `problems`."""

    user: str = ""
    kind: str | None = None
    outcome: str | None = None
    day_from: date | None = None
    day_to: date | None = None
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args, problem_text) -> LogFilters:
        filters = cls(user=(args.get("user") or "").strip()[:64])
        kind = args.get("kind") or None
        filters.kind = kind if kind in set(EventKind) else None
        outcome = args.get("outcome") or None
        filters.outcome = outcome if outcome in set(Outcome) else None
        for name in ("day_from", "day_to"):
            raw = (args.get(name) or "").strip()
            if not raw:
                continue
            try:
                setattr(filters, name, date.fromisoformat(raw[:10]))
            except ValueError:
                filters.problems.append(problem_text(raw))
        return filters

    def as_args(self) -> dict:
        """The filters as query-string arguments (for the export link and the log)."""
        return {
            key: str(value)
            for key, value in (
                ("user", self.user),
                ("kind", self.kind),
                ("outcome", self.outcome),
                ("day_from", self.day_from),
                ("day_to", self.day_to),
            )
            if value
        }


def events(scope: Scope, filters: LogFilters, *, standalone_park: bool = False):
    """The select of events matching the filters, newest first."""
    stmt = select(SecurityEvent).where(visible(scope, standalone_park=standalone_park))
    if filters.user:
        stmt = stmt.where(SecurityEvent.username == filters.user.lower())
    if filters.kind:
        stmt = stmt.where(SecurityEvent.kind == filters.kind)
    if filters.outcome:
        stmt = stmt.where(SecurityEvent.outcome == filters.outcome)
    if filters.day_from:
        stmt = stmt.where(SecurityEvent.at >= clock.start_of_local_day(filters.day_from))
    if filters.day_to:
        stmt = stmt.where(
            SecurityEvent.at < clock.start_of_local_day(filters.day_to + timedelta(days=1))
        )
    return stmt.order_by(SecurityEvent.at.desc(), SecurityEvent.id.desc())
