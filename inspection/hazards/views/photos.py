"""Photos for a step on a hazard's page (the enterprise's report, a re-inspection, a fix on the
spot), uploaded one by one as they are chosen, and taken back before the step is saved."""

from __future__ import annotations

from flask import abort
from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.db import get_session
from inspection.errors import Forbidden
from inspection.evidence.models import PhotoKind
from inspection.evidence.services import discard_pending
from inspection.evidence.uploads import receive_photo
from inspection.evidence.uploads import received
from inspection.evidence.uploads import refused
from inspection.forms import ConfirmForm
from inspection.hazards import lifecycle
from inspection.hazards.views import bp
from inspection.hazards.views.detail import load_hazard
from inspection.web import commit_or_refuse

# The steps that come with photos.
PHOTO_STEPS = {"submit", "accept", "reject", "fix_on_spot"}


@bp.post("/hazards/<id:hazard_id>/photos")
@require(Permission.VIEW_HAZARDS)
def upload_photo(hazard_id: int):
    """Take one photo (already downscaled by the page) for the step the user is filling in."""
    hazard = load_hazard(hazard_id)
    if not ConfirmForm().validate():
        abort(400)
    db = get_session()

    def change():
        if not PHOTO_STEPS & lifecycle.allowed_events(hazard, current_user):
            raise Forbidden(_("No step of this hazard that you may take needs a photo now."))
        return receive_photo(
            db,
            actor=current_user,
            kind=PhotoKind.PENDING,
            enterprise_id=hazard.enterprise_id,
            hazard_id=hazard.id,
            inspection_id=hazard.inspection_id,
        )

    return commit_or_refuse(change, then=received, refused=refused)


@bp.post("/hazards/<id:hazard_id>/photos/<id:upload_id>/remove")
@require(Permission.VIEW_HAZARDS)
def remove_photo(hazard_id: int, upload_id: int):
    """Take back a photo before the step it was for is saved."""
    hazard = load_hazard(hazard_id)
    if not ConfirmForm().validate():
        abort(400)
    return commit_or_refuse(
        lambda: discard_pending(
            get_session(), photo_id=upload_id, hazard_id=hazard.id, actor=current_user
        ),
        then=lambda _none: jsonify(removed=upload_id),
        refused=refused,
    )
