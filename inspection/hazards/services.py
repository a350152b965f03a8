"""Changing hazards and notices: record, issue, acknowledge, submit, accept, reject, void.

Services check the rule, change the rows, write the audit event and flush; the view or job that
called them commits once.
"""

from __future__ import annotations

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
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Park
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.errors import NotFound
from inspection.evidence.models import PhotoKind
from inspection.evidence.photos import CheckedPhoto
from inspection.evidence.services import claim_uploads
from inspection.evidence.services import keep_photos
from inspection.hazards import lifecycle
from inspection.hazards.audit import append_event
from inspection.hazards.context import hazard_link
from inspection.hazards.context import hazard_params
from inspection.hazards.context import lock
from inspection.hazards.context import notice_link
from inspection.hazards.context import park_of
from inspection.hazards.models import Handling
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.hazards.models import HazardLevel
from inspection.hazards.models import HazardState
from inspection.hazards.models import Notice
from inspection.hazards.models import ReviewMode
from inspection.hazards.plans import plan_complete
from inspection.inspections.answers import record_answer
from inspection.inspections.models import Answer
from inspection.inspections.models import AnswerResult
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionInspector
from inspection.inspections.models import InspectionStatus
from inspection.inspections.services import ensure_started
from inspection.notifications.services import enterprise_users
from inspection.notifications.services import notify
from inspection.notifications.services import supervisors
from inspection.numbering import next_number
from inspection.statistics import tally

DEFAULT_DEADLINE_DAYS = {HazardLevel.GENERAL: 15, HazardLevel.MAJOR: 60}
FOUND_AT_SPAN = timedelta(days=7)


def default_deadline(level: str, today: date | None = None) -> date:
    """The deadline a new hazard gets unless the inspector sets one."""
    days = DEFAULT_DEADLINE_DAYS.get(level, DEFAULT_DEADLINE_DAYS[HazardLevel.GENERAL])
    return (today or clock.today()) + timedelta(days=days)


def _attach(
    session: Session,
    hazard: Hazard,
    event: HazardEvent,
    photos: list[CheckedPhoto],
    kind: str,
    actor: User,
) -> None:
    """Keep the photos that came with one step of a hazard's history."""
    keep_photos(
        session,
        photos,
        kind=kind,
        enterprise_id=hazard.enterprise_id,
        actor=actor,
        hazard_id=hazard.id,
        inspection_id=hazard.inspection_id,
        event_id=event.id,
    )


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


def record_hazard(
    session: Session,
    *,
    inspection: Inspection,
    actor: User,
    title: str,
    description: str | None,
    location: str | None,
    level: str,
    category: str,
    aspect: str | None,
    basis: str | None,
    deadline: date | None,
    required_measures: str | None,
    photos: list[CheckedPhoto],
    latitude: float | None = None,
    longitude: float | None = None,
    item: ChecklistItem | None = None,
    override_reason: str | None = None,
    uploaded_photo_ids: list[int] | None = None,
    found_at: datetime | None = None,
) -> Hazard:
    """Log a hazard found during an inspection, with its before-photos.

    A hazard raised by a failed major-hazard criterion is major with the criterion's basis;
    the inspector may record it as general only with a written reason, kept in the history.
    `found_at` is when a tablet logged it offline (kept if it is within the last week and not
    ahead of the server's clock); the history records when it reached the server.
    """
    _check_team(session, inspection, actor)
    title = title.strip()
    if not title:
        raise DomainError(_("Give the hazard a short title."))
    if level not in set(HazardLevel):
        raise DomainError(_("Choose the hazard's level."))
    basis = (basis or "").strip() or None
    override_reason = (override_reason or "").strip() or None
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
                )
            )
    if level == HazardLevel.MAJOR and not basis:
        raise DomainError(
            _(
                "A major hazard needs its legal basis: the standard and clause that make it"
                " major (e.g. 应急管理部令第10号 第十一条第（三）项)."
            )
        )
    now = clock.now()
    if found_at is None or not now - FOUND_AT_SPAN <= found_at <= now:
        found_at = now
    # A deadline counts from the day the hazard was found (on a tablet offline, maybe yesterday).
    found_day = clock.local(found_at).date()
    deadline = deadline or default_deadline(level, found_day)
    if deadline < found_day:
        raise DomainError(_("The deadline cannot be in the past."))
    local_day = clock.local(now).strftime("%Y%m%d")
    number = f"YH-{local_day}-{next_number(session, f'hazard:{local_day}'):04d}"
    hazard = Hazard(
        number=number,
        enterprise_id=inspection.enterprise_id,
        inspection_id=inspection.id,
        title=title,
        description=(description or "").strip() or None,
        location=(location or "").strip() or None,
        latitude=latitude,
        longitude=longitude,
        level=level,
        category=category,
        aspect=aspect or None,
        basis=basis,
        source=inspection.type,
        handling=Handling.DEADLINE,
        state=HazardState.FOUND,
        deadline=deadline,
        original_deadline=deadline,
        found_at=found_at,
        found_by_id=actor.id,
        assigned_inspector_id=actor.id,
        required_measures=(required_measures or "").strip() or None,
        checklist_item_id=item.id if item else None,
        answer_id=answer.id if answer else None,
        created_at=now,
        updated_at=now,
    )
    session.add(hazard)
    session.flush()
    tally.hazard_found(session, hazard)
    data = {"level": level, "deadline": deadline.isoformat(), "basis": basis}
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
    _attach(session, hazard, event, photos, PhotoKind.BEFORE, actor)
    claim_uploads(
        session,
        uploaded_photo_ids or [],
        inspection=inspection,
        actor=actor,
        hazard_id=hazard.id,
        event_id=event.id,
    )
    ensure_started(inspection)
    return hazard


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


