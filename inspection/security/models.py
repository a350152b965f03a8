"""The security log's tables: the events, the head of each chain and the archived stretches."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlalchemy import Index
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class EventKind(StrEnum):
    """What happened."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    LOGIN_THROTTLED = "login_throttled"
    ACCOUNT_LOCKED = "account_locked"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    RESET_LINK_SENT = "reset_link_sent"
    USER_CREATED = "user_created"
    USER_CHANGED = "user_changed"
    USER_ACTIVATION = "user_activation"
    ACCESS_REFUSED = "access_refused"
    EXPORT = "export"
    DOWNLOAD = "download"
    API_SYNC = "api_sync"
    SETTINGS_CHANGED = "settings_changed"
    SESSION_EXPIRED = "session_expired"


class Outcome(StrEnum):
    """How it ended."""

    OK = "ok"
    FAILED = "failed"
    REFUSED = "refused"


class SecurityEvent(SQLModel, table=True):
    """One security event. Events form one chain per park (`park:<id>`), one per region for
    the bureau's own events (`region:<id>`), and one for the deployment (`site`: a login under
    a name nobody has)."""

    __tablename__ = "security_event"
    __table_args__ = (
        UniqueConstraint("chain", "seq", name="uq_security_event_seq"),
        # A park's event names its park; only a region's (bureau) or the deployment's do not.
        CheckConstraint("park_id IS NULL OR region_id IS NULL", name="one_home"),
        Index("ix_security_event_park_at", "park_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chain: str = Field(max_length=32)
    seq: int
    at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)
    kind: str = Field(max_length=32, index=True)
    outcome: str = Field(default=Outcome.OK, max_length=16)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    # The user name the event is about: the one typed at a failed login, or the actor's.
    username: str | None = Field(default=None, max_length=64, index=True)
    park_id: int | None = Field(default=None, foreign_key="park.id")
    region_id: int | None = Field(default=None, foreign_key="region.id", index=True)
    ip: str | None = Field(default=None, max_length=45)
    user_agent: str | None = Field(default=None, max_length=255)
    # What exactly (the subject, the filters of an export, the fields changed) as canonical JSON.
    data: str = Field(default="{}", sa_type=Text)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class SecurityChain(SQLModel, table=True):
    """The last link of one chain; appending updates it first, so writers take turns."""

    __tablename__ = "security_chain"

    chain: str = Field(primary_key=True, max_length=32)
    seq: int = 0
    hash: str = Field(max_length=64)


class SecurityArchive(SQLModel, table=True):
    """A stretch of a chain moved to an archive file; the chain goes on from its last link."""

    __tablename__ = "security_archive"

    id: int | None = Field(default=None, primary_key=True)
    chain: str = Field(max_length=32, index=True)
    first_seq: int
    last_seq: int
    last_hash: str = Field(max_length=64)
    count: int
    # Everything before this moment was archived.
    before: datetime = Field(sa_type=UTCDateTime)
    file: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
