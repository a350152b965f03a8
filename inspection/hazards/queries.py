"""Reading hazards and notices, scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement
from sqlalchemy.orm import load_only
from sqlmodel import Session
from sqlmodel import and_
from sqlmodel import func
from sqlmodel import or_
from sqlmodel import select

from inspection import clock
from inspection import labels
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.scope import request_scope
from inspection.enterprises.models import Enterprise
from inspection.hazards.models import OPEN_STATES
from inspection.hazards.models import VISIBLE_TO_ENTERPRISE
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardCategory
from inspection.hazards.models import HazardEvent
from inspection.hazards.models import HazardLevel
from inspection.hazards.models import HazardState
from inspection.hazards.models import Notice
from inspection.hazards.models import overdue
from inspection.hazards.models import unclosed
from inspection.inspections.models import InspectionType
from inspection.pagination import Page
from inspection.pagination import paginate

DUE_SOON_DAYS = 3


def hazard_scope(user: User) -> ColumnElement[bool]:
    """The hazards a user may see: an enterprise sees its own, once a notice made them its."""
    scope = request_scope(user).rows(Hazard.park_id, Hazard.enterprise_id)
    if user.role == Role.ENTERPRISE:
        scope = and_(scope, Hazard.state.in_(VISIBLE_TO_ENTERPRISE))
    return scope


def visible_hazards(user: User):
    """A select of the hazards the user may see."""
    return select(Hazard).where(hazard_scope(user))


def get_hazard(session: Session, user: User, hazard_id: int) -> Hazard | None:
    """One hazard, if the user may see it."""
    return session.exec(visible_hazards(user).where(Hazard.id == hazard_id)).first()


@dataclass
class HazardFilters:
    """The hazard list's filters, already checked; what could not be used is in `problems`."""

    q: str = ""
    state: str | None = None  # a HazardState, or one of SPECIAL_STATES
    level: str | None = None
    category: str | None = None
    source: str | None = None
    enterprise_id: int | None = None
    zone_id: int | None = None
    industry: str | None = None
    inspector_id: int | None = None  # who found the hazards
    found_from: date | None = None
    found_to: date | None = None
    problems: list[str] = field(default_factory=list)

    SPECIAL_STATES = ("open", "overdue", "due_soon", "recorded", "closed_on_time")
    # The query-string name of each filter.
    ARGS = (
        ("q", "q"),
        ("state", "state"),
        ("level", "level"),
        ("category", "category"),
        ("source", "source"),
        ("enterprise_id", "enterprise"),
        ("zone_id", "zone"),
        ("industry", "industry"),
        ("inspector_id", "inspector"),
        ("found_from", "found_from"),
        ("found_to", "found_to"),
    )

    @classmethod
    def from_args(cls, args) -> HazardFilters:
        """Read filters from the query string; say which values could not be used."""
        problems: list[str] = []

        def pick(name: str, allowed) -> str | None:
            value = args.get(name) or None
            if value is not None and value not in allowed:
                problems.append(
                    _(
                        "“%(value)s” is not a known %(filter)s; that filter is left out.",
                        value=value[:40],
                        filter=labels.label(labels.FILTER_NAMES, name),
                    )
                )
                return None
            return value

        def number(name: str) -> int | None:
            value = (args.get(name) or "").strip()
            if not value:
                return None
            if value.isdigit() and len(value) < 10:
                return int(value)
            problems.append(
                _("“%(value)s” is not a record number; that filter is left out.", value=value[:40])
            )
            return None

        def day(name: str) -> date | None:
            value = (args.get(name) or "").strip()
            if not value:
                return None
            try:
                return date.fromisoformat(value)
            except ValueError:
                problems.append(
                    _(
                        "“%(value)s” is not a date like 2026-11-23; that filter is left out.",
                        value=value[:40],
                    )
                )
                return None

        industry = (args.get("industry") or "").strip()[:32] or None
        return cls(
            q=args.get("q", "").strip()[:100],
            state=pick("state", {*HazardState, *cls.SPECIAL_STATES}),
            level=pick("level", set(HazardLevel)),
            category=pick("category", set(HazardCategory)),
            source=pick("source", set(InspectionType)),
            enterprise_id=number("enterprise"),
            zone_id=number("zone"),
            industry=industry,
            inspector_id=number("inspector"),
            found_from=day("found_from"),
            found_to=day("found_to"),
            problems=problems,
        )

    def to_args(self) -> dict[str, str]:
        """The query string that gives these filters back (for links and exports)."""
        values = {}
        for attribute, name in self.ARGS:
            value = getattr(self, attribute)
            if value not in (None, ""):
                values[name] = value.isoformat() if isinstance(value, date) else str(value)
        return values

    def apply(self, stmt, today: date):
        """Narrow a select of hazards to these filters."""
        if self.q:
            pattern = f"%{self.q}%"
            stmt = stmt.where(or_(Hazard.number.ilike(pattern), Hazard.title.ilike(pattern)))
        if self.state == "open":
            stmt = stmt.where(unclosed())
        elif self.state == "overdue":
            stmt = stmt.where(overdue(today))
        elif self.state == "due_soon":
            stmt = stmt.where(
                unclosed(),
                Hazard.deadline >= today,
                Hazard.deadline <= today + timedelta(days=DUE_SOON_DAYS),
            )
        elif self.state == "recorded":
            stmt = stmt.where(Hazard.state != HazardState.VOIDED)
        elif self.state == "closed_on_time":
            stmt = stmt.where(Hazard.state == HazardState.CLOSED, Hazard.closed_on_time.is_(True))
        elif self.state:
            stmt = stmt.where(Hazard.state == self.state)
        if self.level:
            stmt = stmt.where(Hazard.level == self.level)
        if self.category:
            stmt = stmt.where(Hazard.category == self.category)
        if self.source:
            stmt = stmt.where(Hazard.source == self.source)
        if self.enterprise_id is not None:
            stmt = stmt.where(Hazard.enterprise_id == self.enterprise_id)
        if self.zone_id is not None:
            stmt = stmt.where(
                Hazard.enterprise_id.in_(
                    select(Enterprise.id).where(Enterprise.zone_id == self.zone_id)
                )
            )
        if self.industry:
            stmt = stmt.where(
                Hazard.enterprise_id.in_(
                    select(Enterprise.id).where(Enterprise.industry == self.industry)
                )
            )
        if self.inspector_id is not None:
            stmt = stmt.where(Hazard.found_by_id == self.inspector_id)
        if self.found_from is not None:
            stmt = stmt.where(Hazard.found_at >= clock.start_of_local_day(self.found_from))
        if self.found_to is not None and self.found_to < date.max:
            next_day = self.found_to + timedelta(days=1)
            stmt = stmt.where(Hazard.found_at < clock.start_of_local_day(next_day))
        return stmt


