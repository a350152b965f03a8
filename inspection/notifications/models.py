"""The notification outbox: rows written in the same transaction as the change that causes them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlalchemy import Text
from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class Notification(SQLModel, table=True):
    """One message to one user, kept as a kind and its parameters and worded in the reader's
    language when shown; its key makes the same message go out once however often a job runs."""

    id: int | None = Field(default=None, primary_key=True)
    # (recipient, kind, subject record, rule or event) — unique, so a re-run creates nothing twice.
    key: str = Field(max_length=200, unique=True)
    recipient_id: int = Field(foreign_key="user_account.id", index=True)
    kind: str = Field(max_length=32)
    params: str = Field(default="{}", sa_type=Text)
    link: str | None = Field(default=None, max_length=300)
    hazard_id: int | None = Field(default=None, foreign_key="hazard.id", index=True)
    # The park the message is about (its webhooks get it); none for a region-wide one.
    park_id: int | None = Field(default=None, foreign_key="park.id", index=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Channel(StrEnum):
    """Where a notification goes besides the in-app centre."""

    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryStatus(StrEnum):
    """A delivery's progress through the outbox."""

    HELD = "held"  # waits for the recipient's daily digest
    PENDING = "pending"  # due to be sent
    SENDING = "sending"  # claimed by the scheduler (until lease_until)
    RETRYING = "retrying"  # failed for a reason that may pass; tried again at next_attempt_at
    SENT = "sent"
    FAILED = "failed"  # refused for good (e.g. unknown address); an admin can send it again
    DIGESTED = "digested"  # went out inside a digest
    CANCELLED = "cancelled"  # an admin gave it up


# Statuses the scheduler still has to act on.
OUTSTANDING: frozenset[str] = frozenset(
    {DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.RETRYING}
)


class EmailMode(StrEnum):
    """How a user wants email: each message at once, one digest a day, or none."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"


class WebhookFlavour(StrEnum):
    """The payload a webhook expects."""

    GENERIC = "generic"  # signed JSON
    DINGTALK = "dingtalk"  # 钉钉群机器人 text message, signed with timestamp and secret
    WECOM = "wecom"  # 企业微信群机器人 text message


class WebhookEndpoint(SQLModel, table=True):
    """A group robot or another system that receives chosen kinds of notification."""

    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    name: str = Field(max_length=64)
    flavour: str = Field(default=WebhookFlavour.GENERIC, max_length=16)
    url: str = Field(max_length=500)
    secret: str | None = Field(default=None, max_length=200)
    # The notification kinds it receives, as a JSON list.
    kinds: str = Field(default="[]", sa_type=Text)
    active: bool = True
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    version: int = 1


class Delivery(SQLModel, table=True):
    """One message to send by email or webhook: the outbox row the scheduler works through.

    Its key names the recipient, the subject, the rule and the due date, so a re-run sweep, a
    restarted process or a late run finds the row already there and queues nothing twice.
    """

    __table_args__ = (Index("ix_delivery_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=240, unique=True)
    channel: str = Field(max_length=16)
    kind: str = Field(max_length=32)
    notification_id: int | None = Field(default=None, foreign_key="notification.id", index=True)
    recipient_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    endpoint_id: int | None = Field(default=None, foreign_key="webhook_endpoint.id", index=True)
    # Webhook deliveries carry their own wording parameters and link.
    params: str = Field(default="{}", sa_type=Text)
    link: str | None = Field(default=None, max_length=300)
    # A held email that went out inside a digest points at the digest's delivery.
    digest_id: int | None = Field(default=None, foreign_key="delivery.id", index=True)
    status: str = Field(default=DeliveryStatus.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime, index=True)
