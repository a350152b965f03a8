"""Reading listings, campaign outcomes, assessments and projects, scoped to the user's parks;
the figures of the year's work report (工作总结数据)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.assignments.queries import SourceFigures
from inspection.assignments.queries import figures_by_source
from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.auth.scope import request_scope
from inspection.campaigns.models import Campaign
from inspection.enterprises.models import Enterprise
from inspection.programme.models import CampaignOutcome
from inspection.programme.models import EnterpriseListing
from inspection.programme.models import ParkAssessment
from inspection.programme.models import ParkProject


def visible_listings(user: User):
    """A select of the listings of the user's parks (an enterprise's users see their own)."""
    scope = request_scope(user)
    return select(EnterpriseListing).where(
        scope.rows(EnterpriseListing.park_id, EnterpriseListing.enterprise_id)
    )


def listing_rows(user: User):
    """A select of (listing, enterprise name) of the listings the user may see."""
    scope = request_scope(user)
    return (
        select(EnterpriseListing, Enterprise.name)
        .join(Enterprise, Enterprise.id == EnterpriseListing.enterprise_id)
        .where(scope.rows(EnterpriseListing.park_id, EnterpriseListing.enterprise_id))
    )


def get_listing(session: Session, user: User, listing_id: int) -> EnterpriseListing | None:
    """One listing, if the user may see it."""
    return session.exec(visible_listings(user).where(EnterpriseListing.id == listing_id)).first()


def outcomes_of(session: Session, campaign: Campaign) -> list[tuple[CampaignOutcome, str]]:
    """A campaign's recorded outcomes with the enterprise's name, by name."""
    return list(
        session.exec(
            select(CampaignOutcome, Enterprise.name)
            .join(Enterprise, Enterprise.id == CampaignOutcome.enterprise_id)
            .where(CampaignOutcome.campaign_id == campaign.id)
            .order_by(Enterprise.name)
        ).all()
    )


def outcome_counts(session: Session, campaign_ids) -> dict[str, int]:
    """How many enterprises ended each way in these campaigns."""
    return dict(
        session.exec(
            select(CampaignOutcome.outcome, func.count())
            .where(CampaignOutcome.campaign_id.in_(campaign_ids))
            .group_by(CampaignOutcome.outcome)
        ).all()
    )


def get_outcome(session: Session, user: User, outcome_id: int) -> CampaignOutcome | None:
    """One outcome, if it is of the user's parks (enterprise users see none)."""
    return session.exec(
        select(CampaignOutcome).where(
            CampaignOutcome.id == outcome_id, request_scope(user).rows(CampaignOutcome.park_id)
        )
    ).first()


def assessments(session: Session, scope: Scope) -> list[ParkAssessment]:
    """The chemical park's assessments in the scope, oldest first (the grade history)."""
    return list(
        session.exec(
            select(ParkAssessment)
            .where(scope.rows(ParkAssessment.park_id))
            .order_by(ParkAssessment.assessed_on, ParkAssessment.id)
        ).all()
    )


def get_assessment(session: Session, user: User, assessment_id: int) -> ParkAssessment | None:
    """One assessment, if it is of the user's parks."""
    return session.exec(
        select(ParkAssessment).where(
            ParkAssessment.id == assessment_id, request_scope(user).rows(ParkAssessment.park_id)
        )
    ).first()


def projects(session: Session, scope: Scope) -> list[ParkProject]:
    """The 整治提升项目动态清单: open projects first, by due date."""
    return list(
        session.exec(
            select(ParkProject)
            .where(scope.rows(ParkProject.park_id))
            .order_by(ParkProject.state.desc(), ParkProject.due_on, ParkProject.id)
        ).all()
    )


def get_project(session: Session, user: User, project_id: int) -> ParkProject | None:
    """One project, if it is of the user's parks."""
    return session.exec(
        select(ParkProject).where(
            ParkProject.id == project_id, request_scope(user).rows(ParkProject.park_id)
        )
    ).first()


@dataclass
class LevelFigures:
    """Listed units of one level: listed in the period, removed (闭环) in it, still listed."""

    level: str
    listed: int = 0
    closed: int = 0
    still_listed: int = 0


@dataclass
class YearFigures:
    """Every number of the work report's sentences for one period."""

    start: date
    end: date
    sources: list[SourceFigures] = field(default_factory=list)
    levels: list[LevelFigures] = field(default_factory=list)
    campaigns: list[tuple[Campaign, dict[str, int], int]] = field(default_factory=list)
    grade_then: ParkAssessment | None = None
    grade_now: ParkAssessment | None = None
    # The assessments up to the end of the period, oldest first (the grade history chart).
    history: list[ParkAssessment] = field(default_factory=list)

    @property
    def cases_assigned(self) -> int:
        return sum(row.assigned for row in self.sources)

    @property
    def cases_closed(self) -> int:
        return sum(row.closed for row in self.sources)


def year_figures(session: Session, scope: Scope, start: date, end: date) -> YearFigures:
    """The figures for [start, end]: cases by source, listed units by level, campaign outcomes,
    and the park grade at the start and at the end. One grouped query per section, so the page
    costs the same few round trips whatever the number of rows or campaigns."""
    after = clock.start_of_local_day(end + timedelta(days=1))
    begin = clock.start_of_local_day(start)
    figures = YearFigures(start=start, end=end)
    figures.sources = figures_by_source(session, scope, start, end)
    in_scope = scope.rows(EnterpriseListing.park_id, EnterpriseListing.enterprise_id)
    levels: dict[str, LevelFigures] = {}
    for level, listed, closed, still in session.exec(
        select(
            EnterpriseListing.level,
            func.count().filter(
                EnterpriseListing.listed_on >= start, EnterpriseListing.listed_on <= end
            ),
            func.count().filter(
                EnterpriseListing.delisted_at >= begin, EnterpriseListing.delisted_at < after
            ),
            func.count().filter(EnterpriseListing.delisted_at.is_(None)),
        )
        .where(in_scope)
        .group_by(EnterpriseListing.level)
    ).all():
        levels[level] = LevelFigures(level, listed, closed, still)
    figures.levels = [
        levels.get(level, LevelFigures(level)) for level in ("city", "county", "park")
    ]
    figures.campaigns = _campaign_counts(session, scope, start, end)
    figures.history = [a for a in assessments(session, scope) if a.assessed_on <= end]
    before = [a for a in figures.history if a.assessed_on <= start]
    within = [a for a in figures.history if start <= a.assessed_on]
    figures.grade_then = before[-1] if before else (within[0] if within else None)
    figures.grade_now = within[-1] if within else None
    return figures


def _campaign_counts(session: Session, scope: Scope, start: date, end: date) -> list:
    """The campaigns of the period that recorded outcomes, each with its counts by outcome and
    its total, in one grouped query."""
    by_campaign: dict[int, tuple[Campaign, dict[str, int]]] = {}
    for campaign, outcome, count in session.exec(
        select(Campaign, CampaignOutcome.outcome, func.count())
        .join(CampaignOutcome, CampaignOutcome.campaign_id == Campaign.id)
        .where(scope.rows(Campaign.park_id), Campaign.start_date <= end, Campaign.due_date >= start)
        .group_by(Campaign.id, CampaignOutcome.outcome)
        .order_by(Campaign.start_date, Campaign.id)
    ).all():
        by_campaign.setdefault(campaign.id, (campaign, {}))[1][outcome] = count
    return [(campaign, counts, sum(counts.values())) for campaign, counts in by_campaign.values()]
