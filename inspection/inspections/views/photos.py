"""Photos taken during an inspection, uploaded one by one as they are taken."""

from __future__ import annotations

from flask import abort
from flask import jsonify
from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.db import get_session
from inspection.errors import DomainError
from inspection.evidence.services import discard_upload
from inspection.evidence.uploads import receive_photo
from inspection.evidence.uploads import received
from inspection.evidence.uploads import refused as json_refusal
from inspection.forms import ConfirmForm
from inspection.forms import parse_id
from inspection.inspections import answers
from inspection.inspections import services
from inspection.inspections.models import InspectionInspector
from inspection.inspections.views import bp
from inspection.inspections.views.visit import load_inspection
from inspection.web import commit_or_refuse


@bp.post("/inspections/<id:inspection_id>/photos")
@require(Permission.INSPECT)
def upload_photo(inspection_id: int):
    """Take one photo (already downscaled by the page) for a hazard being logged or an item."""
    db = get_session()
    inspection = load_inspection(inspection_id)
    if not ConfirmForm().validate():
        abort(400)

    def change():
        if db.get(InspectionInspector, (inspection.id, current_user.id)) is None:
            raise DomainError(_("You are not on this inspection's team."))
        if inspection.status == "completed":
            raise DomainError(_("This inspection is completed; no photos can be added."))
        answer_id = None
        kind = "before"
        item_id = request.form.get("item_id", "")
        if item_id:
            try:
                item = answers.item_of(db, inspection, parse_id(item_id))
            except ValueError as error:
                raise DomainError(_("No photo arrived. Take it again.")) from error
            answer_id = answers.answer_for_photo(
                db, inspection=inspection, item=item, actor=current_user
            ).id
            kind = "inspection"
        photo = receive_photo(
            db,
            actor=current_user,
            kind=kind,
            enterprise_id=inspection.enterprise_id,
            inspection_id=inspection.id,
            answer_id=answer_id,
        )
        services.ensure_started(inspection)
        return photo

    return commit_or_refuse(change, then=received, refused=json_refusal)


@bp.post("/inspections/<id:inspection_id>/photos/<id:upload_id>/remove")
@require(Permission.INSPECT)
def remove_photo(inspection_id: int, upload_id: int):
    """Take back a photo before the hazard or answer it was for is saved."""
    inspection = load_inspection(inspection_id)
    if not ConfirmForm().validate():
        abort(400)
    return commit_or_refuse(
        lambda: discard_upload(
            get_session(), photo_id=upload_id, inspection=inspection, actor=current_user
        ),
        then=lambda _none: jsonify(removed=upload_id),
        refused=json_refusal,
    )
