"""The daily digest: the emails a user gets once a day instead of one by one."""

from __future__ import annotations

from sqlmodel import Session
from sqlmodel import select
from sqlmodel import update

from inspection import clock
from inspection.auth.models import User
from inspection.db import insert_new
from inspection.notifications.models import Channel
from inspection.notifications.models import Delivery
from inspection.notifications.models import DeliveryStatus
from inspection.reminders.models import ReminderPolicy
from inspection.reminders.policy import policy_for


def make_digests(session: Session) -> int:
    """After their park's digest hour, roll each user's held emails into one digest for the day.

    The digest's key names the user and the day, so it is made once a day at most; emails
    held after it went out wait for the next day's.
    """
    now = clock.now()
    local = clock.local(now)
    day = local.date().isoformat()
    recipients = session.exec(
        select(Delivery.recipient_id, User.park_id)
        .join(User, User.id == Delivery.recipient_id)
        .where(Delivery.status == DeliveryStatus.HELD, Delivery.created_at <= now)
        .distinct()
    ).all()
    hours: dict[int | None, int] = {None: ReminderPolicy().digest_hour}
    made = 0
    for recipient_id, park_id in recipients:
        # Each park's staff and enterprises get theirs after the park's digest hour; bureau
        # staff after the default hour.
        if park_id not in hours:
            hours[park_id] = policy_for(session, park_id).digest_hour
        if local.hour < hours[park_id]:
            continue
        created = insert_new(
            session,
            Delivery,
            [
                {
                    "key": f"digest:{recipient_id}:{day}",
                    "channel": Channel.EMAIL,
                    "kind": "digest",
                    "recipient_id": recipient_id,
                    "params": "{}",
                    "status": DeliveryStatus.PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            ],
        )
        if not created:
            continue
        session.execute(
            update(Delivery)
            .where(
                Delivery.recipient_id == recipient_id,
                Delivery.status == DeliveryStatus.HELD,
                Delivery.created_at <= now,
            )
            .values(status=DeliveryStatus.DIGESTED, digest_id=created[0].id)
        )
        made += 1
    return made
