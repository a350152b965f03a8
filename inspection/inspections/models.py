"""Inspections of an enterprise and the inspectors who carry them out."""

from __future__ import annotations

import uuid as uuid_module
from datetime import date
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class InspectionType(StrEnum):
    """Type and source of an inspection, kept on every record (检查类型/来源)."""

    ROUTINE = "routine"  # 日常
    SPECIAL = "special"  # 专项
    RANDOM = "random"  # 双随机
    SEASONAL = "seasonal"  # 季节性
    PRE_HOLIDAY = "pre_holiday"  # 节假日前
    PRE_RESUMPTION = "pre_resumption"  # 复产复工前
    REINSPECTION = "reinspection"  # 复查
    THIRD_PARTY = "third_party"  # 社会化服务
    SELF = "self"  # 企业自查
    REPORT = "report"  # 举报


class InspectionStatus(StrEnum):
    """Where an inspection stands; a completed one is signed and locked."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Inspection(SQLModel, table=True):
    """One visit to one enterprise: the answers and hazards found there."""

    id: int | None = Field(default=None, primary_key=True)
    # Made on the device for records created offline, so a resend creates nothing twice.
    uuid: str = Field(default_factory=lambda: str(uuid_module.uuid4()), max_length=36, unique=True)
    # The enterprise's park, so every scope reads one column.
    park_id: int = Field(foreign_key="park.id", index=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    type: str = Field(default=InspectionType.ROUTINE, max_length=20, index=True)
    # 执法检查: needs at least two certified officers; third-party staff may not carry it out.
    enforcement: bool = False
    status: str = Field(default=InspectionStatus.IN_PROGRESS, max_length=16, index=True)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    planned_date: date = Field(index=True)
    due_date: date | None = None
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    summary: str | None = Field(default=None, max_length=2000)
    # A targeted inspection following a complaint or a warning (outside the yearly cap).
    targeted: str | None = Field(default=None, max_length=16)
    # Why it was planned although the enterprise had reached its yearly cap (国办发〔2024〕54号).
    over_cap_reason: str | None = Field(default=None, max_length=500)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    version: int = 1


class InspectionInspector(SQLModel, table=True):
    """An inspector taking part in an inspection."""

    __tablename__ = "inspection_inspector"

    inspection_id: int = Field(foreign_key="inspection.id", primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)
    lead: bool = False


class InspectionChecklist(SQLModel, table=True):
    """A checklist version used in an inspection; later edits of the template never touch it."""

    __tablename__ = "inspection_checklist"

    inspection_id: int = Field(foreign_key="inspection.id", primary_key=True)
    version_id: int = Field(foreign_key="checklist_version.id", primary_key=True, index=True)
    position: int = 0
    added_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class AnswerResult(StrEnum):
    """The outcome of one checklist item."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "na"


class Answer(SQLModel, table=True):
    """The answer to one checklist item in one inspection, saved as soon as it is given."""

    __table_args__ = (UniqueConstraint("inspection_id", "item_id", name="uq_answer_item"),)

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=lambda: str(uuid_module.uuid4()), max_length=36, unique=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    item_id: int = Field(foreign_key="checklist_item.id", index=True)
    result: str | None = Field(default=None, max_length=8)
    number_value: float | None = None
    choice_value: str | None = Field(default=None, max_length=100)
    text_value: str | None = Field(default=None, sa_type=Text)
    comment: str | None = Field(default=None, sa_type=Text)
    answered_by_id: int = Field(foreign_key="user_account.id")
    answered_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    version: int = 1


class SignerRole(StrEnum):
    """Who signs an inspection record."""

    INSPECTOR = "inspector"
    ENTERPRISE = "enterprise"


class Signature(SQLModel, table=True):
    """A signature drawn on the screen at the end of an inspection, kept as an image."""

    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    role: str = Field(max_length=16)
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    signer_name: str = Field(max_length=64)
    sha256: str = Field(max_length=64)
    signed_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    recorded_by_id: int = Field(foreign_key="user_account.id")
