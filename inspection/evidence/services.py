"""Keeping photos: store the original once by hash, make the display sizes once, record a row."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import or_
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.errors import DomainError
from inspection.evidence.models import Photo
from inspection.evidence.models import PhotoKind
from inspection.evidence.photos import CheckedPhoto
from inspection.evidence.photos import check_photo
from inspection.evidence.photos import derivative
from inspection.storage import content

VARIANTS = ("display", "thumb")
# A photo uploaded on a hazard's page for a step nobody saved is forgotten after this long.
PENDING_KEPT_FOR = timedelta(days=14)


def check_uploads(files) -> list[CheckedPhoto]:
    """Check every uploaded file before anything is saved; the first bad one stops them all."""
    config = current_app.config
    checked = []
    for upload in files or ():
        if upload is None or not upload.filename:
            continue
        checked.append(
            check_photo(
                upload.read(),
                upload.filename,
                max_bytes=config["PHOTO_MAX_BYTES"],
                max_pixels=config["PHOTO_MAX_PIXELS"],
            )
        )
    return checked


def keep_photos(
    session: Session,
    photos: list[CheckedPhoto],
    *,
    kind: str,
    enterprise_id: int,
    actor: User,
    hazard_id: int | None = None,
    inspection_id: int | None = None,
    event_id: int | None = None,
    answer_id: int | None = None,
) -> list[Photo]:
    """Store checked photos and record them against their record."""
    store = content()
    sizes = {
        "display": current_app.config["PHOTO_DISPLAY_SIZE"],
        "thumb": current_app.config["PHOTO_THUMB_SIZE"],
    }
    rows = []
    for photo in photos:
        sha256 = store.put(photo.data)
        for variant in VARIANTS:
            if not store.exists(sha256, variant):
                store.put_variant(sha256, variant, derivative(photo.data, sizes[variant]))
        row = Photo(
            sha256=sha256,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            size_bytes=len(photo.data),
            kind=kind,
            enterprise_id=enterprise_id,
            inspection_id=inspection_id,
            hazard_id=hazard_id,
            event_id=event_id,
            answer_id=answer_id,
            original_name=photo.filename or None,
            taken_at=photo.taken_at,
            latitude=photo.latitude,
            longitude=photo.longitude,
            uploaded_by_id=actor.id,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def _uploaded_ahead(
    photo_ids: list[int], *, actor: User, inspection_id: int | None, hazard_id: int | None
):
    """The condition for this user's photos uploaded ahead that nothing has claimed yet: taken
    during the inspection (no hazard's, no answer's), or on the hazard's page (pending)."""
    ahead = []
    if inspection_id is not None:
        ahead.append(
            and_(
                Photo.inspection_id == inspection_id,
                Photo.hazard_id.is_(None),
                Photo.answer_id.is_(None),
            )
        )
    if hazard_id is not None:
        ahead.append(and_(Photo.hazard_id == hazard_id, Photo.kind == PhotoKind.PENDING))
    return and_(Photo.id.in_(photo_ids), Photo.uploaded_by_id == actor.id, or_(false(), *ahead))


def claim_uploads(
    session: Session,
    photo_ids: list[int],
    *,
    inspection_id: int | None,
    actor: User,
    hazard_id: int,
    event_id: int | None,
    kind: str | None = None,
) -> list[Photo]:
    """Attach photos uploaded ahead (downscaled in the browser) to the step they were for.

    Only this user's photos that belong to nothing else yet qualify: of this inspection, or
    uploaded on this hazard's page.
    """
    if not photo_ids:
        return []
    photos = list(
        session.exec(
            select(Photo).where(
                _uploaded_ahead(
                    photo_ids, actor=actor, inspection_id=inspection_id, hazard_id=hazard_id
                )
            )
        )
    )
    if len(photos) != len(set(photo_ids)):
        raise DomainError(
            _("Some of the photos could not be found any more. Take them again and save.")
        )
    for photo in photos:
        photo.hazard_id = hazard_id
        photo.event_id = event_id
        if kind:
            photo.kind = kind
        elif photo.kind == PhotoKind.PENDING:
            photo.kind = PhotoKind.BEFORE
    session.flush()
    return photos


def unclaimed_uploads(
    session: Session,
    photo_ids: list[int],
    *,
    actor: User,
    inspection_id: int | None = None,
    hazard_id: int | None = None,
) -> list[int]:
    """Of these photo ids, the ones this user uploaded ahead (in this inspection, or on this
    hazard's page) that nothing has claimed yet."""
    if not photo_ids:
        return []
    return list(
        session.exec(
            select(Photo.id).where(
                _uploaded_ahead(
                    photo_ids, actor=actor, inspection_id=inspection_id, hazard_id=hazard_id
                )
            )
        )
    )


def discard_upload(session: Session, *, photo_id: int, inspection, actor: User) -> None:
    """Take back a photo uploaded during an inspection before the hazard it was for is saved.

    Only the uploader's own photo of this inspection that no hazard has claimed qualifies; a
    completed inspection keeps its photos. The stored file stays (it is kept by hash).
    """
    photo = session.exec(
        select(Photo).where(
            Photo.id == photo_id,
            Photo.inspection_id == inspection.id,
            Photo.uploaded_by_id == actor.id,
            Photo.hazard_id.is_(None),
        )
    ).first()
    if photo is None:
        raise DomainError(_("This photo cannot be removed any more: it is already saved."))
    if inspection.status == "completed":
        raise DomainError(_("This inspection is completed; its photos are kept."))
    session.delete(photo)
    session.flush()


def discard_pending(session: Session, *, photo_id: int, hazard_id: int, actor: User) -> None:
    """Take back a photo uploaded on a hazard's page before the step it was for is saved."""
    photo = session.exec(
        select(Photo).where(
            _uploaded_ahead([photo_id], actor=actor, inspection_id=None, hazard_id=hazard_id)
        )
    ).first()
    if photo is None:
        raise DomainError(_("This photo cannot be removed any more: it is already saved."))
    session.delete(photo)
    session.flush()


def forget_pending(session: Session) -> int:
    """Forget photos uploaded on a hazard's page for a step that was never saved, two weeks
    on: they were shown nowhere and can no longer be claimed. As when one is taken back, the
    row goes and the stored bytes stay (stored once by hash, they may be another photo's too).
    Returns how many were forgotten."""
    stale = list(
        session.exec(
            select(Photo).where(
                Photo.kind == PhotoKind.PENDING,
                Photo.uploaded_at < clock.now() - PENDING_KEPT_FOR,
            )
        )
    )
    for photo in stale:
        session.delete(photo)
    session.flush()
    return len(stale)
