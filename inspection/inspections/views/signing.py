"""The end of a visit: signatures on the screen, their images, completing the record."""

from __future__ import annotations

from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.db import get_session
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.forms import ConfirmForm
from inspection.forms import parse_id
from inspection.inspections import answers
from inspection.inspections import queries
from inspection.inspections import services
from inspection.inspections import signatures
from inspection.inspections.forms import CompleteForm
from inspection.inspections.models import Signature
from inspection.inspections.views import bp
from inspection.inspections.views.visit import checklist_rows
from inspection.inspections.views.visit import load_inspection
from inspection.storage.content import content_key
from inspection.storage.serving import send_stored
from inspection.web import commit_or_refuse


@bp.post("/inspections/<id:inspection_id>/complete")
@require(Permission.INSPECT)
def complete(inspection_id: int):
    """Complete and lock the record once everyone has signed."""
    db = get_session()
    inspection = load_inspection(inspection_id)
    form = CompleteForm()
    if not form.validate():
        abort(400)
    return commit_or_refuse(
        lambda: services.complete_inspection(
            db, inspection=inspection, actor=current_user, summary=form.summary.data
        ),
        then=url_for("inspections.detail", inspection_id=inspection_id),
        message=_("The inspection is completed and its record is locked."),
        refused=url_for("inspections.sign", inspection_id=inspection_id),
    )


@bp.get("/inspections/<id:inspection_id>/sign")
@require(Permission.VIEW_INSPECTIONS)
def sign(inspection_id: int):
    """The end of the visit: the inspectors and the enterprise's representative sign."""
    return _render_sign(load_inspection(inspection_id))


def _render_sign(inspection, status: int = 200, error: str | None = None):
    db = get_session()
    recorded = signatures.signatures_of(db, inspection.id)
    by_user = {sig.user_id: sig for sig in recorded if sig.role == "inspector"}
    members = [member for member, _lead in queries.team(db, inspection.id)]
    on_team = any(member.id == current_user.id for member in members)
    return render_template(
        "inspections/sign.html",
        inspection=inspection,
        enterprise=db.get(Enterprise, inspection.enterprise_id),
        checklists=checklist_rows(db, inspection, answers.versions_of(db, inspection.id)),
        hazards=queries.hazards_of(db, inspection.id),
        inspector_slots=[(member, by_user.get(member.id)) for member in members],
        enterprise_signature=next((sig for sig in recorded if sig.role == "enterprise"), None),
        missing=services.missing_signatures(db, inspection),
        missing_photos=services.missing_photos(db, inspection)
        if inspection.status != "completed"
        else [],
        can_sign=on_team
        and has_permission(current_user, Permission.INSPECT)
        and inspection.status != "completed",
        complete_form=CompleteForm(formdata=None),
        error=error,
    ), status


@bp.post("/inspections/<id:inspection_id>/signatures")
@require(Permission.INSPECT)
def add_signature(inspection_id: int):
    """Keep one signature drawn on the screen."""
    db = get_session()
    inspection = load_inspection(inspection_id)
    if not ConfirmForm().validate():
        abort(400)

    def change():
        raw_user = request.form.get("user_id", "")
        try:
            signer_user_id = parse_id(raw_user) if raw_user else None
        except ValueError as error:
            raise DomainError(_("Choose who is signing.")) from error
        return signatures.sign(
            db,
            inspection=inspection,
            actor=current_user,
            role=request.form.get("role", ""),
            signer_user_id=signer_user_id,
            signer_name=request.form.get("signer_name"),
            image=signatures.decode_signature(request.form.get("signature", "")),
        )

    return commit_or_refuse(
        change,
        then=url_for("inspections.sign", inspection_id=inspection_id),
        message=_("The signature has been saved."),
        refused=lambda refused: _render_sign(
            load_inspection(inspection_id), refused.status, refused.message
        ),
    )


@bp.get("/signatures/<id:signature_id>.png")
@require(Permission.VIEW_INSPECTIONS)
def signature_image(signature_id: int):
    """A signature's image, for those who may see its inspection."""
    db = get_session()
    signature = db.get(Signature, signature_id) or abort(404)
    load_inspection(signature.inspection_id)
    return send_stored(
        content_key(signature.sha256), mimetype="image/png", max_age=3600, etag=signature.sha256
    )
