"""Writing notifications into the outbox, in the caller's transaction.

Each notification is a row of the in-app centre; the email and webhook deliveries it causes are
written beside it, to be sent by the scheduler. Keys make every row unique, so whatever writes
the same message again (a re-run sweep, a retried request) adds nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field

from flask import current_app
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.db import insert_new
from inspection.notifications.messages import ALWAYS_EMAILED
from inspection.notifications.messages import DIGEST_KINDS
from inspection.notifications.messages import MESSAGES
from inspection.notifications.models import Channel
from inspection.notifications.models import Delivery
from inspection.notifications.models import DeliveryStatus
from inspection.notifications.models import EmailMode
from inspection.notifications.models import Notification
from inspection.notifications.models import WebhookEndpoint
from inspection.parks.models import Park


def enterprise_users(session: Session, enterprise_id: int) -> list[User]:
    """The active users of one enterprise."""
    return list(
        session.exec(
            select(User).where(
                User.enterprise_id == enterprise_id,
                User.role == Role.ENTERPRISE,
                User.active.is_(True),
            )
        )
    )


def supervisors(session: Session, park_id: int) -> list[User]:
    """The park's active supervisors; the region bureau's when the park has none of its own."""
    active = (User.role == Role.SUPERVISOR, User.active.is_(True))
    own = list(session.exec(select(User).where(*active, User.park_id == park_id)))
    if own:
        return own
    region = select(Park.region_id).where(Park.id == park_id).scalar_subquery()
    return list(session.exec(select(User).where(*active, User.region_id == region)))


def email_enabled() -> bool:
    """Email goes out only when an SMTP server is configured."""
    return bool(current_app.config.get("MAIL_SERVER"))


@dataclass
class Message:
    """One event to tell a list of users (and any webhook that wants this kind) about."""

    recipients: list[User | None]
    kind: str
    key: str  # names the subject, rule and due date; the recipient is added per row
    params: dict = field(default_factory=dict)
    link: str | None = None
    hazard_id: int | None = None
    # The park the message is about (its webhooks get it); the hazard's park when not given.
    park_id: int | None = None


def notify(
    session: Session,
    recipients: list[User | None],
    *,
    kind: str,
    key: str,
    params: dict,
    link: str | None = None,
    hazard_id: int | None = None,
    park_id: int | None = None,
) -> list[int]:
    """Queue one message; return the ids of the notifications that were new."""
    return queue(session, [Message(recipients, kind, key, params, link, hazard_id, park_id)])


def queue(session: Session, messages: list[Message]) -> list[int]:
    """Write the notifications and deliveries of many messages at once (used by the sweeps)."""
    now = clock.now()
    rows: dict[str, dict] = {}
    users: dict[str, User] = {}
    _find_parks(session, messages)
    for message in messages:
        if message.kind not in MESSAGES:
            raise ValueError(f"unknown notification kind {message.kind}")
        params = json.dumps(message.params, ensure_ascii=False, default=str)
        for user in message.recipients:
            if user is None or not user.active:
                continue
            full_key = f"{user.id}:{message.kind}:{message.key}"[:200]
            users[full_key] = user
            rows.setdefault(
                full_key,
                {
                    "key": full_key,
                    "recipient_id": user.id,
                    "kind": message.kind,
                    "params": params,
                    "link": message.link,
                    "hazard_id": message.hazard_id,
                    "park_id": message.park_id,
                    "created_at": now,
                },
            )
    session.flush()
    created = insert_new(session, Notification, list(rows.values()))
    deliveries = _email_deliveries(created, rows, users, now)
    deliveries += _webhook_deliveries(session, messages, now)
    insert_new(session, Delivery, deliveries)
    return [row.id for row in created]


def _find_parks(session: Session, messages: list[Message]) -> None:
    """Give each message about a hazard that park (one query for all of them)."""
    from inspection.hazards.models import Hazard

    wanted = {m.hazard_id for m in messages if m.park_id is None and m.hazard_id is not None}
    if not wanted:
        return
    parks = dict(session.exec(select(Hazard.id, Hazard.park_id).where(Hazard.id.in_(wanted))).all())
    for message in messages:
        if message.park_id is None and message.hazard_id is not None:
            message.park_id = parks.get(message.hazard_id)


def _email_deliveries(created, rows: dict, users: dict, now) -> list[dict]:
    if not email_enabled():
        return []
    deliveries = []
    for notification_id, full_key in created:
        user = users[full_key]
        mode = user.email_mode or EmailMode.IMMEDIATE
        kind = rows[full_key]["kind"]
        if kind in ALWAYS_EMAILED:
            mode = EmailMode.IMMEDIATE
        if not user.email or mode == EmailMode.OFF:
            continue
        held = mode == EmailMode.DIGEST or kind in DIGEST_KINDS
        deliveries.append(
            _delivery_row(
                f"email:{full_key}",
                Channel.EMAIL,
                kind,
                now,
                notification_id=notification_id,
                recipient_id=user.id,
                status=DeliveryStatus.HELD if held else DeliveryStatus.PENDING,
            )
        )
    return deliveries


def _webhook_deliveries(session: Session, messages: list[Message], now) -> list[dict]:
    endpoints = subscribed_endpoints(session)
    deliveries = []
    for message in messages:
        for endpoint in endpoints.get((message.park_id, message.kind), []):
            deliveries.append(
                _delivery_row(
                    f"webhook:{endpoint.id}:{message.kind}:{message.key}"[:240],
                    Channel.WEBHOOK,
                    message.kind,
                    now,
                    endpoint_id=endpoint.id,
                    params=json.dumps(message.params, ensure_ascii=False, default=str),
                    link=message.link,
                )
            )
    return deliveries


def _delivery_row(key: str, channel: str, kind: str, now, **values) -> dict:
    row = {
        "key": key,
        "channel": channel,
        "kind": kind,
        "notification_id": None,
        "recipient_id": None,
        "endpoint_id": None,
        "params": "{}",
        "link": None,
        "status": DeliveryStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    row.update(values)
    return row


def subscribed_endpoints(session: Session) -> dict[tuple[int, str], list[WebhookEndpoint]]:
    """Active webhook endpoints by their park and the notification kinds they receive."""
    by_kind: dict[tuple[int, str], list[WebhookEndpoint]] = {}
    for endpoint in session.exec(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))):
        for kind in json.loads(endpoint.kinds or "[]"):
            by_kind.setdefault((endpoint.park_id, kind), []).append(endpoint)
    return by_kind
