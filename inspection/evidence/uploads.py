"""Photos a page uploads one by one as they are taken (photos.js), ahead of the record they are
for: received here the same way for an inspection and for a step on a hazard's page."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from flask import jsonify
from flask import request
from flask import url_for
from flask_babel import gettext as _
from sqlmodel import Session

from inspection import clock
from inspection.auth.models import User
from inspection.errors import DomainError
from inspection.evidence.models import Photo
from inspection.evidence.services import check_uploads
from inspection.evidence.services import keep_photos
from inspection.forms import parse_id


def receive_photo(
    session: Session, *, actor: User, kind: str, enterprise_id: int, **record
) -> Photo:
    """Keep the one photo the request carries, with the capture time and place the device
    reported when the photo itself has none. `record` names what it belongs to (hazard_id,
    inspection_id, answer_id)."""
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        raise DomainError(_("No photo arrived. Take it again."))
    checked = check_uploads([upload])[0]
    (photo,) = keep_photos(
        session, [checked], kind=kind, enterprise_id=enterprise_id, actor=actor, **record
    )
    photo.taken_at = checked.taken_at or _client_time(request.form.get("taken_at"))
    photo.latitude = (
        checked.latitude
        if checked.latitude is not None
        else _coordinate(request.form.get("latitude"), 90)
    )
    photo.longitude = (
        checked.longitude
        if checked.longitude is not None
        else _coordinate(request.form.get("longitude"), 180)
    )
    return photo


def received(photo: Photo):
    """The answer photos.js reads: the photo's id and where its sizes are served."""
    return jsonify(
        id=photo.id,
        thumb=url_for("evidence.photo", photo_id=photo.id, variant="thumb"),
        display=url_for("evidence.photo", photo_id=photo.id, variant="display"),
    )


def refused(error: DomainError):
    """A refusal as photos.js shows it under the photo's tile."""
    return jsonify(error=error.message), error.status


def posted_ids(name: str) -> list[int]:
    """Record ids posted in a repeated form field; anything that is not one is dropped."""
    ids = []
    for raw in request.form.getlist(name):
        try:
            ids.append(parse_id(raw))
        except ValueError:
            continue
    return ids


def _client_time(value: str | None):
    """The capture time the device reported (ISO 8601), if it is sane."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None or moment > clock.now() + timedelta(minutes=5):
        return None
    return moment


def _coordinate(value: str | None, limit: float) -> float | None:
    try:
        number = float(value) if value else None
    except ValueError:
        return None
    return number if number is not None and -limit <= number <= limit else None
