"""Changing hazards and notices: issue, acknowledge, submit, accept, reject, fix, void.

Recording a new hazard is in `recording`.

Services check the rule, change the rows, write the audit event and flush; the view or job that
called them commits once.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.errors import NotFound
from inspection.evidence.documents import CheckedDocument
from inspection.evidence.documents import keep_document
from inspection.evidence.models import Document
from inspection.evidence.models import DocumentKind
from inspection.evidence.models import PhotoKind
from inspection.evidence.photos import CheckedPhoto
from inspection.evidence.services import claim_uploads
from inspection.evidence.services import keep_photos
from inspection.hazards import lifecycle
from inspection.hazards.confirmation import awaits_confirmation
from inspection.hazards.context import hazard_link
from inspection.hazards.context import hazard_params
from inspection.hazards.context import lock
from inspection.hazards.context import notice_link
from inspection.hazards.models import Handling
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.hazards.models import HazardState
from inspection.hazards.models import Notice
from inspection.hazards.models import ReviewMode
from inspection.hazards.plans import plan_complete
from inspection.hazards.reviewers import reviewers
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionInspector
from inspection.notifications.services import enterprise_users
from inspection.notifications.services import notify
from inspection.notifications.services import supervisors
from inspection.numbering import next_number
from inspection.parks.models import Park


def attach_photos(
    session: Session,
    hazard: Hazard,
    event: HazardEvent,
    photos: list[CheckedPhoto],
    kind: str,
    actor: User,
    uploaded_ids: list[int] | None = None,
) -> None:
    """Keep the photos that came with one step of a hazard's history: those sent with the form
    and those uploaded ahead (during the inspection, or on the hazard's page)."""
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
    claim_uploads(
        session,
        uploaded_ids or [],
        inspection_id=hazard.inspection_id,
        actor=actor,
        hazard_id=hazard.id,
        event_id=event.id,
        kind=kind,
    )


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
        raise DomainError(_("Add a photo showing the hazard after it was fixed."), field="photos")
    event = lifecycle.apply(
        session, hazard, "fix_on_spot", actor, comment=comment, expected_version=expected_version
    )
    hazard.handling = Handling.ON_SPOT
    hazard.reviewed_by_id, hazard.reviewed_at = actor.id, event.at
    attach_photos(session, hazard, event, photos, PhotoKind.AFTER, actor, uploaded_photo_ids)
    return hazard


def issue_notice(session: Session, *, inspection: Inspection, actor: User) -> Notice:
    """Issue the inspection's open hazards to the enterprise as one numbered notice."""
    if actor.role != Role.INSPECTOR:
        raise Forbidden(_("Only inspectors can issue rectification notices."))
    if session.get(InspectionInspector, (inspection.id, actor.id)) is None:
        raise Forbidden(_("You are not on this inspection's team."))
    found = list(
        session.exec(
            select(Hazard)
            .where(Hazard.inspection_id == inspection.id, Hazard.state == HazardState.FOUND)
            .order_by(Hazard.id)
            .with_for_update()
        )
    )
    # A major finding goes out only once a supervisor has confirmed it (研判); it waits for a
    # later notice of the same inspection.
    hazards = [hazard for hazard in found if not awaits_confirmation(hazard)]
    if not hazards and found:
        raise DomainError(
            _(
                "Major finding %(numbers)s awaits confirmation (研判) by a supervisor before"
                " its notice can go out. Nothing was issued.",
                numbers="、".join(hazard.number for hazard in found),
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
        # GB/T 9704-2012 7.2.4: the year in 〔〕, the serial number without leading zeros and
        # without 第: 经开安环整改〔2026〕9号.
        number=f"{park.notice_prefix}〔{year}〕{seq}号",
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
        park_id=notice.park_id,
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
    uploaded_photo_ids: list[int] | None = None,
) -> Hazard:
    """The enterprise reports what it did, with after-photos, for re-inspection."""
    lock(session, hazard)
    lifecycle.check(hazard, "submit", actor, expected_version=expected_version)
    measures = (measures or "").strip()
    if not measures:
        raise DomainError(_("Describe the measures taken to fix the hazard."), field="measures")
    if not photos and not uploaded_photo_ids:
        raise DomainError(
            _("Add at least one photo showing the hazard after rectification."), field="photos"
        )
    if funding_yuan is not None and funding_yuan < 0:
        raise DomainError(_("The funding cannot be negative."), field="funding_yuan")
    if not plan_complete(session, hazard):
        raise DomainError(
            _(
                "A major hazard needs its rectification plan (治理方案) with every element of"
                " 《安全生产事故隐患排查治理暂行规定》第十五条 before the rectification can be"
                " submitted. File the plan first."
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
    attach_photos(session, hazard, event, photos, PhotoKind.AFTER, actor, uploaded_photo_ids)
    notify(
        session,
        reviewers(session, hazard),
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
    evaluation: CheckedDocument | None = None,
    uploaded_photo_ids: list[int] | None = None,
) -> Hazard:
    """The re-inspection found the hazard fixed: close it (销号), or, if it is listed for
    supervision, mark it accepted until a supervisor approves its removal from the list.

    A listed hazard rectified under a production stop is accepted with the evaluation report
    of its rectification (评估报告, 16号令 第十八条).
    """
    lock(session, hazard)
    lifecycle.check(hazard, "accept", actor, expected_version=expected_version)
    if (
        evaluation_required(hazard)
        and evaluation is None
        and not _has_document(session, hazard, DocumentKind.EVALUATION)
    ):
        raise DomainError(
            _(
                "This listed hazard was rectified under a production stop, so its acceptance"
                " needs the evaluation report of the rectification (评估报告: by the"
                " enterprise's own technical staff and experts, or a qualified safety"
                " evaluation body; 《安全生产事故隐患排查治理暂行规定》第十八条). Attach it."
                " Nothing was changed."
            ),
            field="evaluation",
        )
    event = lifecycle.apply(
        session,
        hazard,
        "accept",
        actor,
        comment=comment,
        data={"review_mode": review_mode},
    )
    _record_review(session, hazard, actor, event, comment, review_mode)
    attach_photos(session, hazard, event, photos, PhotoKind.REVIEW, actor, uploaded_photo_ids)
    if evaluation is not None:
        keep_document(
            session,
            evaluation,
            kind=DocumentKind.EVALUATION,
            enterprise_id=hazard.enterprise_id,
            actor=actor,
            hazard_id=hazard.id,
            event_id=event.id,
        )
    if hazard.state == HazardState.ACCEPTED:
        recipients, kind = supervisors(session, hazard.park_id), "awaiting_delisting"
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


def evaluation_required(hazard: Hazard) -> bool:
    """Whether acceptance needs an evaluation report: a listed hazard rectified under a
    production stop (16号令 第十八条)."""
    return hazard.listed and hazard.stop_production


def _has_document(session: Session, hazard: Hazard, kind: str) -> bool:
    return (
        session.exec(
            select(Document.id).where(Document.hazard_id == hazard.id, Document.kind == kind)
        ).first()
        is not None
    )


def approve_resumption(
    session: Session,
    *,
    hazard: Hazard,
    actor: User,
    comment: str,
    document: CheckedDocument | None,
    expected_version: int,
) -> Hazard:
    """复产审查: a supervisor reviews the enterprise's written application to resume the
    production stopped for a listed hazard (16号令 第十八条; 第二十三条: within 10 days) and
    approves it, after the rectification has been accepted."""
    lock(session, hazard)
    event = lifecycle.apply(
        session,
        hazard,
        "approve_resumption",
        actor,
        comment=comment,
        expected_version=expected_version,
    )
    hazard.resumption_approved_at = event.at
    if document is not None:
        keep_document(
            session,
            document,
            kind=DocumentKind.RESUMPTION,
            enterprise_id=hazard.enterprise_id,
            actor=actor,
            hazard_id=hazard.id,
            event_id=event.id,
        )
    session.flush()
    notify(
        session,
        enterprise_users(session, hazard.enterprise_id),
        kind="resumption_approved",
        key=f"resumption:{hazard.id}",
        params=hazard_params(session, hazard),
        link=hazard_link(hazard),
        hazard_id=hazard.id,
    )
    return hazard


def reject_rectification(
    session: Session,
    *,
    hazard: Hazard,
    actor: User,
    reason: str,
    photos: list[CheckedPhoto],
    expected_version: int,
    review_mode: str = ReviewMode.ON_SITE,
    uploaded_photo_ids: list[int] | None = None,
) -> Hazard:
    """The re-inspection found the fix insufficient: back to rectifying by the same deadline.

    Only an extension (asked for and decided, or set by the one who decides them) moves a
    deadline; a rejection never does.
    """
    lock(session, hazard)
    lifecycle.check(hazard, "reject", actor, expected_version=expected_version)
    data: dict = {"review_mode": review_mode, "deadline": _iso(hazard.deadline)}
    event = lifecycle.apply(session, hazard, "reject", actor, comment=reason, data=data)
    _record_review(session, hazard, actor, event, reason, review_mode)
    attach_photos(session, hazard, event, photos, PhotoKind.REVIEW, actor, uploaded_photo_ids)
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


def _record_review(session, hazard, actor, event, comment, review_mode) -> None:
    hazard.reviewed_by_id, hazard.reviewed_at = actor.id, event.at
    hazard.review_mode = review_mode
    hazard.review_comment = (comment or "").strip() or None


def void_hazard(
    session: Session, *, hazard: Hazard, actor: User, reason: str, expected_version: int
) -> Hazard:
    """作废: withdraw a hazard recorded in error, with the reason kept."""
    return _decide(session, hazard, "void", actor, reason, expected_version)


def refuse_rectification(
    session: Session,
    *,
    hazard: Hazard,
    actor: User,
    reason: str,
    expected_version: int | None = None,
) -> Hazard:
    """拒不整改: record the enterprise's refusal to rectify and escalate to enforcement."""
    return _decide(session, hazard, "refuse", actor, reason, expected_version)


def resume_rectification(
    session: Session, *, hazard: Hazard, actor: User, reason: str, expected_version: int
) -> Hazard:
    """Send an escalated hazard back to rectification."""
    return _decide(session, hazard, "resume", actor, reason, expected_version)


def _decide(session, hazard, event, actor, reason, expected_version) -> Hazard:
    """A step that needs nothing but its reason, kept in the history."""
    lock(session, hazard)
    lifecycle.apply(
        session, hazard, event, actor, comment=reason, expected_version=expected_version
    )
    return hazard


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