def fix_on_spot(
    session: Session,
    *,
    hazard: Hazard,
    actor: User,
    comment: str | None,
    photos: list[CheckedPhoto],
    expected_version: int,
    uploaded_photo_ids: list[int] | None = None,
) -> Hazard:
    """即查即改: the hazard was fixed while the inspector watched; close it with an after-photo."""
    lock(session, hazard)
    lifecycle.check(hazard, "fix_on_spot", actor, expected_version=expected_version)
    if not photos and not uploaded_photo_ids:
        raise DomainError(_("Add a photo showing the hazard after it was fixed."))
    event = lifecycle.apply(
        session, hazard, "fix_on_spot", actor, comment=comment, expected_version=expected_version
    )
    hazard.handling = Handling.ON_SPOT
    hazard.reviewed_by_id, hazard.reviewed_at = actor.id, event.at
    _attach(session, hazard, event, photos, PhotoKind.AFTER, actor)
    if uploaded_photo_ids:
        claim_uploads(
            session,
            uploaded_photo_ids,
            inspection=session.get(Inspection, hazard.inspection_id),
            actor=actor,
            hazard_id=hazard.id,
            event_id=event.id,
            kind=PhotoKind.AFTER,
        )
    return hazard


def issue_notice(session: Session, *, inspection: Inspection, actor: User) -> Notice:
    """Issue the inspection's open hazards to the enterprise as one numbered notice."""
    if actor.role != Role.INSPECTOR:
        raise Forbidden(_("Only inspectors can issue rectification notices."))
    if session.get(InspectionInspector, (inspection.id, actor.id)) is None:
        raise Forbidden(_("You are not on this inspection's team."))
    hazards = list(
        session.exec(
            select(Hazard)
            .where(Hazard.inspection_id == inspection.id, Hazard.state == HazardState.FOUND)
            .order_by(Hazard.id)
            .with_for_update()
        )
    )
    if not hazards:
        raise DomainError(
            _("There are no hazards waiting to be issued in this inspection. Nothing was done.")
        )
    enterprise = session.get(Enterprise, inspection.enterprise_id)
    park = session.get(Park, enterprise.park_id)
    now = clock.now()
    year = clock.local(now).year
    seq = next_number(session, f"notice:{park.id}:{year}")
    notice = Notice(
        number=f"{park.notice_prefix}〔{year}〕第{seq:04d}号",
        park_id=park.id,
        year=year,
        seq=seq,
        enterprise_id=enterprise.id,
        inspection_id=inspection.id,
        issued_at=now,
        issued_by_id=actor.id,
    )
    session.add(notice)
    session.flush()
    for hazard in hazards:
        hazard.notice_id = notice.id
        lifecycle.apply(session, hazard, "issue", actor, data={"notice": notice.number})
    notify(
        session,
        enterprise_users(session, enterprise.id),
        kind="notice_issued",
        key=f"notice:{notice.id}",
        params={"notice": notice.number, "enterprise": enterprise.name, "count": len(hazards)},
        link=notice_link(notice.id),
    )
    return notice


def acknowledge_notice(session: Session, *, notice: Notice, actor: User) -> Notice:
    """签收: the enterprise confirms it has received the notice."""
    if actor.role != Role.ENTERPRISE or actor.enterprise_id != notice.enterprise_id:
        raise NotFound(_("There is nothing here, or it is not yours to see."))
    session.refresh(notice, with_for_update=True)
    if notice.acknowledged_at is not None:
        raise DomainError(_("This notice was already acknowledged. Nothing was changed."))
    now = clock.now()
    notice.acknowledged_at, notice.acknowledged_by_id = now, actor.id
    notice.version += 1
    hazards = session.exec(
        select(Hazard)
        .where(Hazard.notice_id == notice.id, Hazard.state == HazardState.ISSUED)
        .order_by(Hazard.id)
        .with_for_update()
    )
    for hazard in hazards:
        lifecycle.apply(session, hazard, "acknowledge", actor, data={"notice": notice.number})
    return notice