# Filters that read the hazards not yet closed only.
UNCLOSED_FILTERS = ("open", "overdue", "due_soon")

# Counting more matches of a list than this (or than the page asked for) is not worth the time:
# the page says "1000+" and offers the next page; the dashboard has the exact figures.
COUNT_LIMIT = 1_000


# What a list row shows (hazards/_table.html): loading only these keeps a page light.
LISTED = (
    Hazard.id,
    Hazard.number,
    Hazard.title,
    Hazard.level,
    Hazard.state,
    Hazard.deadline,
    Hazard.enterprise_id,
    # The level badge names a major hazard's basis; left out, each row would fetch it alone.
    Hazard.basis,
)


def list_hazards(
    session: Session, user: User, filters: HazardFilters, *, page: int, per_page: int
) -> Page:
    """A page of hazards with their enterprise names, most urgent first."""
    today = clock.today()
    stmt = (
        select(Hazard, Enterprise.name)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .options(load_only(*LISTED))
    )
    stmt = filters.apply(stmt.where(hazard_scope(user)), today)
    # Deadlines are always set, so this order can walk a (deadline, id) index: the one of the
    # hazards not yet closed when the filter asks for those.
    stmt = stmt.order_by(Hazard.deadline, Hazard.id)
    counted = filters.apply(select(Hazard.id).where(hazard_scope(user)), today)
    # Filtered to hazards not yet closed, the matching ids in order come from that index
    # alone and give the count and the page, whose rows are then read by id: the join with
    # the enterprises is planned poorly under a zone or industry filter in a large park.
    return paginate(
        session,
        stmt,
        page=page,
        per_page=per_page,
        count_limit=COUNT_LIMIT,
        counted=counted.order_by(Hazard.deadline, Hazard.id),
        key=Hazard.id if filters.state in UNCLOSED_FILTERS else None,
    )


