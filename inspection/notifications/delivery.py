"""Working through the outbox: claim what is due, send it, record the outcome.

A delivery is claimed (status "sending" with a lease) and committed before anything goes out,
so a second process skips it (FOR UPDATE SKIP LOCKED on PostgreSQL) and a process that dies
mid-send leaves it to be picked up again when the lease runs out. Failures that may pass are
retried with exponential back-off; nothing is dropped, and every error stays visible to admins.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_
from sqlalchemy import or_
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.notifications import webhooks
from inspection.notifications.email import Mailer
from inspection.notifications.email import compose
from inspection.notifications.models import Channel
from inspection.notifications.models import Delivery
from inspection.notifications.models import DeliveryStatus
from inspection.notifications.models import WebhookEndpoint
from inspection.notifications.outcome import DeliveryError
from inspection.notifications.outcome import GiveUp
from inspection.notifications.outcome import TryAgain

log = logging.getLogger(__name__)


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """Wait base, 2×base, 4×base … after each failure, at most `cap` seconds."""
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def claim(session: Session, limit: int) -> list[Delivery]:
    """Take up to `limit` due deliveries for this process and commit the claim."""
    now = clock.now()
    lease = timedelta(seconds=current_app.config["DELIVERY_LEASE_SECONDS"])
    stmt = (
        select(Delivery)
        .where(
            or_(
                and_(
                    Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.RETRYING]),
                    Delivery.next_attempt_at <= now,
                ),
                and_(Delivery.status == DeliveryStatus.SENDING, Delivery.lease_until < now),
            )
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    claimed = list(session.exec(stmt))
    for delivery in claimed:
        delivery.status = DeliveryStatus.SENDING
        delivery.lease_until = now + lease
        delivery.attempts += 1
    session.commit()
    return claimed


def deliver_due(session: Session, stop: Callable[[], bool] = lambda: False) -> Counter:
    """Send what is due, one batch; return how many went out, will retry and failed.

    `stop` says the process is shutting down: the deliveries not tried yet are handed back at
    once (each slow server can hold a delivery for its whole timeout), for the next run or the
    scheduler taking over.
    """
    config = current_app.config
    outcomes: Counter = Counter()
    claimed = claim(session, config["DELIVERY_BATCH"])
    if not claimed:
        return outcomes
    endpoints: dict[int, WebhookEndpoint | None] = {}
    with Mailer(config) as mailer:
        for number, delivery in enumerate(claimed):
            if stop():
                release(session, claimed[number:])
                outcomes["handed back"] += len(claimed) - number
                break
            try:
                if delivery.channel == Channel.EMAIL:
                    if not config.get("MAIL_SERVER"):
                        raise TryAgain(_("no SMTP server is configured (INSPECTION_MAIL_SERVER)"))
                    mailer.send(compose(session, delivery))
                else:
                    if delivery.endpoint_id not in endpoints:
                        endpoints[delivery.endpoint_id] = session.get(
                            WebhookEndpoint, delivery.endpoint_id
                        )
                    send_webhook(endpoints[delivery.endpoint_id], delivery)
            except DeliveryError as failed:
                record_failure(delivery, failed)
                outcomes["retrying" if isinstance(failed, TryAgain) else "failed"] += 1
            except Exception as broken:  # a bug must not lose the message: keep it, retry
                log.exception("delivery %s broke", delivery.key)
                record_failure(
                    delivery, TryAgain(_("internal error: %(error)s", error=repr(broken)))
                )
                outcomes["retrying"] += 1
            else:
                delivery.status = DeliveryStatus.SENT
                delivery.sent_at = clock.now()
                delivery.last_error = None
                outcomes["sent"] += 1
            delivery.lease_until = None
            session.commit()
    return outcomes


def release(session: Session, deliveries: list[Delivery]) -> None:
    """Give up the claim on deliveries that were not tried: due again at once, attempt uncounted."""
    for delivery in deliveries:
        delivery.status = DeliveryStatus.RETRYING if delivery.last_error else DeliveryStatus.PENDING
        delivery.lease_until = None
        delivery.attempts -= 1
    session.commit()


def send_webhook(endpoint: WebhookEndpoint | None, delivery: Delivery) -> None:
    """Post one webhook delivery."""
    if endpoint is None:
        raise GiveUp(_("the webhook was deleted"))
    if not endpoint.active:
        raise GiveUp(_("the webhook %(name)s is switched off", name=endpoint.name))
    request = webhooks.build(
        endpoint,
        key=delivery.key,
        kind=delivery.kind,
        params=json.loads(delivery.params or "{}"),
        link=delivery.link,
    )
    webhooks.post(endpoint, request, timeout=current_app.config["WEBHOOK_TIMEOUT"])


def record_failure(delivery: Delivery, failed: DeliveryError) -> None:
    """Keep the error; schedule the next try unless the receiver refused for good."""
    config = current_app.config
    delivery.last_error = str(failed)[:2000]
    if isinstance(failed, GiveUp):
        delivery.status = DeliveryStatus.FAILED
        log.warning("delivery %s failed for good: %s", delivery.key, failed)
        return
    delivery.status = DeliveryStatus.RETRYING
    delivery.next_attempt_at = clock.now() + backoff(
        delivery.attempts,
        config["DELIVERY_RETRY_BASE_SECONDS"],
        config["DELIVERY_RETRY_MAX_SECONDS"],
    )
    log.info("delivery %s will be retried: %s", delivery.key, failed)


def retry_now(delivery: Delivery) -> None:
    """An admin sends a failed or waiting delivery again."""
    if delivery.status not in (DeliveryStatus.FAILED, DeliveryStatus.RETRYING):
        return
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = clock.now()


def cancel(delivery: Delivery) -> None:
    """An admin gives up a delivery that cannot go out."""
    if delivery.status in (DeliveryStatus.FAILED, DeliveryStatus.RETRYING, DeliveryStatus.PENDING):
        delivery.status = DeliveryStatus.CANCELLED
