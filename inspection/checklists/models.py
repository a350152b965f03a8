"""Checklist templates and their frozen versions: sections and items with their legal basis."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import text
from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class TemplateKind(StrEnum):
    """What a checklist is for; it decides how answers read."""

    MAJOR_HAZARD_CRITERIA = "major_hazard_criteria"  # 判定标准: items state the condition
    ROUTINE = "routine"  # 日常检查表: items state a requirement
    ASSESSMENT = "assessment"  # 评估: items carry points, the result is a band


class AnswerType(StrEnum):
    """How an item is answered."""

    PASS_FAIL = "pass_fail"
    NUMBER = "number"
    CHOICE = "choice"
    TEXT = "text"
    PHOTO = "photo"


class VersionStatus(StrEnum):
    """A draft can be edited; a published version never changes."""

    DRAFT = "draft"
    PUBLISHED = "published"


class ChecklistTemplate(SQLModel, table=True):
    """A checklist people refer to by its code; its content lives in versions."""

    __tablename__ = "checklist_template"
    __table_args__ = (
        # One template per code in the shared library, and one per code in each park.
        Index(
            "uq_checklist_template_library_code",
            "code",
            unique=True,
            postgresql_where=text("park_id IS NULL"),
            sqlite_where=text("park_id IS NULL"),
        ),
        UniqueConstraint("park_id", "code", name="uq_checklist_template_park_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64)
    # None: the region's shared library, offered to every park; else one park's own copy.
    park_id: int | None = Field(default=None, foreign_key="park.id", index=True)
    # The library template a park's copy was made from.
    copied_from_id: int | None = Field(default=None, foreign_key="checklist_template.id")
    retired: bool = False
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class ChecklistVersion(SQLModel, table=True):
    """One version of a template; publishing freezes it, and inspections keep the one they used."""

    __tablename__ = "checklist_version"
    __table_args__ = (
        UniqueConstraint("template_id", "number", name="uq_checklist_version_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="checklist_template.id", index=True)
    number: int
    status: str = Field(default=VersionStatus.DRAFT, max_length=16)
    title: str = Field(max_length=200)
    standard: str = Field(max_length=300)
    issuer: str | None = Field(default=None, max_length=100)
    effective_date: date | None = None
    kind: str = Field(max_length=32)
    description: str | None = Field(default=None, sa_type=Text)
    # JSON: {"industries": [...], "risk_flags": [...], "match": "any"} or {} for everyone.
    applies_to: str = Field(default="{}", sa_type=Text)
    # JSON: {"bands": [{"min_percent": 90, "label": "达标"}, ...]} for assessments.
    scoring: str | None = Field(default=None, sa_type=Text)
    # JSON: {"industries": [...], "risk_flags": [...], "reason": "..."}: enterprises that must
    # never be offered this version (e.g. 化工 enterprises for 应急管理部令第10号, 第二条).
    not_for: str = Field(default="{}", sa_type=Text)
    # JSON: [{"id", "title", "kind", "checked", "note"}]: what the items were checked against.
    sources: str = Field(default="[]", sa_type=Text)
    # A retired version is kept for the inspections that used it but never offered again
    # (e.g. GB 35181-2017 after GB 35181-2025 replaced it).
    retired: bool = False
    # Hash of the published content, so loading the same file twice changes nothing.
    content_hash: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    # Bumped by every edit of a draft, so two editors cannot overwrite each other.
    edit_version: int = 1


class ChecklistSection(SQLModel, table=True):
    """A section of a version, e.g. 第十一条 存在粉尘爆炸危险的工贸企业."""

    __tablename__ = "checklist_section"
    __table_args__ = (UniqueConstraint("version_id", "code", name="uq_checklist_section_code"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="checklist_version.id", index=True)
    position: int
    code: str = Field(max_length=64)
    title: str = Field(max_length=200)
    applies_to: str = Field(default="{}", sa_type=Text)


class ChecklistItem(SQLModel, table=True):
    """One thing to judge, with its basis (standard and clause) and the hazard it raises."""

    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("version_id", "code", name="uq_checklist_item_code"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="checklist_version.id", index=True)
    section_id: int = Field(foreign_key="checklist_section.id", index=True)
    position: int
    code: str = Field(max_length=64)
    text: str = Field(sa_type=Text)
    guidance: str | None = Field(default=None, sa_type=Text)
    basis: str = Field(max_length=500)
    answer_type: str = Field(default=AnswerType.PASS_FAIL, max_length=16)
    number_min: float | None = None
    number_max: float | None = None
    number_unit: str | None = Field(default=None, max_length=16)
    choices: str = Field(default="[]", sa_type=Text)
    fail_choices: str = Field(default="[]", sa_type=Text)
    photo_on_fail: bool = True
    major: bool = False
    category: str = Field(default="safety", max_length=16)
    hazard_title: str | None = Field(default=None, max_length=200)
    deadline_days: int | None = None
    points: float | None = None
    needs_verification: bool = False
    # JSON list of the version's source ids this item was checked against.
    sources: str = Field(default="[]", sa_type=Text)
