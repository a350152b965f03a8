"""The park's rectification programme beyond single hazards: enterprises listed for
supervision (挂牌督办重点单位), campaign outcomes (专项整治), and the chemical park's risk grade
with its improvement projects (一园一策)."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class ListingLevel(StrEnum):
    """Who lists an enterprise for supervision."""

    CITY = "city"
    COUNTY = "county"
    PARK = "park"


class EnterpriseListing(SQLModel, table=True):
    """挂牌督办: an enterprise listed at city, county or park level until its items are closed."""

    __tablename__ = "enterprise_listing"

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    level: str = Field(max_length=16, index=True)
    body: str = Field(max_length=128)
    reason: str = Field(sa_type=Text)
    listed_on: date
    deadline: date
    listed_by_id: int = Field(foreign_key="user_account.id")
    delisted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    delisted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    delist_comment: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    version: int = 1

    @property
    def listed(self) -> bool:
        """Still on the list."""
        return self.delisted_at is None


class ListingItem(SQLModel, table=True):
    """A hazard or an assigned case that a listing covers."""

    __tablename__ = "listing_item"

    id: int | None = Field(default=None, primary_key=True)
    listing_id: int = Field(foreign_key="enterprise_listing.id", index=True)
    hazard_id: int | None = Field(default=None, foreign_key="hazard.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="assigned_case.id", index=True)


class Outcome(StrEnum):
    """How an enterprise ends a special campaign (专项整治)."""

    CLOSED_DOWN = "closed_down"  # 关停
    RECTIFIED = "rectified"  # 整治提升
    RELOCATED_IN_COUNTY = "relocated_in_county"  # 县内搬迁
    RELOCATED_OUT = "relocated_out"  # 县外搬迁
    KEPT = "kept"  # 保留
    UNFINISHED = "unfinished"  # 未完成


class CampaignOutcome(SQLModel, table=True):
    """One covered enterprise's outcome in a campaign, with its date and evidence."""

    __tablename__ = "campaign_outcome"
    __table_args__ = (
        UniqueConstraint("campaign_id", "enterprise_id", name="uq_campaign_outcome_enterprise"),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    outcome: str = Field(max_length=24)
    decided_on: date
    note: str | None = Field(default=None, sa_type=Text)
    evidence_sha256: str | None = Field(default=None, max_length=64)
    evidence_name: str | None = Field(default=None, max_length=255)
    evidence_type: str | None = Field(default=None, max_length=100)
    recorded_by_id: int = Field(foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    version: int = 1


class ParkAssessment(SQLModel, table=True):
    """化工园区安全风险评估: one self-assessment on the scoring checklist, its score and grade."""

    __tablename__ = "park_assessment"

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    version_id: int = Field(foreign_key="checklist_version.id")
    assessed_on: date
    score: float
    grade: str = Field(max_length=1)
    note: str | None = Field(default=None, sa_type=Text)
    assessed_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class AssessmentResult(SQLModel, table=True):
    """One scored item of an assessment: passed, failed (a deduction) or not applicable."""

    __tablename__ = "assessment_result"
    __table_args__ = (UniqueConstraint("assessment_id", "item_id", name="uq_assessment_item"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="park_assessment.id", index=True)
    item_id: int = Field(foreign_key="checklist_item.id")
    result: str = Field(max_length=8)
    note: str | None = Field(default=None, sa_type=Text)


class ProjectState(StrEnum):
    """Where an improvement project stands."""

    OPEN = "open"
    CLOSED = "closed"


class ParkProject(SQLModel, table=True):
    """整治提升项目 in the 一园一策 list: a deduction turned into work with an owner and money."""

    __tablename__ = "park_project"

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    assessment_id: int | None = Field(default=None, foreign_key="park_assessment.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="checklist_item.id")
    title: str = Field(max_length=200)
    owner: str = Field(max_length=128)
    budget_yuan: int | None = None
    milestones: str | None = Field(default=None, sa_type=Text)
    due_on: date
    progress: int = 0
    progress_note: str | None = Field(default=None, sa_type=Text)
    state: str = Field(default=ProjectState.OPEN, max_length=8)
    closed_on: date | None = None
    evidence_sha256: str | None = Field(default=None, max_length=64)
    evidence_name: str | None = Field(default=None, max_length=255)
    evidence_type: str | None = Field(default=None, max_length=100)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    version: int = 1
