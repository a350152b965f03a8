"""Photos kept as evidence for hazards and inspections."""

from __future__ import annotations

import uuid as uuid_module
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class PhotoKind(StrEnum):
    """What a photo shows."""

    BEFORE = "before"  # the hazard as found
    AFTER = "after"  # the enterprise's rectification
    REVIEW = "review"  # the re-inspection
    INSPECTION = "inspection"  # a checklist answer or the site in general
    # Uploaded ahead on a hazard's page for a step not saved yet (a report, a review): shown
    # nowhere until that step claims it and gives it its kind.
    PENDING = "pending"


class Photo(SQLModel, table=True):
    """One uploaded photo; the file is stored once by its content hash."""

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=lambda: str(uuid_module.uuid4()), max_length=36, unique=True)
    sha256: str = Field(max_length=64, index=True)
    content_type: str = Field(max_length=32)
    width: int
    height: int
    size_bytes: int
    kind: str = Field(max_length=16)
    # Every photo belongs to one enterprise and to the record it was taken for.
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id", index=True)
    hazard_id: int | None = Field(default=None, foreign_key="hazard.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="hazard_event.id")
    answer_id: int | None = Field(default=None, foreign_key="answer.id", index=True)
    original_name: str | None = Field(default=None, max_length=255)
    taken_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    latitude: float | None = None
    longitude: float | None = None
    uploaded_by_id: int = Field(foreign_key="user_account.id")
    uploaded_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class DocumentKind(StrEnum):
    """What a document is."""

    PLAN = "plan"  # 整改方案
    EVIDENCE = "evidence"  # other rectification evidence (reports, invoices)
    EVALUATION = "evaluation"  # 评估报告 on a major hazard's rectification (16号令 第十八条)
    RESUMPTION = "resumption"  # 恢复生产申请 and what came with it


class Document(SQLModel, table=True):
    """A file other than a photo (a PDF or office document), stored once by its content hash."""

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, index=True)
    content_type: str = Field(max_length=100)
    size_bytes: int
    filename: str = Field(max_length=255)
    kind: str = Field(max_length=16)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    hazard_id: int | None = Field(default=None, foreign_key="hazard.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="hazard_event.id")
    uploaded_by_id: int = Field(foreign_key="user_account.id")
    uploaded_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
