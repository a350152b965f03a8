"""重复隐患: a hazard at the same enterprise for the same checklist item (or, without an item,
the same category at the same place) found within the repeat window after the earlier one was
closed. Flagged when the hazard is recorded, whichever way it arrives (form, sync, demo)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistVersion
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardState
from inspection.risk.facts import months_before
from inspection.risk.facts import settings_values


def _same_item_ids(session: Session, item_id: int):
    """Every version's id of the same checklist item (same template, same code)."""
    item = session.get(ChecklistItem, item_id)
    template_id = (
        select(ChecklistVersion.template_id)
        .where(ChecklistVersion.id == item.version_id)
        .scalar_subquery()
    )
    versions = select(ChecklistVersion.id).where(ChecklistVersion.template_id == template_id)
    return select(ChecklistItem.id).where(
        ChecklistItem.code == item.code, ChecklistItem.version_id.in_(versions)
    )


def window_start(found_at: datetime, months: int) -> datetime:
    """The earliest closure that still makes a hazard found at `found_at` a repeat."""
    return clock.start_of_local_day(months_before(clock.local(found_at).date(), months))


def predecessor(session: Session, hazard: Hazard) -> Hazard | None:
    """The latest closed hazard this one repeats, if any."""
    months = settings_values(session, hazard.park_id)["repeat_months"]
    stmt = select(Hazard).where(
        Hazard.enterprise_id == hazard.enterprise_id,
        Hazard.id != hazard.id,
        Hazard.state == HazardState.CLOSED,
        Hazard.closed_at >= window_start(hazard.found_at, months),
        Hazard.closed_at <= hazard.found_at,
    )
    if hazard.checklist_item_id is not None:
        stmt = stmt.where(
            Hazard.checklist_item_id.in_(_same_item_ids(session, hazard.checklist_item_id))
        )
    else:
        place = (hazard.location or "").strip().lower()
        if not place:
            return None
        stmt = stmt.where(
            Hazard.checklist_item_id.is_(None),
            Hazard.category == hazard.category,
            func.lower(func.trim(Hazard.location)) == place,
        )
    return session.exec(stmt.order_by(Hazard.closed_at.desc()).limit(1)).first()


def flag_repeat(session: Session, hazard: Hazard) -> Hazard | None:
    """Link a just-recorded hazard to the one it repeats and count the occurrence."""
    earlier = predecessor(session, hazard)
    if earlier is not None:
        hazard.repeat_of_id = earlier.id
        hazard.occurrence = earlier.occurrence + 1
    return earlier
