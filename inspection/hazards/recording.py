"""Recording a hazard found during an inspection, closed at once if it was fixed on the spot.

`FoundHazard` is the one input of this write: the web form, the tablet's sync record and the
demo each fill one and call `record_hazard`, so the rules live here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection import labels
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.checklists.models import ChecklistItem
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.evidence.models import PhotoKind
from inspection.evidence.photos import CheckedPhoto
from inspection.evidence.services import claim_uploads
from inspection.hazards import lifecycle
from inspection.hazards.audit import append_event
from inspection.hazards.causes import REASON_LIMIT
from inspection.hazards.causes import default_occurrence
from inspection.hazards.causes import default_reason
from inspection.hazards.models import Handling
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardLevel
from inspection.hazards.models import HazardState
from inspection.hazards.models import OccurrenceLink
from inspection.hazards.services import attach_photos
from inspection.hazards.services import fix_on_spot
from inspection.inspections.answers import item_of
from inspection.inspections.answers import record_answer
from inspection.inspections.models import Answer
from inspection.inspections.models import AnswerResult
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionInspector
from inspection.inspections.models import InspectionStatus
from inspection.inspections.services import ensure_started
from inspection.numbering import next_number
from inspection.parks.models import Park
from inspection.risk.repeats import flag_repeat
from inspection.risk.services import hazard_moved
from inspection.statistics import tally

DEFAULT_DEADLINE_DAYS = {
    HazardLevel.GENERAL: 15,
    HazardLevel.SIGNIFICANT: 30,
    HazardLevel.MAJOR: 60,
}
FOUND_AT_SPAN = timedelta(days=7)


def default_deadline(level: str, today: date | None = None) -> date:
    """The deadline a new hazard gets unless the inspector sets one."""
    days = DEFAULT_DEADLINE_DAYS.get(level, DEFAULT_DEADLINE_DAYS[HazardLevel.GENERAL])
    return (today or clock.today()) + timedelta(days=days)


def park_levels(park: Park | None) -> list[str]:
    """The levels a park grades its hazards in: general and major, and 较大 where it uses it."""
    if park is not None and park.significant_level:
        return [HazardLevel.GENERAL, HazardLevel.SIGNIFICANT, HazardLevel.MAJOR]
    return [HazardLevel.GENERAL, HazardLevel.MAJOR]


@dataclass(kw_only=True)
class FoundHazard:
    """What an inspector found and, if it was fixed on the spot, how it was fixed.

    Photos come as checked uploads (`photos`) or as ids of photos uploaded ahead of the record
    (`photo_ids`); the same for the after-photos of an on-the-spot fix.
    """

    title: str
    level: str
    category: str
    description: str | None = None
    location: str | None = None
    aspect: str | None = None
    basis: str | None = None
    # 原因分析 and 发生环节 for the national record; derived (hazards.causes) when not given.
    danger_reason: str | None = None
    occurrence_link: str | None = None
    deadline: date | None = None
    required_measures: str | None = None
    # Why a failed major-hazard criterion is recorded as general (kept in the history).
    override_reason: str | None = None
    # The checklist item the hazard was raised from (it must be on the inspection's checklists).
    item_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    # When a tablet logged it offline; kept if within the last week and not ahead of the server.
    found_at: datetime | None = None
    # The id a tablet gave the hazard; a second hazard with the same id is refused.
    device_id: str | None = None
    photos: list[CheckedPhoto] = field(default_factory=list)
    photo_ids: list[int] = field(default_factory=list)
    fixed_on_spot: bool = False
    fix_note: str | None = None
    after_photos: list[CheckedPhoto] = field(default_factory=list)
    after_photo_ids: list[int] = field(default_factory=list)


def record_hazard(
    session: Session, *, inspection: Inspection, actor: User, found: FoundHazard
) -> Hazard:
    """Log a hazard found during an inspection with its before-photos; close it at once
    (即查即改) when it was fixed on the spot.

    A hazard raised by a failed major-hazard criterion is major with the criterion's basis;
    the inspector may record it as general only with a written reason, kept in the history.
    The history records when the hazard reached the server; its deadline counts from the day
    it was found.
    """
    _check_team(session, inspection, actor)
    if (
        found.device_id is not None
        and session.exec(select(Hazard.id).where(Hazard.uuid == found.device_id)).first()
    ):
        raise DomainError(_("Another hazard already has this id. Nothing was changed."))
    item = item_of(session, inspection, found.item_id) if found.item_id else None
    title = (found.title or "").strip()
    if not title:
        raise DomainError(_("Give the hazard a short title."), field="title")
    level = found.level
    if level not in park_levels(session.get(Park, inspection.park_id)):
        raise DomainError(_("Choose the hazard's level."), field="level")
    basis = (found.basis or "").strip() or None
    override_reason = (found.override_reason or "").strip() or None
    answer = None
    if item is not None:
        answer = _failed_answer(session, inspection, item, actor)
        if item.major and level == HazardLevel.MAJOR:
            basis = basis or item.basis
        if item.major and level != HazardLevel.MAJOR and not override_reason:
            raise DomainError(
                _(
                    "This item is a major-hazard criterion (%(basis)s), so by law the hazard is"
                    " major (%(level)s). To record it as general, write down why; the reason is"
                    " kept in the history.",
                    basis=item.basis,
                    level=labels.level_label(HazardLevel.MAJOR, item.basis),
                ),
                field="override_reason",
            )
    occurrence = found.occurrence_link or default_occurrence(found.aspect, found.category)
    if occurrence is not None and occurrence not in set(OccurrenceLink):
        raise DomainError(
            _("Choose the stage the hazard arose in from the list, or leave it empty."),
            field="occurrence_link",
        )
    if found.fixed_on_spot:
        # Refused before anything is written, on the web form and the tablet's sync alike.
        refusal = lifecycle.on_spot_refusal(level)
        if refusal:
            raise lifecycle.IllegalTransition(refusal)
    if level == HazardLevel.MAJOR and not basis:
        raise DomainError(
            _(
                "A major hazard needs its legal basis: the standard and clause that make it"
                " major (e.g. MEM Order No. 10, Article 11, item (3))."
            ),
            field="basis",
        )
    now = clock.now()
    found_at = found.found_at
    if found_at is None or not now - FOUND_AT_SPAN <= found_at <= now:
        found_at = now
    # A deadline counts from the day the hazard was found (on a tablet offline, maybe yesterday).
    found_day = clock.local(found_at).date()
    deadline = found.deadline or default_deadline(level, found_day)
    if deadline < found_day:
        raise DomainError(_("The deadline cannot be in the past."), field="deadline")
    local_day = clock.local(now).strftime("%Y%m%d")
    number = f"YH-{local_day}-{next_number(session, f'hazard:{local_day}'):04d}"
    hazard = Hazard(
        number=number,
        park_id=inspection.park_id,
        enterprise_id=inspection.enterprise_id,
        inspection_id=inspection.id,
        title=title,
        description=(found.description or "").strip() or None,
        location=(found.location or "").strip() or None,
        latitude=found.latitude,
        longitude=found.longitude,
        level=level,
        category=found.category,
        aspect=found.aspect or None,
        basis=basis,
        danger_reason=(found.danger_reason or "").strip()[:REASON_LIMIT]
        or default_reason(found.aspect, basis),
        occurrence_link=occurrence,
        source=inspection.type,
        handling=Handling.DEADLINE,
        state=HazardState.FOUND,
        deadline=deadline,
        original_deadline=deadline,
        found_at=found_at,
        found_by_id=actor.id,
        assigned_inspector_id=actor.id,
        required_measures=(found.required_measures or "").strip() or None,
        checklist_item_id=item.id if item else None,
        answer_id=answer.id if answer else None,
        created_at=now,
        updated_at=now,
        **({"uuid": found.device_id} if found.device_id is not None else {}),
    )
    session.add(hazard)
    session.flush()
    tally.hazard_found(session, hazard)
    data = {"level": level, "deadline": deadline.isoformat(), "basis": basis}
    earlier = flag_repeat(session, hazard)
    if earlier is not None:
        data["repeat_of"] = {"number": earlier.number, "occurrence": hazard.occurrence}
    if item is not None:
        data["item"] = {"code": item.code, "basis": item.basis, "major": item.major}
    if item is not None and item.major and level != HazardLevel.MAJOR:
        data["level_override"] = {"from": HazardLevel.MAJOR, "to": level}
    event = append_event(
        session,
        hazard,
        event="record",
        from_state=None,
        to_state=HazardState.FOUND,
        actor=actor,
        comment=override_reason,
        data=data,
        at=now,
    )
    attach_photos(session, hazard, event, found.photos, PhotoKind.BEFORE, actor)
    claim_uploads(
        session,
        found.photo_ids,
        inspection_id=inspection.id,
        actor=actor,
        hazard_id=hazard.id,
        event_id=event.id,
    )
    ensure_started(inspection)
    if not found.fixed_on_spot:
        hazard_moved(session, hazard, "record")
    else:
        # Written first: fixing on the spot re-reads the hazard under a lock.
        session.flush()
        fix_on_spot(
            session,
            hazard=hazard,
            actor=actor,
            comment=found.fix_note,
            photos=found.after_photos,
            expected_version=hazard.version,
            uploaded_photo_ids=found.after_photo_ids,
        )
    return hazard


def _check_team(session: Session, inspection: Inspection, actor: User) -> None:
    if actor.role != Role.INSPECTOR:
        raise Forbidden(_("Only inspectors can record hazards."))
    member = session.get(InspectionInspector, (inspection.id, actor.id))
    if member is None:
        raise Forbidden(
            _("You are not on this inspection's team; ask its lead inspector to add you.")
        )
    if inspection.status == InspectionStatus.COMPLETED:
        raise DomainError(
            _("This inspection is completed, so no hazards can be added to it any more.")
        )


def _failed_answer(
    session: Session, inspection: Inspection, item: ChecklistItem, actor: User
) -> Answer:
    """The failed answer behind a hazard raised from an item (recorded now if not yet given)."""
    answer = session.exec(
        select(Answer).where(Answer.inspection_id == inspection.id, Answer.item_id == item.id)
    ).first()
    if answer is None or answer.result != AnswerResult.FAIL:
        answer = record_answer(
            session, inspection=inspection, item=item, actor=actor, result=AnswerResult.FAIL
        )
    return answer
