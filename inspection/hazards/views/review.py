"""What inspectors and supervisors decide about a hazard: re-inspection, fixes on the spot,
voiding, extensions, 挂牌督办, escalation, follow-up."""

from __future__ import annotations

from flask import abort
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspection.auth.models import User
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.auth.scope import Scope
from inspection.db import get_session
from inspection.evidence.documents import check_upload
from inspection.evidence.services import check_uploads
from inspection.forms import ConfirmForm
from inspection.hazards import confirmation
from inspection.hazards import extensions
from inspection.hazards import followup
from inspection.hazards import listing
from inspection.hazards import services
from inspection.hazards.forms import ExtensionDecisionForm
from inspection.hazards.forms import ReassignForm
from inspection.hazards.models import ExtensionRequest
from inspection.hazards.views import bp
from inspection.hazards.views.detail import act
from inspection.hazards.views.detail import detail_form
from inspection.hazards.views.detail import form_version
from inspection.hazards.views.detail import inspector_choices
from inspection.hazards.views.detail import load_hazard
from inspection.hazards.views.detail import render_detail
from inspection.hazards.views.detail import shown_again
from inspection.hazards.views.detail import uploaded_ids
from inspection.web import commit_or_refuse


@bp.post("/extensions/<id:request_id>/decision")
@require(Permission.DECIDE_EXTENSIONS)
def decide_extension(request_id: int):
    """A supervisor (or inspector, per park) approves or refuses an extension request."""
    db = get_session()
    extension = db.get(ExtensionRequest, request_id) or abort(404)
    hazard = load_hazard(extension.hazard_id)
    form = ExtensionDecisionForm(prefix="decision")
    if not form.validate():
        return render_detail(hazard, 422, decision_form=form)
    approve = form.decision.data == "approve"
    return commit_or_refuse(
        lambda: extensions.decide_extension(
            db, request=extension, actor=current_user, approve=approve, comment=form.comment.data
        ),
        then=url_for("hazards.detail", hazard_id=hazard.id),
        message=_("The extension was approved.") if approve else _("The extension was refused."),
        refused=shown_again(hazard.id, decision_form=form),
    )


@bp.post("/hazards/<id:hazard_id>/review")
@require(Permission.REVIEW_RECTIFICATION)
def review(hazard_id: int):
    """The re-inspector accepts (closes) or rejects the rectification."""

    def perform(db, hazard, form):
        photos = check_uploads(form.photos.data)
        if form.decision.data == "accept":
            services.accept_rectification(
                db,
                hazard=hazard,
                actor=current_user,
                comment=form.comment.data,
                photos=photos,
                expected_version=form_version(form),
                review_mode=form.mode.data,
                evaluation=check_upload(form.evaluation.data),
                uploaded_photo_ids=uploaded_ids(form),
            )
            if hazard.state == "accepted":
                return _(
                    "Hazard %(number)s passed re-inspection; a supervisor must approve its"
                    " removal from the list to close it.",
                    number=hazard.number,
                )
            return _("Hazard %(number)s is closed.", number=hazard.number)
        services.reject_rectification(
            db,
            hazard=hazard,
            actor=current_user,
            reason=form.comment.data,
            photos=photos,
            expected_version=form_version(form),
            review_mode=form.mode.data,
            uploaded_photo_ids=uploaded_ids(form),
        )
        return _("The rectification was rejected and sent back to the enterprise.")

    return act(hazard_id, "review_form", detail_form("review_form"), perform)


@bp.post("/hazards/<id:hazard_id>/fix-on-spot")
@require(Permission.INSPECT)
def fix_on_spot(hazard_id: int):
    """即查即改: close a hazard fixed during the inspection, with its after-photo."""

    def perform(db, hazard, form):
        services.fix_on_spot(
            db,
            hazard=hazard,
            actor=current_user,
            comment=form.comment.data,
            photos=check_uploads(form.photos.data),
            expected_version=form_version(form),
            uploaded_photo_ids=uploaded_ids(form),
        )
        return _("Hazard %(number)s was fixed on the spot and closed.", number=hazard.number)

    return act(hazard_id, "fix_form", detail_form("fix_form"), perform)


@bp.post("/hazards/<id:hazard_id>/void")
@require(Permission.VOID_HAZARDS)
def void(hazard_id: int):
    """Withdraw a hazard recorded in error."""

    def perform(db, hazard, form):
        services.void_hazard(
            db,
            hazard=hazard,
            actor=current_user,
            reason=form.reason.data,
            expected_version=form_version(form),
        )
        return _("Hazard %(number)s has been voided.", number=hazard.number)

    return act(hazard_id, "void_form", detail_form("void_form"), perform)


