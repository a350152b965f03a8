"""研判: a supervisor confirms a major finding, with the people who took part, before its
notice goes out; or finds it is not major and records it as general, with the reason."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlmodel import Session

from inspection.auth.models import User
from inspection.errors import DomainError
from inspection.hazards import lifecycle
from inspection.hazards.context import lock
from inspection.hazards.context import park_of
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardLevel
from inspection.hazards.models import HazardState
from inspection.statistics import tally

SEPARATORS = re.compile(r"[\n,，、;；]+")


def awaits_confirmation(hazard: Hazard) -> bool:
    """A major finding not yet confirmed (研判), so its notice cannot go out yet."""
    return (
        hazard.level == HazardLevel.MAJOR
        and hazard.confirmed_at is None
        and hazard.state == HazardState.FOUND
    )


def participant_names(text: str | None, actor: User) -> list[str]:
    """The people named as taking part, the confirming supervisor always among them."""
    names = [name.strip() for name in SEPARATORS.split(text or "") if name.strip()]
    if actor.display_name not in names:
        names.insert(0, actor.display_name)
    return list(dict.fromkeys(name[:64] for name in names))


def confirm(
    session: Session,
    *,
    hazard: Hazard,
    actor: User,
    participants: str | None,
    keep_major: bool,
    comment: str | None,
    expected_version: int,
) -> Hazard:
    """Confirm the finding as major, or record it as general with the reason (研判)."""
    lock(session, hazard)
    lifecycle.check(hazard, "confirm", actor, expected_version=expected_version)
    names = participant_names(participants, actor)
    needed = park_of(session, hazard).confirmation_min_people
    if len(names) < needed:
        raise DomainError(
            _(
                "The park's rule for confirming a major finding (研判) asks for at least"
                " %(needed)s people taking part; %(count)s are named. Name everyone who took"
                " part. Nothing was changed.",
                needed=needed,
                count=len(names),
            )
        )
    comment = (comment or "").strip() or None
    if not keep_major and not comment:
        raise DomainError(
            _("Write down why the finding is not a major hazard; the reason is kept.")
        )
    data = {"participants": names, "major": keep_major}
    if not keep_major:
        data["level_override"] = {"from": HazardLevel.MAJOR, "to": HazardLevel.GENERAL}
    event = lifecycle.apply(session, hazard, "confirm", actor, comment=comment, data=data)
    if keep_major:
        hazard.confirmed_at, hazard.confirmed_by_id = event.at, actor.id
    else:
        # Counted again under its new level.
        tally.hazard_voided(session, hazard)
        hazard.level = HazardLevel.GENERAL
        tally.hazard_found(session, hazard)
    session.flush()
    return hazard