def ledger_statement(user: User, filters: HazardFilters):
    """The visible hazards matching the filters, with enterprise names, in ledger order."""
    stmt = select(Hazard, Enterprise.name).join(Enterprise, Enterprise.id == Hazard.enterprise_id)
    stmt = filters.apply(stmt.where(hazard_scope(user)), clock.today())
    return stmt.order_by(Hazard.found_at, Hazard.id)


BULK_LIMIT = 5000


def filtered(
    session: Session, user: User, filters: HazardFilters | None, *, ids: list[int] | None = None
) -> list[tuple[Hazard, str]]:
    """The visible hazards matching the filters (or with the given ids), for bulk work."""
    stmt = select(Hazard, Enterprise.name).join(Enterprise, Enterprise.id == Hazard.enterprise_id)
    stmt = stmt.where(hazard_scope(user))
    if filters is not None:
        stmt = filters.apply(stmt, clock.today())
    if ids is not None:
        stmt = stmt.where(Hazard.id.in_(ids[:BULK_LIMIT]))
    return list(session.exec(stmt.order_by(Hazard.id).limit(BULK_LIMIT)))


def enterprise_counts(session: Session, user: User, enterprise_id: int) -> dict[str, int]:
    """Found, open, overdue and closed counts of one enterprise's visible hazards."""
    today = clock.today()
    base = (
        select(func.count())
        .select_from(Hazard)
        .where(hazard_scope(user), Hazard.enterprise_id == enterprise_id)
    )
    return {
        "found": session.exec(base.where(Hazard.state != HazardState.VOIDED)).one(),
        "open": session.exec(base.where(Hazard.state.in_(OPEN_STATES))).one(),
        "overdue": session.exec(base.where(overdue(today))).one(),
        "closed": session.exec(base.where(Hazard.state == HazardState.CLOSED)).one(),
    }


def recent_for_enterprise(
    session: Session, user: User, enterprise_id: int, limit: int = 10
) -> list[Hazard]:
    """An enterprise's latest visible hazards."""
    return list(
        session.exec(
            visible_hazards(user)
            .where(Hazard.enterprise_id == enterprise_id)
            .order_by(Hazard.found_at.desc())
            .limit(limit)
        )
    )


def history(session: Session, hazard_id: int) -> list[tuple[HazardEvent, str | None]]:
    """A hazard's events, oldest first, with the actor's display name."""
    return list(
        session.exec(
            select(HazardEvent, User.display_name)
            .outerjoin(User, User.id == HazardEvent.actor_id)
            .where(HazardEvent.hazard_id == hazard_id)
            .order_by(HazardEvent.seq)
        )
    )


def notice_scope(user: User) -> ColumnElement[bool]:
    """The notices a user may see."""
    return request_scope(user).rows(Notice.park_id, Notice.enterprise_id)


def get_notice(session: Session, user: User, notice_id: int) -> Notice | None:
    """One notice, if the user may see it."""
    return session.exec(select(Notice).where(notice_scope(user), Notice.id == notice_id)).first()


def hazards_of_notice(session: Session, notice_id: int) -> list[Hazard]:
    """The hazards a notice lists, in order."""
    return list(
        session.exec(select(Hazard).where(Hazard.notice_id == notice_id).order_by(Hazard.id))
    )


def notices_of_enterprise(
    session: Session, user: User, enterprise_id: int, *, unacknowledged_only: bool = False
) -> list[Notice]:
    """An enterprise's notices, newest first."""
    stmt = select(Notice).where(notice_scope(user), Notice.enterprise_id == enterprise_id)
    if unacknowledged_only:
        stmt = stmt.where(Notice.acknowledged_at.is_(None))
    return list(session.exec(stmt.order_by(Notice.issued_at.desc())))


def user_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    """Display names of the given users."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.exec(select(User.id, User.display_name).where(User.id.in_(wanted))).all())


def major_register(session: Session, *, open_only: bool = False) -> list[tuple[Hazard, str]]:
    """The register of major hazards (重大事故隐患台账) with their enterprises."""
    stmt = (
        select(Hazard, Enterprise.name)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(Hazard.level == HazardLevel.MAJOR, Hazard.state != HazardState.VOIDED)
    )
    if open_only:
        stmt = stmt.where(Hazard.state != HazardState.CLOSED)
    return list(session.exec(stmt.order_by(Hazard.closed_at.is_not(None), Hazard.found_at.desc())))
