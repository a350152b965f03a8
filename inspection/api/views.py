"""The sync API: who am I, the offline package, records from the device, photos in pieces."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from pydantic import BaseModel
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from inspection import clock
from inspection.api import openapi
from inspection.api import package
from inspection.api import schemas
from inspection.api import sync
from inspection.api import uploads
from inspection.api.models import PhotoUpload
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.db import get_session
from inspection.errors import DomainError
from inspection.errors import problem
from inspection.evidence.photos import PhotoRejected
from inspection.security import services as security
from inspection.security.models import EventKind
from inspection.web import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The token is checked in `api_require`, after the login: a device whose login ran out hears
# 401 (log in again), not a complaint about the token that came with the old login.
csrf.exempt(bp)


def api_require(permission: Permission | None = None) -> Callable:
    """401 for a device whose login ran out, then 400 for a write without its CSRF token (as for
    every form), then 403 for a role without the permission; only then is the request read."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                message = _(
                    "Your login has run out. Log in again; what is waiting on this device is"
                    " kept and will be sent afterwards."
                )
                # The session cookie is what is missing or no longer valid.
                fields = [{"field": "session", "message": message}]
                return problem(401, "not_logged_in", _("Not logged in"), message, fields=fields)
            if current_app.config.get("WTF_CSRF_ENABLED", True):
                csrf.protect()  # only for writes (WTF_CSRF_METHODS); CSRFError answers 400
            if permission is not None and not has_permission(current_user, permission):
                return problem(
                    403, "forbidden", _("Not allowed"), _("Only inspectors can sync inspections.")
                )
            return view(*args, **kwargs)

        return wrapped

    return decorator


M = TypeVar("M", bound=BaseModel)


def _body(model: type[M]) -> M:
    """The request's JSON body checked against `model`; a ValidationError becomes a 422."""
    return model.model_validate_json(request.get_data(cache=False) or b"")


@bp.errorhandler(ValidationError)
def invalid(error: ValidationError):
    """Say which fields were wrong and why."""
    fields = [
        {
            "field": ".".join(str(part) for part in problem["loc"]) or "body",
            "message": problem["msg"],
        }
        for problem in error.errors(include_url=False, include_input=False)
    ]
    return problem(
        422,
        "invalid_request",
        _("The request was not carried out"),
        _("Some fields were missing or wrong; nothing was changed."),
        fields=fields,
    )


def _json(model: BaseModel, status: int = 200):
    return model.model_dump(mode="json"), status


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI document describing this API."""
    return jsonify(openapi.document())


@bp.get("/session")
@api_require()
def session_info():
    """Who is logged in, with a fresh token for writes (a device may be offline for hours)."""
    return _json(
        schemas.Me(
            id=current_user.id,
            name=current_user.display_name,
            role=current_user.role,
            csrf_token=generate_csrf(),
            server_time=clock.now(),
        )
    )


@bp.get("/field/package")
@api_require(Permission.INSPECT)
def field_package():
    """Everything the day's inspections need offline."""
    return _json(package.build_package(get_session(), current_user))


@bp.post("/sync")
@api_require(Permission.INSPECT)
def sync_records():
    """Apply the device's records in order; answer for each (accepted, rejected, retry)."""
    batch = _body(schemas.Batch)
    db = get_session()
    results = sync.apply_batch(db, current_user, batch)
    security.record(
        db,
        kind=EventKind.API_SYNC,
        actor=current_user,
        data={
            "device": batch.device,
            "records": len(results),
            "results": dict(Counter(r.outcome for r in results)),
        },
    )
    db.commit()
    return _json(schemas.BatchResult(results=results))


def _state(upload: PhotoUpload) -> schemas.UploadState:
    return schemas.UploadState(
        id=upload.photo_uuid,
        size=upload.size,
        received=upload.received,
        complete=upload.photo_id is not None,
        thumb=url_for("evidence.photo", photo_id=upload.photo_id, variant="thumb")
        if upload.photo_id
        else None,
    )


@bp.post("/photos")
@api_require(Permission.INSPECT)
def start_photo():
    """Announce a photo (201), or learn how much of an announced one has arrived (200)."""
    spec = _body(schemas.UploadStart)
    db = get_session()
    known = db.get(PhotoUpload, str(spec.id)) is not None
    try:
        upload = uploads.start_upload(db, current_user, spec)
        db.commit()
    except IntegrityError:
        # The same photo was announced by another request at the same moment.
        db.rollback()
        known = True
        upload = uploads.start_upload(db, current_user, spec)
    return _json(_state(upload), 200 if known else 201)


@bp.get("/photos/<uuid:photo_id>")
@api_require(Permission.INSPECT)
def photo_state(photo_id: UUID):
    """How much of an announced photo has arrived."""
    return _json(_state(uploads.upload_of(get_session(), current_user, str(photo_id))))


def _refusal(status: int, refused: DomainError, title: str, field: str | None = None, **extra):
    """A piece refused: its code, what to do, and the input it is about (header or bytes)."""
    fields = [{"field": field or refused.field or "body", "message": refused.message}]
    return problem(status, refused.code, title, refused.message, fields=fields, **extra)


@bp.put("/photos/<uuid:photo_id>/content")
@api_require(Permission.INSPECT)
def photo_piece(photo_id: UUID):
    """One piece of a photo's bytes; a piece out of order answers 409 with where to resume."""
    piece = uploads.parse_content_range(request.headers.get("Content-Range"))
    db = get_session()
    try:
        upload = uploads.receive_piece(
            db, current_user, str(photo_id), piece, request.get_data(cache=False)
        )
    except (uploads.OutOfOrder, uploads.PieceMismatch) as refused:
        state = _state(refused.upload)
        db.rollback()
        title = _("Out of order") if isinstance(refused, uploads.OutOfOrder) else _("Refused")
        return _refusal(409, refused, title, **state.model_dump(mode="json"))
    except uploads.DamagedUpload as refused:
        db.commit()  # keeps the reset to zero bytes: the device sends the photo again
        return _refusal(409, refused, _("Damaged"), received=0)
    except PhotoRejected as refused:
        db.rollback()
        db.delete(db.get(PhotoUpload, str(photo_id)))
        db.commit()
        uploads.discard_partial(str(photo_id))
        return _refusal(422, refused, _("The photo was refused"), field="body")
    db.commit()
    if upload.photo_id is not None:
        uploads.discard_partial(upload.photo_uuid)
    return _json(_state(upload))
