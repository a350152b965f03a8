"""What the sync API keeps: a receipt per record sent from a device, photos arriving in pieces."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class Outcome(StrEnum):
    """What the server made of one record sent from a device."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    # Not decided yet (a photo it needs has not fully arrived); the device sends it again later.
    RETRY = "retry"


class SyncReceipt(SQLModel, table=True):
    """The server's answer to one record made on a device, kept so a resend gets the same one.

    The key is the id the device made for the record: sending it twice creates it once.
    """

    __tablename__ = "sync_receipt"

    record_id: str = Field(primary_key=True, max_length=36)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    kind: str = Field(max_length=16)
    inspection_id: int | None = Field(default=None, foreign_key="inspection.id", index=True)
    outcome: str = Field(max_length=16)
    # A hash of the record as first received: a resend that differs is not taken for a repeat.
    body_hash: str | None = Field(default=None, max_length=64)
    reason: str | None = Field(default=None, sa_type=Text)
    note: str | None = Field(default=None, sa_type=Text)
    server_id: int | None = None
    server_version: int | None = None
    received_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class PhotoUpload(SQLModel, table=True):
    """A photo sent in pieces from a device; the bytes so far wait in the instance folder."""

    __tablename__ = "photo_upload"

    photo_uuid: str = Field(primary_key=True, max_length=36)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    size: int
    sha256: str = Field(max_length=64)
    filename: str | None = Field(default=None, max_length=200)
    taken_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    latitude: float | None = None
    longitude: float | None = None
    received: int = 0
    photo_id: int | None = Field(default=None, foreign_key="photo.id")
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
