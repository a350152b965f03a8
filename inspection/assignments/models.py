"""Assigned problems (交办问题): batches handed to the park from above, their cases, and each
case's history, progress reports, evidence and objections."""

from __future__ import annotations

import secrets
import uuid as uuid_module
from datetime import date
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class AssignmentSource(StrEnum):
    """Who hands the problems over: the kind of body, for counting by source."""

    INSPECTION_TEAM = "inspection_team"  # 环保督察交办件
    PROBLEM_LIST = "problem_list"  # 七张清单、问题清单
    COMPLAINT = "complaint"  # 信访投诉转办
    OTHER = "other"


class CaseState(StrEnum):
    """A case's place in its closed loop; overdue is derived, never stored."""

    ASSIGNED = "assigned"  # 已交办
    ACKNOWLEDGED = "acknowledged"  # 已签收
    RECTIFYING = "rectifying"  # 整改中
    SUBMITTED = "submitted"  # 待验收
    ACCEPTED = "accepted"  # 已验收
    POSTING = "posting"  # 公示中
    CLOSED = "closed"  # 已销号


OPEN_CASE_STATES: frozenset[str] = frozenset(set(CaseState) - {CaseState.CLOSED})
# The states in which the responsible party still owes the rectification: the deadline's
# reminders and escalation apply (once submitted, the case waits on staff, not on them).
OWED_CASE_STATES: frozenset[str] = frozenset(
    {CaseState.ASSIGNED, CaseState.ACKNOWLEDGED, CaseState.RECTIFYING}
)


class AssignmentBatch(SQLModel, table=True):
    """交办批次: one sheet of problems from one issuing body, received on a date."""

    __tablename__ = "assignment_batch"

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    source: str = Field(max_length=20, index=True)
    issuer: str = Field(max_length=128)
    name: str = Field(max_length=128)
    received_on: date
    deadline: date
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


def _public_token() -> str:
    return secrets.token_urlsafe(18)


class AssignedCase(SQLModel, table=True):
    """交办件: one problem, owed by an enterprise or by a department of the park itself."""

    __tablename__ = "assigned_case"
    __table_args__ = (
        UniqueConstraint("batch_id", "number", name="uq_assigned_case_batch_number"),
        Index("ix_assigned_case_park_state", "park_id", "state"),
        Index("ix_assigned_case_park_closed", "park_id", "closed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=lambda: str(uuid_module.uuid4()), max_length=36, unique=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    batch_id: int = Field(foreign_key="assignment_batch.id", index=True)
    # Copied from the batch so figures by source read one table.
    source: str = Field(max_length=20)
    number: str = Field(max_length=64)
    problem: str = Field(sa_type=Text)
    requirement: str | None = Field(default=None, sa_type=Text)
    # The enterprise that owes the rectification, or None when the park itself does
    # (then `department` names the park's department, e.g. 建设局 for 雨污管网).
    enterprise_id: int | None = Field(default=None, foreign_key="enterprise.id", index=True)
    department: str | None = Field(default=None, max_length=64)
    deadline: date
    needs_posting: bool = True
    state: str = Field(default=CaseState.ASSIGNED, max_length=16)

    plan: str | None = Field(default=None, sa_type=Text)
    planned_completion: date | None = None
    # 验收: the named body that accepted the work, and when.
    acceptance_body: str | None = Field(default=None, max_length=128)
    accepted_on: date | None = None
    # 公示: the public posting period before closure.
    posting_starts: date | None = None
    posting_ends: date | None = None
    public_token: str = Field(default_factory=_public_token, max_length=32, unique=True)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by_id: int | None = Field(default=None, foreign_key="user_account.id")

    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    version: int = 1

    @property
    def of_park(self) -> bool:
        """True when the park itself (a department) owes the rectification."""
        return self.enterprise_id is None

    def is_overdue(self, today: date) -> bool:
        """Deadline passed and not closed (derived, never stored)."""
        return self.deadline < today and self.state in OPEN_CASE_STATES

    def posting_over(self, today: date) -> bool:
        """The posting period has ended."""
        return self.posting_ends is not None and self.posting_ends < today


class CaseEvent(SQLModel, table=True):
    """One step in a case's history; each carries the hash of the one before it."""

    __tablename__ = "case_event"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_event_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="assigned_case.id", index=True)
    seq: int
    event: str = Field(max_length=32)
    from_state: str | None = Field(default=None, max_length=16)
    to_state: str = Field(max_length=16)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    at: datetime = Field(sa_type=UTCDateTime)
    comment: str | None = Field(default=None, sa_type=Text)
    data: str = Field(default="{}", sa_type=Text)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class CaseEvidence(SQLModel, table=True):
    """A photo or document kept for a case step (plan, progress, acceptance), stored by hash."""

    __tablename__ = "case_evidence"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="assigned_case.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="case_event.id")
    sha256: str = Field(max_length=64)
    content_type: str = Field(max_length=100)
    size_bytes: int
    filename: str = Field(max_length=255)
    uploaded_by_id: int = Field(foreign_key="user_account.id")
    uploaded_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
