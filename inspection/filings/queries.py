"""Reads of statistics filings, scoped to what the user may see, and the figures a filing
starts from."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case
from sqlmodel import Session
from sqlmodel import func
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.auth.scope import request_scope
from inspection.enterprises.models import Enterprise
from inspection.filings.models import StatisticsFiling
from inspection.filings.periods import Period
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardLevel
from inspection.hazards.models import HazardState
from inspection.pagination import Page
from inspection.pagination import paginate

PER_PAGE = 20


def figures(session: Session, enterprise_id: int, period: Period) -> dict[str, int]:
    """What the system knows of the period: hazards found in it (voided ones left out), those
    of them rectified, those still open, and the funds reported for them."""
    start = clock.start_of_local_day(period.start)
    end = clock.start_of_local_day(period.end + timedelta(days=1))
    major = Hazard.level == HazardLevel.MAJOR
    done = Hazard.state == HazardState.CLOSED
    row = session.exec(
        select(
            func.count(Hazard.id),
            func.sum(case((major, 1), else_=0)),
            func.sum(case((done, 1), else_=0)),
            func.sum(case((major & done, 1), else_=0)),
            func.sum(case((done, func.coalesce(Hazard.funding_yuan, 0)), else_=0)),
        ).where(
            Hazard.enterprise_id == enterprise_id,
            Hazard.found_at >= start,
            Hazard.found_at < end,
            Hazard.state != HazardState.VOIDED,
        )
    ).one()
    found, found_major, rectified, rectified_major, funding = (value or 0 for value in row)
    return {
        "found": found,
        "found_major": found_major,
        "rectified": rectified,
        "rectified_major": rectified_major,
        "still_open": found - rectified,
        "funding_yuan": funding,
    }


def filings(session: Session, user: User, *, period: str | None = None, page: int = 1) -> Page:
    """The filings the user may see, latest first, with their enterprise's name."""
    scope = request_scope(user)
    stmt = (
        select(StatisticsFiling, Enterprise.name)
        .join(Enterprise, Enterprise.id == StatisticsFiling.enterprise_id)
        .where(scope.rows(StatisticsFiling.park_id, StatisticsFiling.enterprise_id))
        .order_by(StatisticsFiling.period.desc(), Enterprise.name, StatisticsFiling.id)
    )
    if period:
        stmt = stmt.where(StatisticsFiling.period == period)
    return paginate(session, stmt, page=page, per_page=PER_PAGE)


def filed_periods(session: Session, enterprise_id: int) -> dict[str, StatisticsFiling]:
    """An enterprise's filings by period."""
    return {
        filing.period: filing
        for filing in session.exec(
            select(StatisticsFiling).where(StatisticsFiling.enterprise_id == enterprise_id)
        )
    }


def get_filing(session: Session, user: User, filing_id: int) -> StatisticsFiling | None:
    """One filing, if the user may see it."""
    scope = request_scope(user)
    return session.exec(
        select(StatisticsFiling).where(
            StatisticsFiling.id == filing_id,
            scope.rows(StatisticsFiling.park_id, StatisticsFiling.enterprise_id),
        )
    ).first()


def filed_enterprises(session: Session, park_id: int, period: str) -> set[int]:
    """The enterprises of a park that have filed for a period (reminders skip them)."""
    return set(
        session.exec(
            select(StatisticsFiling.enterprise_id).where(
                StatisticsFiling.park_id == park_id, StatisticsFiling.period == period
            )
        )
    )
