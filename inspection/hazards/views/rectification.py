"""What the enterprise does about a hazard: file its plan, ask for more time, submit the fix."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.evidence.documents import check_upload
from inspection.evidence.services import check_uploads
from inspection.hazards import extensions
from inspection.hazards import plans
from inspection.hazards import services
from inspection.hazards.views import bp
from inspection.hazards.views.detail import act
from inspection.hazards.views.detail import detail_form
from inspection.hazards.views.detail import form_version
from inspection.hazards.views.detail import uploaded_ids


@bp.post("/hazards/<id:hazard_id>/submit")
@require(Permission.RECTIFY)
def submit(hazard_id: int):
    """The enterprise submits its rectification with after-photos."""

    def perform(db, hazard, form):
        services.submit_rectification(
            db,
            hazard=hazard,
            actor=current_user,
            measures=form.measures.data,
            responsible_person=form.responsible_person.data,
            funding_yuan=form.funding_yuan.data,
            photos=check_uploads(form.photos.data),
            expected_version=form_version(form),
            uploaded_photo_ids=uploaded_ids(form),
        )
        return _("The rectification has been submitted for re-inspection.")

    return act(hazard_id, "submit_form", detail_form("submit_form"), perform)


@bp.post("/hazards/<id:hazard_id>/plan")
@require(Permission.RECTIFY)
def file_plan(hazard_id: int):
    """The enterprise files its rectification plan (五落实 for a major hazard)."""

    def perform(db, hazard, form):
        draft = plans.PlanDraft(
            **{name: getattr(form, name).data for name in plans.TEXTS},
            funding_yuan=form.funding_yuan.data,
            planned_completion=form.planned_completion.data,
            document=check_upload(form.document.data),
        )
        plans.file_plan(
            db, hazard=hazard, actor=current_user, draft=draft, expected_version=form_version(form)
        )
        return _("The rectification plan has been filed.")

    return act(hazard_id, "plan_form", detail_form("plan_form"), perform)


@bp.post("/hazards/<id:hazard_id>/extension")
@require(Permission.RECTIFY)
def request_extension(hazard_id: int):
    """The enterprise asks for a later deadline."""

    def perform(db, hazard, form):
        extensions.request_extension(
            db,
            hazard=hazard,
            actor=current_user,
            reason=form.reason.data,
            requested_deadline=form.requested_deadline.data,
            expected_version=form_version(form),
        )
        return _("The extension request has been sent.")

    return act(hazard_id, "extension_form", detail_form("extension_form"), perform)
