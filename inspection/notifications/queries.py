"""Reads of a user's own notifications."""

from __future__ import annotations

from flask_login import current_user
from sqlmodel import func
from sqlmodel import select

from inspection.db import get_session
from inspection.notifications.models import Notification


def unread_count() -> int:
    """For the header: how many notifications the user has not read."""
    if not current_user.is_authenticated:
        return 0
    return (
        get_session()
        .exec(
            select(func.count())
            .select_from(Notification)
            .where(Notification.recipient_id == current_user.id, Notification.read_at.is_(None))
        )
        .one()
    )
