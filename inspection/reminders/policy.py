"""Reading and changing a park's reminder rules."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.errors import DomainError
from inspection.errors import check_version
from inspection.reminders.models import ReminderPolicy
from inspection.reminders.rules import parse_days

DAY_LISTS = ("before_days", "major_before_days", "statistics_before_days")
COUNTS = (
    "overdue_every",
    "escalate_after",
    "major_overdue_every",
    "major_escalate_after",
    "extension_every",
)


def policy_for(session: Session, park_id: int) -> ReminderPolicy:
    """The park's rules; the defaults (not stored) when it has never changed them."""
    policy = session.exec(select(ReminderPolicy).where(ReminderPolicy.park_id == park_id)).first()
    return policy or ReminderPolicy(park_id=park_id)


def update_policy(
    session: Session, park_id: int, values: dict, *, expected_version: int
) -> ReminderPolicy:
    """Check and save new rules; every wrong value is named in one message."""
    problems = []
    for name in DAY_LISTS:
        try:
            parse_days(values.get(name))
        except ValueError as wrong:
            problems.append(
                _(
                    "“%(value)s” is not a number of days from 1 to 365; write the days before"
                    " the deadline separated by commas, e.g. 3,1.",
                    value=str(wrong),
                )
            )
    for name in COUNTS:
        value = values.get(name)
        if not isinstance(value, int) or not 0 <= value <= 365:
            problems.append(_("Days must be whole numbers from 0 to 365."))
            break
    hour = values.get("digest_hour")
    if not isinstance(hour, int) or not 0 <= hour <= 23:
        problems.append(_("The digest hour must be from 0 to 23."))
    if problems:
        raise DomainError(" ".join(dict.fromkeys(problems)))
    policy = policy_for(session, park_id)
    # The unsaved defaults count as version 1, so two admins saving them at once conflict too.
    check_version(policy.version, expected_version)
    policy.version += 1
    for name in (*DAY_LISTS, *COUNTS, "digest_hour", "on_day"):
        if name in values:
            value = values[name]
            if name in DAY_LISTS:
                value = ",".join(str(day) for day in parse_days(value))
            setattr(policy, name, value)
    policy.updated_at = clock.now()
    session.add(policy)
    session.flush()
    return policy
