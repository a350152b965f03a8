"""Hazards, the rectification notices that group them, and their append-only history."""

from __future__ import annotations

import uuid as uuid_module
from datetime import date
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement
from sqlalchemy import Index
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import and_
from sqlalchemy import text
from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class HazardLevel(StrEnum):
    """一般隐患 or 重大事故隐患, and 较大隐患 in parks that use a third grade."""

    GENERAL = "general"
    SIGNIFICANT = "significant"
    MAJOR = "major"


class HazardCategory(StrEnum):
    """Hazard type as in the national data interface (隐患类型)."""

    SAFETY = "safety"
    PROCESS = "process"
    ELECTRICAL = "electrical"
    INSTRUMENT = "instrument"
    FIRE = "fire"
    LAYOUT = "layout"
    EQUIPMENT = "equipment"
    ENVIRONMENT = "environment"
    OTHER = "other"


class HazardAspect(StrEnum):
    """人的不安全行为 / 物的不安全状态 / 管理上的缺陷."""

    PERSON = "person"
    THING = "thing"
    MANAGEMENT = "management"


class RegistrantDuty(StrEnum):
    """Who registered a hazard, as the national interface's hazardCategory asks: one of the
    enterprise's 包保责任人 (principal, technical, operations) or anyone else. The park's
    inspectors are none of the three, so their findings are OTHER."""

    OTHER = "other"
    PRINCIPAL = "principal"
    TECHNICAL = "technical"
    OPERATIONS = "operations"


class OccurrenceLink(StrEnum):
    """The stage of work in which a hazard arose (发生环节, the interface's occurrenceLink)."""

    DESIGN = "design"  # 设计
    PRODUCT_DEFECT = "product_defect"  # 产品质量缺陷
    STORAGE = "storage"  # 仓储
    CONSTRUCTION = "construction"  # 项目施工
    START_STOP = "start_stop"  # 开停车
    OPERATION = "operation"  # 使用操作
    MAINTENANCE = "maintenance"  # 维护保养
    REPAIR = "repair"  # 维修
    CHANGE = "change"  # 变更
    TRANSPORT = "transport"  # 运输


class Handling(StrEnum):
    """即查即改 (fixed on the spot) or 限期整改 (fixed by a deadline)."""

    ON_SPOT = "on_spot"
    DEADLINE = "deadline"


class HazardState(StrEnum):
    """A hazard's place in its lifecycle; overdue is derived, never stored."""

    FOUND = "found"
    ISSUED = "issued"
    ACKNOWLEDGED = "acknowledged"
    RECTIFYING = "rectifying"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    CLOSED = "closed"
    ESCALATED = "escalated"
    VOIDED = "voided"


# States that still count as not closed for overdue and closure figures.
OPEN_STATES: frozenset[str] = frozenset(
    {
        HazardState.FOUND,
        HazardState.ISSUED,
        HazardState.ACKNOWLEDGED,
        HazardState.RECTIFYING,
        HazardState.SUBMITTED,
        HazardState.ACCEPTED,
        HazardState.ESCALATED,
    }
)
# States in which the enterprise owes the rectification: the ones deadline reminders are about.
REMINDED_STATES: tuple[str, ...] = (
    HazardState.ISSUED,
    HazardState.ACKNOWLEDGED,
    HazardState.RECTIFYING,
)
OPEN_DEADLINE_PREDICATE = "state IN ('issued', 'acknowledged', 'rectifying')"
UNCLOSED_PREDICATE = (
    "state IN ('found', 'issued', 'acknowledged', 'rectifying', 'submitted', 'accepted',"
    " 'escalated')"
)


def unclosed():
    """WHERE clause for OPEN_STATES, written as the partial index ix_hazard_unclosed is."""
    return text("hazard." + UNCLOSED_PREDICATE)


def owes_rectification():
    """WHERE clause for REMINDED_STATES, written as literally as the partial index's own, so
    SQLite and PostgreSQL (with a generic plan) can prove the index applies."""
    return text("hazard." + OPEN_DEADLINE_PREDICATE)


# States an enterprise user can see: everything from the notice on.
VISIBLE_TO_ENTERPRISE: frozenset[str] = frozenset(set(HazardState) - {HazardState.FOUND})


