"""双随机、一公开: the published items, the two directories, tasks, draws and their results."""

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


class ItemMethod(StrEnum):
    """How an item is checked (检查方式)."""

    WRITTEN = "written"  # 书面检查
    ONSITE = "onsite"  # 实地检查
    ONLINE = "online"  # 网络监测


class DrawItem(SQLModel, table=True):
    """One version of an inspection item (抽查事项) of the park's published list (一单)."""

    __tablename__ = "draw_item"
    __table_args__ = (
        UniqueConstraint("park_id", "code", "version", name="uq_draw_item_code_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    code: str = Field(max_length=32)
    version: int = 1
    title: str = Field(max_length=200)
    # 实施依据: the law and article.
    legal_basis: str = Field(sa_type=Text)
    content: str = Field(sa_type=Text)
    applies_to: str = Field(max_length=200)
    method: str = Field(default=ItemMethod.ONSITE, max_length=16)
    body: str = Field(max_length=128)  # 实施主体 / 承办机构
    # The checklist versions used, as a JSON list of ids.
    checklist_ids: str = Field(default="[]", sa_type=Text)
    published_on: date | None = None
    # A later version replaces this one in new tasks; tasks keep the version they used.
    superseded: bool = False
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)

    @property
    def published(self) -> bool:
        """True once the version has been published (and so may be used by a task)."""
        return self.published_on is not None


class Officer(SQLModel, table=True):
    """An entry of the officer directory (执法检查人员名录库), or of the separate expert pool."""

    __table_args__ = (
        UniqueConstraint("park_id", "certificate_no", name="uq_officer_park_certificate"),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    # The officer's account, so that a drawn team becomes an inspection team.
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    name: str = Field(max_length=64)
    # 执法证号 (for an expert: the expert's certificate or registration number).
    certificate_no: str = Field(max_length=64)
    valid_from: date
    valid_until: date
    specialty: str | None = Field(default=None, max_length=64)
    team: str | None = Field(default=None, max_length=64)
    expert: bool = False
    active: bool = True
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    version: int = 1

    def certificate_valid(self, day: date) -> bool:
        """True while the certificate is valid on `day`."""
        return self.valid_from <= day <= self.valid_until


class Conflict(SQLModel, table=True):
    """回避: an officer's declared conflict of interest with an enterprise."""

    __tablename__ = "officer_conflict"
    __table_args__ = (
        UniqueConstraint("officer_id", "enterprise_id", name="uq_officer_conflict_enterprise"),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    officer_id: int = Field(foreign_key="officer.id", index=True)
    reason: str = Field(max_length=200)
    declared_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    declared_by_id: int = Field(foreign_key="user_account.id")


class KeyEnterprise(SQLModel, table=True):
    """An enterprise a supervisor puts on the year's key list (重点检查) by name, and why. The
    plan adds those the rules name (risk grade red or orange, credit class D, a major hazard
    installation)."""

    __tablename__ = "key_enterprise"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", name="uq_key_enterprise_year"),)

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    year: int
    reason: str = Field(max_length=200)
    chosen_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    chosen_by_id: int = Field(foreign_key="user_account.id")


class CreditClass(SQLModel, table=True):
    """An enterprise's credit risk class A–D (信用风险分类), as last imported."""

    __tablename__ = "credit_class"
    __table_args__ = (UniqueConstraint("enterprise_id", name="uq_credit_class_enterprise"),)

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    credit_class: str = Field(max_length=1)
    source: str | None = Field(default=None, max_length=128)
    imported_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class TaskStatus(StrEnum):
    """Where a task stands: drafted, its pool frozen and hash published, drawn, inspecting."""

    DRAFT = "draft"
    FROZEN = "frozen"
    DRAWN = "drawn"
    CAMPAIGN = "campaign"


class DrawTask(SQLModel, table=True):
    """A 双随机 task: its items, which enterprises, strata and quotas, teams, then its draw."""

    __tablename__ = "draw_task"

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    name: str = Field(max_length=128)
    year: int
    body: str = Field(max_length=128)  # 承办机构
    # 定向 (filters on the directory) or 不定向 (the whole directory).
    directed: bool = False
    # The filters, as JSON: industry, zone_id, risk flag, credit classes.
    filters: str = Field(default="{}", sa_type=Text)
    # Strata: by "none", "credit", "industry" or "risk"; quotas as JSON {key: {"ratio"|"count"}}.
    strata_by: str = Field(default="none", max_length=16)
    quotas: str = Field(default="{}", sa_type=Text)
    inspectors_per_enterprise: int = 2
    with_expert: bool = False
    avoid_last_officers: bool = True
    start_date: date
    due_date: date
    # The public value fixed in advance: its source and the date it becomes known.
    public_source: str = Field(max_length=200)
    public_date: date
    status: str = Field(default=TaskStatus.DRAFT, max_length=16, index=True)
    # Frozen: the pool document and its hash, published before the draw.
    pool_document: str | None = Field(default=None, sa_type=Text)
    pool_sha256: str | None = Field(default=None, max_length=64)
    frozen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    frozen_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # The private side of the pool: each entry's enterprise and opening, as JSON.
    openings: str | None = Field(default=None, sa_type=Text)
    # Drawn: the public value as it became known, the seed and the result.
    public_value: str | None = Field(default=None, max_length=200)
    seed: str | None = Field(default=None, max_length=64)
    result: str | None = Field(default=None, sa_type=Text)
    drawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    drawn_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    version: int = 1


class TaskItem(SQLModel, table=True):
    """An item (one exact version) a task inspects."""

    __tablename__ = "draw_task_item"

    task_id: int = Field(foreign_key="draw_task.id", primary_key=True)
    item_id: int = Field(foreign_key="draw_item.id", primary_key=True, index=True)


class Witness(SQLModel, table=True):
    """A witness of a draw (the supervisor, a discipline officer) and the nonce they give."""

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    task_id: int = Field(foreign_key="draw_task.id", index=True)
    position: int = 0
    name: str = Field(max_length=64)
    role: str = Field(max_length=64)
    nonce: str = Field(max_length=128)


class Assignment(SQLModel, table=True):
    """A drawn enterprise's officer (or expert): as drawn, or as adjusted afterwards."""

    __tablename__ = "draw_assignment"

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    task_id: int = Field(foreign_key="draw_task.id", index=True)
    officer_id: int = Field(foreign_key="officer.id", index=True)
    leader: bool = False
    expert: bool = False
    # False once an adjustment took the officer off this enterprise.
    current: bool = True


class AdjustmentKind(StrEnum):
    """What a manual adjustment after the draw changed."""

    REPLACE_OFFICER = "replace_officer"
    WITHDRAW_ENTERPRISE = "withdraw_enterprise"


class Adjustment(SQLModel, table=True):
    """A manual change after the draw (an officer falls ill, an enterprise has closed): a record
    of its own, with its reason and who made it, shown on the public page."""

    __tablename__ = "draw_adjustment"

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    task_id: int = Field(foreign_key="draw_task.id", index=True)
    kind: str = Field(max_length=24)
    officer_out_id: int | None = Field(default=None, foreign_key="officer.id")
    officer_in_id: int | None = Field(default=None, foreign_key="officer.id")
    reason: str = Field(max_length=500)
    made_by_id: int = Field(foreign_key="user_account.id")
    made_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class ResultState(StrEnum):
    """录入 → 审核 → 公示, with a way back."""

    PENDING = "pending"  # drawn, not yet entered
    ENTERED = "entered"  # 已录入, waiting for 审核
    RETURNED = "returned"  # 审核退回
    REVIEWED = "reviewed"  # 已审核
    PUBLISHED = "published"  # 已公示


class DrawResult(SQLModel, table=True):
    """The result of inspecting one drawn enterprise, and its way to publication."""

    __tablename__ = "draw_result"
    __table_args__ = (UniqueConstraint("task_id", "enterprise_id", name="uq_draw_result"),)

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    task_id: int = Field(foreign_key="draw_task.id", index=True)
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id", index=True)
    withdrawn: bool = False
    state: str = Field(default=ResultState.PENDING, max_length=16, index=True)
    # Result codes, comma-separated (several may apply).
    codes: str | None = Field(default=None, max_length=64)
    inspected_on: date | None = None
    # 后续处置, and whether it is finished (the hazards' state shows how far it has come).
    follow_up: str | None = Field(default=None, max_length=1000)
    # Internal remarks: never on the public page.
    note: str | None = Field(default=None, max_length=1000)
    publish_by: date | None = None
    entered_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    review_opinion: str | None = Field(default=None, max_length=500)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when the reminder of a missed publication deadline was written (it goes out once).
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1