def submit_rectification(
    session: Session,
    *,
    hazard: Hazard,
    actor: User,
    measures: str,
    responsible_person: str | None,
    funding_yuan: int | None,
    photos: list[CheckedPhoto],
    expected_version: int,
) -> Hazard:
    """The enterprise reports what it did, with after-photos, for re-inspection."""
    lock(session, hazard)
    lifecycle.check(hazard, "submit", actor, expected_version=expected_version)
    measures = (measures or "").strip()
    if not measures:
        raise DomainError(_("Describe the measures taken to fix the hazard."))
    if not photos:
        raise DomainError(_("Add at least one photo showing the hazard after rectification."))
    if funding_yuan is not None and funding_yuan < 0:
        raise DomainError(_("The funding cannot be negative."))
    if not plan_complete(session, hazard):
        raise DomainError(
            _(
                "A major hazard needs its rectification plan covering all five musts (五落实)"
                " before the rectification can be submitted. File the plan first."
            )
        )
    event = lifecycle.apply(
        session,
        hazard,
        "submit",
        actor,
        comment=measures,
        data={"funding_yuan": funding_yuan, "responsible_person": responsible_person},
        expected_version=expected_version,
    )
    hazard.rectification_measures = measures
    hazard.responsible_person = (responsible_person or "").strip() or None
    hazard.funding_yuan = funding_yuan
    hazard.submitted_at = event.at
    _attach(session, hazard, event, photos, PhotoKind.AFTER, actor)
    notify(
        session,
        [session.get(User, hazard.assigned_inspector_id or hazard.found_by_id)],
        kind="rectification_submitted",
        key=f"submitted:{hazard.id}:{event.seq}",
        params=hazard_params(session, hazard),
        link=hazard_link(hazard),
        hazard_id=hazard.id,
    )
    return hazard


def accept_rectification(
    session: Session,
    *,
    hazard: Hazard,
    actor: User,
    comment: str | None,
    photos: list[CheckedPhoto],
    expected_version: int,
    review_mode: str = ReviewMode.ON_SITE,
) -> Hazard:
    """The re-inspection found the hazard fixed: close it (销号), or, if it is listed for
    supervision, mark it accepted until a supervisor approves its removal from the list."""
    lock(session, hazard)
    lifecycle.check(hazard, "accept", actor, expected_version=expected_version)
    _check_reviewer(session, hazard, actor)
    event = lifecycle.apply(
        session,
        hazard,
        "accept",
        actor,
        comment=comment,
        data={"review_mode": review_mode},
    )
    _record_review(session, hazard, actor, event, comment, photos, review_mode)
    if hazard.state == HazardState.ACCEPTED:
        recipients, kind = supervisors(session), "awaiting_delisting"
    else:
        recipients, kind = enterprise_users(session, hazard.enterprise_id), "hazard_closed"
    notify(
        session,
        recipients,
        kind=kind,
        key=f"{kind}:{hazard.id}",
        params=hazard_params(session, hazard),
        link=hazard_link(hazard),
        hazard_id=hazard.id,
    )
    return hazard


def _check_reviewer(session: Session, hazard: Hazard, actor: User) -> None:
    """By default (per park) the re-inspector is someone other than the finder."""
    if park_of(session, hazard).reviewer_must_differ and hazard.found_by_id == actor.id:
        raise Forbidden(
            _(
                "You found this hazard, so another inspector must re-inspect it (the park's"
                " rule). Ask a colleague, or have a supervisor reassign it."
            )
        )


def reject_rectification(
    session: Session,
    *,
    hazard: Hazard,
    actor: User,
    reason: str,
    new_deadline: date | None,
    photos: list[CheckedPhoto],
    expected_version: int,
    review_mode: str = ReviewMode.ON_SITE,
) -> Hazard:
    """The re-inspection found the fix insufficient: back to rectifying, maybe a new deadline."""
    lock(session, hazard)
    lifecycle.check(hazard, "reject", actor, expected_version=expected_version)
    _check_reviewer(session, hazard, actor)
    if new_deadline is not None and new_deadline < clock.today():
        raise DomainError(_("The new deadline cannot be in the past."))
    data: dict = {"review_mode": review_mode}
    if new_deadline is not None and new_deadline != hazard.deadline:
        data |= {"old_deadline": _iso(hazard.deadline), "new_deadline": new_deadline.isoformat()}
    event = lifecycle.apply(session, hazard, "reject", actor, comment=reason, data=data)
    if "new_deadline" in data:
        hazard.deadline = new_deadline
    _record_review(session, hazard, actor, event, reason, photos, review_mode)
    notify(
        session,
        enterprise_users(session, hazard.enterprise_id),
        kind="rectification_rejected",
        key=f"rejected:{hazard.id}:{event.seq}",
        params=hazard_params(session, hazard, reason=event.comment),
        link=hazard_link(hazard),
        hazard_id=hazard.id,
    )
    return hazard


def _record_review(session, hazard, actor, event, comment, photos, review_mode) -> None:
    hazard.reviewed_by_id, hazard.reviewed_at = actor.id, event.at
    hazard.review_mode = review_mode
    hazard.review_comment = (comment or "").strip() or None
    _attach(session, hazard, event, photos, PhotoKind.REVIEW, actor)


def void_hazard(
    session: Session, *, hazard: Hazard, actor: User, reason: str, expected_version: int
) -> Hazard:
    """作废: withdraw a hazard recorded in error, with the reason kept."""
    lock(session, hazard)
    lifecycle.apply(
        session, hazard, "void", actor, comment=reason, expected_version=expected_version
    )
    return hazard


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
