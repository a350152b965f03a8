"""Serving photos, only to users who may see the record they belong to."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask_login import current_user
from flask_login import login_required

from inspection.db import get_session
from inspection.evidence import queries
from inspection.storage.content import content_key
from inspection.storage.serving import send_stored

bp = Blueprint("evidence", __name__)

VARIANTS = {"thumb", "display", "original"}


@bp.get("/photos/<id:photo_id>/<variant>")
@login_required
def photo(photo_id: int, variant: str):
    """Send one size of a photo."""
    if variant not in VARIANTS:
        abort(404)
    found = queries.get_photo(get_session(), current_user, photo_id) or abort(404)
    mimetype = found.content_type if variant == "original" else "image/jpeg"
    return send_stored(
        content_key(found.sha256, variant),
        mimetype=mimetype,
        etag=f"{found.sha256}-{variant}",
        max_age=86400,
    )


@bp.get("/documents/<id:document_id>")
@login_required
def document(document_id: int):
    """Download a document (e.g. a rectification plan) of a hazard the user may see."""
    found = queries.get_document(get_session(), current_user, document_id) or abort(404)
    return send_stored(
        content_key(found.sha256),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=found.filename,
        etag=found.sha256,
        max_age=3600,
    )