@bp.post("/hazards/<id:hazard_id>/list")
@require(Permission.SUPERVISE_MAJOR)
def list_for_supervision(hazard_id: int):
    """挂牌督办: list an open major hazard for supervision."""

    def perform(db, hazard, form):
        listing.list_hazard(
            db,
            hazard=hazard,
            actor=current_user,
            level=form.level.data,
            body=form.body.data,
            listed_on=form.listed_on.data,
            stop_production=form.stop_production.data,
            comment=form.comment.data,
            expected_version=form_version(form),
        )
        return _("Hazard %(number)s is listed for supervision.", number=hazard.number)

    return act(hazard_id, "list_form", detail_form("list_form"), perform)


@bp.post("/hazards/<id:hazard_id>/confirm")
@require(Permission.SUPERVISE_MAJOR)
def confirm_finding(hazard_id: int):
    """研判: confirm a major finding before its notice goes out, or record it as general."""

    def perform(db, hazard, form):
        keep = form.decision.data == "major"
        confirmation.confirm(
            db,
            hazard=hazard,
            actor=current_user,
            participants=form.participants.data,
            keep_major=keep,
            comment=form.comment.data,
            expected_version=form_version(form),
        )
        if keep:
            return _("Hazard %(number)s is confirmed as major.", number=hazard.number)
        return _("Hazard %(number)s is recorded as general.", number=hazard.number)

    return act(hazard_id, "confirm_finding_form", detail_form("confirm_finding_form"), perform)


@bp.post("/hazards/<id:hazard_id>/resumption")
@require(Permission.SUPERVISE_MAJOR)
def approve_resumption(hazard_id: int):
    """复产审查: approve resuming the production stopped for a listed hazard."""

    def perform(db, hazard, form):
        services.approve_resumption(
            db,
            hazard=hazard,
            actor=current_user,
            comment=form.comment.data,
            document=check_upload(form.document.data),
            expected_version=form_version(form),
        )
        return _("Resuming production is approved for hazard %(number)s.", number=hazard.number)

    return act(hazard_id, "resumption_form", detail_form("resumption_form"), perform)


@bp.post("/hazards/<id:hazard_id>/delist")
@require(Permission.SUPERVISE_MAJOR)
def delist(hazard_id: int):
    """摘牌销号: approve removing an accepted listed hazard from the list; it closes."""

    def perform(db, hazard, form):
        listing.delist_hazard(
            db,
            hazard=hazard,
            actor=current_user,
            comment=form.comment.data,
            expected_version=form_version(form),
        )
        return _("Hazard %(number)s is removed from the list and closed.", number=hazard.number)

    return act(hazard_id, "delist_form", detail_form("delist_form"), perform)


@bp.post("/hazards/<id:hazard_id>/refuse")
@require(Permission.FOLLOW_UP)
def refuse(hazard_id: int):
    """拒不整改: record the enterprise's refusal and escalate to enforcement."""

    def perform(db, hazard, form):
        services.refuse_rectification(
            db,
            hazard=hazard,
            actor=current_user,
            reason=form.reason.data,
            expected_version=form_version(form),
        )
        return _("Hazard %(number)s is escalated to enforcement.", number=hazard.number)

    return act(hazard_id, "refuse_form", detail_form("refuse_form"), perform)


@bp.post("/hazards/<id:hazard_id>/resume")
@require(Permission.SUPERVISE_MAJOR)
def resume(hazard_id: int):
    """Send an escalated hazard back to rectification."""

    def perform(db, hazard, form):
        services.resume_rectification(
            db,
            hazard=hazard,
            actor=current_user,
            reason=form.reason.data,
            expected_version=form_version(form),
        )
        return _("Hazard %(number)s is back in rectification.", number=hazard.number)

    return act(hazard_id, "resume_form", detail_form("resume_form"), perform)


@bp.post("/hazards/<id:hazard_id>/reassign")
@require(Permission.FOLLOW_UP)
def reassign(hazard_id: int):
    """Give the hazard's follow-up to another inspector."""
    form = ReassignForm(prefix="reassign")
    hazard = load_hazard(hazard_id)
    inspector_choices(form, parks=Scope(park_id=hazard.park_id))
    if not form.validate():
        return render_detail(hazard, 422, error=_("Choose an active inspector."))
    db = get_session()
    inspector = db.get(User, form.inspector_id.data) if form.inspector_id.data else None
    return commit_or_refuse(
        lambda: followup.reassign(db, hazard=hazard, actor=current_user, inspector=inspector),
        then=url_for("hazards.detail", hazard_id=hazard_id),
        message=lambda _hazard: _(
            "%(name)s now follows this hazard up.", name=inspector.display_name
        ),
        refused=shown_again(hazard_id),
    )


@bp.post("/hazards/<id:hazard_id>/remind")
@require(Permission.FOLLOW_UP)
def remind(hazard_id: int):
    """Remind the enterprise of the deadline now."""
    hazard = load_hazard(hazard_id)
    if not ConfirmForm().validate():
        abort(400)
    return commit_or_refuse(
        lambda: followup.remind(get_session(), hazard=hazard, actor=current_user),
        then=url_for("hazards.detail", hazard_id=hazard_id),
        message=_("The enterprise has been reminded."),
        refused=shown_again(hazard_id),
    )