class Notice(SQLModel, table=True):
    """整改通知书: one numbered document for the hazards of one inspection at one enterprise."""

    __table_args__ = (UniqueConstraint("park_id", "year", "seq", name="uq_notice_park_year_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=64, unique=True)
    park_id: int = Field(foreign_key="park.id")
    year: int
    seq: int
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id", index=True)
    issued_at: datetime = Field(sa_type=UTCDateTime)
    issued_by_id: int = Field(foreign_key="user_account.id")
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    version: int = 1


class Hazard(SQLModel, table=True):
    """One hazard at one enterprise, tracked on its own with its own deadline and state."""

    __table_args__ = (
        Index("ix_hazard_state_deadline", "state", "deadline"),
        # An enterprise's hazards by state; on PostgreSQL it also carries what its risk grade
        # counts, so regrading it in a hazard's transaction reads the index alone.
        Index(
            "ix_hazard_enterprise_risk",
            "enterprise_id",
            "state",
            postgresql_include=[
                "level",
                "deadline",
                "found_at",
                "closed_at",
                "closed_on_time",
                "repeat_of_id",
                "supervision_level",
                "delisted_at",
            ],
        ),
        # The reminder sweep reads open hazards by deadline; closed ones (most of them, in a
        # park that has run for years) are not in this index at all.
        # Overdue-now and open-major figures and lists read the hazards not yet closed.
        # Lists of them walk it in their order (most urgent first); on PostgreSQL the figures
        # count from the index alone.
        Index(
            "ix_hazard_unclosed",
            "park_id",
            "deadline",
            "id",
            postgresql_where=text(UNCLOSED_PREDICATE),
            sqlite_where=text(UNCLOSED_PREDICATE),
            postgresql_include=["level", "enterprise_id"],
        ),
        # The hazard list's order (most urgent first) walks this index, within a park.
        Index("ix_hazard_park_deadline_id", "park_id", "deadline", "id"),
        # A region's lists of hazards not yet closed, most urgent first, across its parks.
        Index(
            "ix_hazard_unclosed_deadline",
            "deadline",
            "id",
            postgresql_where=text(UNCLOSED_PREDICATE),
            sqlite_where=text(UNCLOSED_PREDICATE),
            postgresql_include=["park_id", "level", "enterprise_id"],
        ),
        Index(
            "ix_hazard_open_deadline",
            "park_id",
            "level",
            "deadline",
            postgresql_where=text(OPEN_DEADLINE_PREDICATE),
            # Covering on PostgreSQL: the sweep reads each park's due rows from the index alone.
            postgresql_include=[
                "enterprise_id",
                "assigned_inspector_id",
                "found_by_id",
                "number",
                "title",
                "basis",
            ],
            sqlite_where=text(OPEN_DEADLINE_PREDICATE),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=lambda: str(uuid_module.uuid4()), max_length=36, unique=True)
    # YH-YYYYMMDD-NNNN, numbered per local day.
    number: str = Field(max_length=32, unique=True)
    # The enterprise's park (enterprises never change park), so every scope reads one column.
    park_id: int = Field(foreign_key="park.id")
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id", index=True)
    notice_id: int | None = Field(default=None, foreign_key="notice.id", index=True)
    # The checklist item whose failure raised this hazard, and that answer.
    checklist_item_id: int | None = Field(default=None, foreign_key="checklist_item.id")
    # 重复隐患: the earlier hazard (same item, or same category and place) closed within the
    # repeat window before this one was found, and how many times it has now been found.
    repeat_of_id: int | None = Field(default=None, foreign_key="hazard.id", index=True)
    occurrence: int = 1
    answer_id: int | None = Field(default=None, foreign_key="answer.id", index=True)

    title: str = Field(max_length=200)
    description: str | None = Field(default=None, sa_type=Text)
    location: str | None = Field(default=None, max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    level: str = Field(default=HazardLevel.GENERAL, max_length=16, index=True)
    category: str = Field(default=HazardCategory.SAFETY, max_length=16, index=True)
    aspect: str | None = Field(default=None, max_length=16)
    # 判定依据: the standard and clause (required for a major hazard).
    basis: str | None = Field(default=None, max_length=500)
    source: str = Field(max_length=20, index=True)
    # What the national 双重预防 interface asks beyond the above: who registered it
    # (hazardCategory), the cause found (dangerReason) and the stage it arose in
    # (occurrenceLink); defaults come from hazards.causes.
    registrant_duty: str = Field(default=RegistrantDuty.OTHER, max_length=16)
    danger_reason: str | None = Field(default=None, max_length=1000)
    occurrence_link: str | None = Field(default=None, max_length=16)
    handling: str = Field(default=Handling.DEADLINE, max_length=16)
    state: str = Field(default=HazardState.FOUND, max_length=16, index=True)

    deadline: date | None = None
    # The first deadline set; the on-time rate is measured against it.
    original_deadline: date | None = None
    found_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)
    found_by_id: int = Field(foreign_key="user_account.id", index=True)
    # The inspector who follows the hazard up (the finder unless reassigned).
    assigned_inspector_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True
    )

    # 整改要求 written on the notice.
    required_measures: str | None = Field(default=None, sa_type=Text)
    # The enterprise's answer.
    responsible_person: str | None = Field(default=None, max_length=64)
    rectification_measures: str | None = Field(default=None, sa_type=Text)
    funding_yuan: int | None = None
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    # 挂牌督办: listed for supervision at city, county or park level.
    supervision_level: str | None = Field(default=None, max_length=16)
    supervising_body: str | None = Field(default=None, max_length=128)
    listed_on: date | None = None
    delisted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    stop_production: bool = False

    # 研判: when a supervisor confirmed a major finding (its notice may go out only after).
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # 复产: when a supervisor approved resuming production stopped for this hazard.
    resumption_approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    reviewed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    review_mode: str | None = Field(default=None, max_length=16)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_comment: str | None = Field(default=None, sa_type=Text)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    closed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # Closed by the first deadline set (按期整改), whatever extensions came later.
    closed_on_time: bool | None = None

    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    version: int = 1

    @property
    def listed(self) -> bool:
        """Listed for supervision (挂牌督办) and not yet removed."""
        return self.supervision_level is not None and self.delisted_at is None

    def is_overdue(self, today: date) -> bool:
        """Deadline passed and not closed (derived, never stored); `overdue()` in SQL."""
        return self.deadline is not None and self.deadline < today and self.state in OPEN_STATES


def overdue(today: date, *, among_unclosed: bool = False) -> ColumnElement[bool]:
    """SQL for overdue: deadline passed and not closed (derived, never stored), the one
    spelling every list, figure, report and count uses; `Hazard.is_overdue` in Python.

    In a query already limited to unclosed hazards (`among_unclosed`, e.g. a count's FILTER)
    only the deadline is compared, so the figures still count from the partial index alone.
    """
    past = Hazard.deadline < today
    return past if among_unclosed else and_(unclosed(), past)


class HazardEvent(SQLModel, table=True):
    """One step in a hazard's history; each carries the hash of the one before it."""

    __tablename__ = "hazard_event"
    __table_args__ = (UniqueConstraint("hazard_id", "seq", name="uq_hazard_event_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    hazard_id: int = Field(foreign_key="hazard.id", index=True)
    seq: int
    event: str = Field(max_length=32)
    from_state: str | None = Field(default=None, max_length=16)
    to_state: str = Field(max_length=16)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    at: datetime = Field(sa_type=UTCDateTime)
    comment: str | None = Field(default=None, sa_type=Text)
    # Event details as canonical JSON (e.g. old and new deadline).
    data: str = Field(default="{}", sa_type=Text)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class SupervisionLevel(StrEnum):
    """Who supervises a listed major hazard (挂牌督办)."""

    CITY = "city"
    COUNTY = "county"
    PARK = "park"


class ReviewMode(StrEnum):
    """How a rectification was re-inspected."""

    ON_SITE = "on_site"
    DOCUMENTS = "documents"


class RectificationPlan(SQLModel, table=True):
    """整改方案 (治理方案). For a major hazard, the six elements of 16号令 第十五条: 目标和任务,
    方法和措施, 经费和物资, 负责治理的机构和人员, 时限和要求, 安全措施和应急预案, plus the
    plan document; for a general hazard, who, what, and the interim controls until it is fixed."""

    __tablename__ = "rectification_plan"

    id: int | None = Field(default=None, primary_key=True)
    hazard_id: int = Field(foreign_key="hazard.id", index=True)
    # 治理的目标和任务
    goals: str | None = Field(default=None, sa_type=Text)
    # 采取的方法和措施
    measures: str = Field(sa_type=Text)
    # 经费和物资的落实
    funding_yuan: int | None = None
    materials: str | None = Field(default=None, sa_type=Text)
    # 负责治理的机构和人员
    organization: str | None = Field(default=None, max_length=200)
    responsible_person: str = Field(max_length=64)
    # 治理的时限和要求
    planned_completion: date | None = None
    requirements: str | None = Field(default=None, sa_type=Text)
    # 安全措施和应急预案
    safety_measures: str | None = Field(default=None, sa_type=Text)
    contingency_plan: str | None = Field(default=None, sa_type=Text)
    # 临时管控措施 of a general hazard until it is fixed.
    interim_controls: str | None = Field(default=None, sa_type=Text)
    document_id: int | None = Field(default=None, foreign_key="document.id")
    submitted_by_id: int = Field(foreign_key="user_account.id")
    submitted_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class ExtensionStatus(StrEnum):
    """Where an extension request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class ExtensionRequest(SQLModel, table=True):
    """延期申请: asked before the deadline, decided by a supervisor (or inspector, per park)."""

    __tablename__ = "extension_request"

    id: int | None = Field(default=None, primary_key=True)
    hazard_id: int = Field(foreign_key="hazard.id", index=True)
    status: str = Field(default=ExtensionStatus.PENDING, max_length=16, index=True)
    reason: str = Field(sa_type=Text)
    old_deadline: date
    requested_deadline: date
    requested_by_id: int = Field(foreign_key="user_account.id")
    requested_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    # By when the decision is due (the park's working days for deciding).
    decide_by: date | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_comment: str | None = Field(default=None, sa_type=Text)
