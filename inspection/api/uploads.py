"""Photos sent from a device in pieces, so a dropped connection resumes instead of restarting.

The device announces a photo (its id, size and SHA-256), then sends byte ranges. Each piece is
kept in the storage as one object, `partial/<id>/<first byte>`, so any app server can take the
next piece (objects cannot be appended to); the database row says how many bytes arrived. When
the last piece is in, the pieces are joined, checked against the hash and as an image, and kept
as a photo of the inspection with the device's id, ready for the hazard or answer that names it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select
from sqlmodel import update

from inspection import clock
from inspection.api import schemas
from inspection.api.in_hand import inspection_in_hand
from inspection.api.models import PhotoUpload
from inspection.auth.models import User
from inspection.errors import Conflict
from inspection.errors import DomainError
from inspection.errors import NotFound
from inspection.evidence.models import Photo
from inspection.evidence.models import PhotoKind
from inspection.evidence.photos import check_photo
from inspection.evidence.services import keep_photos
from inspection.inspections.models import Inspection
from inspection.storage import storage

# The pattern the OpenAPI document gives the Content-Range header: what does not match is a 400;
# a range that matches but does not fit the announced photo is a 409 that says where to resume.
CONTENT_RANGE_PATTERN = r"^bytes ([0-9]{1,9})-([0-9]{1,9})/([0-9]{1,9})$"
CONTENT_RANGE = re.compile(CONTENT_RANGE_PATTERN)


class OutOfOrder(Conflict):
    """A piece that does not start where the bytes so far end; the device resumes from there."""

    code = "out_of_order"

    def __init__(self, upload: PhotoUpload) -> None:
        super().__init__(
            _(
                "This piece does not follow the %(received)s bytes already received. Send from"
                " byte %(received)s.",
                received=upload.received,
            ),
            field="Content-Range",
        )
        self.upload = upload


class PieceMismatch(Conflict):
    """A piece whose range does not fit the announced photo; the device resumes from `received`."""

    code = "refused"

    def __init__(self, upload: PhotoUpload, message: str, field: str = "Content-Range") -> None:
        super().__init__(message, field=field)
        self.upload = upload


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range
    total: int


def parse_content_range(header: str | None) -> ByteRange:
    """The byte range a piece claims to be, from its Content-Range header."""
    match = CONTENT_RANGE.match(header or "")
    if match is None:
        raise DomainError(
            _("Each piece needs a Content-Range header such as “bytes 0-262143/1048576”."),
            field="Content-Range",
        )
    start, end, total = (int(part) for part in match.groups())
    return ByteRange(start, end, total)


def _pieces_prefix(photo_uuid: str) -> str:
    return f"partial/{photo_uuid}/"


def _pieces(photo_uuid: str) -> list[tuple[str, int]]:
    """The stored pieces that follow on from byte 0 without a gap: (key, size) in order. A piece
    stored by a request whose transaction then failed is overwritten when sent again."""
    stored = {}
    for item in storage().list(_pieces_prefix(photo_uuid)):
        start = item.key.rsplit("/", 1)[1]
        if start.isdigit():
            stored[int(start)] = item
    chain, offset = [], 0
    while offset in stored and stored[offset].size > 0:
        chain.append((stored[offset].key, stored[offset].size))
        offset += stored[offset].size
    return chain


def start_upload(session: Session, user: User, spec: schemas.UploadStart) -> PhotoUpload:
    """Announce a photo, or learn how far an earlier announcement of it got."""
    photo_uuid = str(spec.id)
    upload = session.get(PhotoUpload, photo_uuid)
    if upload is not None:
        if upload.user_id != user.id or upload.size != spec.size or upload.sha256 != spec.sha256:
            raise Conflict(
                _("Another photo already uses this id. Take the photo again."), field="id"
            )
        return upload
    if session.exec(select(Photo.id).where(Photo.uuid == photo_uuid)).first() is not None:
        raise Conflict(_("Another photo already uses this id. Take the photo again."), field="id")
    if spec.size > current_app.config["PHOTO_MAX_BYTES"]:
        raise DomainError(
            _(
                "A photo may be at most %(limit)s MB. Take it again at a lower resolution.",
                limit=current_app.config["PHOTO_MAX_BYTES"] // (1024 * 1024),
            ),
            field="size",
        )
    inspection = inspection_in_hand(session, user, spec.inspection)
    upload = PhotoUpload(
        photo_uuid=photo_uuid,
        user_id=user.id,
        inspection_id=inspection.id,
        size=spec.size,
        sha256=spec.sha256,
        filename=spec.filename,
        taken_at=spec.taken_at if spec.taken_at and spec.taken_at.tzinfo else None,
        latitude=spec.latitude,
        longitude=spec.longitude,
    )
    session.add(upload)
    session.flush()
    return upload


def upload_of(session: Session, user: User, photo_uuid: str, *, lock: bool = False) -> PhotoUpload:
    """The user's own upload by its id; locked against a second writer when asked."""
    if lock:
        # An UPDATE takes the write lock on SQLite and the row lock on PostgreSQL alike.
        session.exec(
            update(PhotoUpload)
            .where(PhotoUpload.photo_uuid == photo_uuid, PhotoUpload.user_id == user.id)
            .values(updated_at=clock.now())
        )
    upload = session.get(PhotoUpload, photo_uuid, populate_existing=True)
    if upload is None or upload.user_id != user.id:
        raise NotFound(
            _("No photo with this id was announced. Announce it first."), field="photo_id"
        )
    return upload


def receive_piece(
    session: Session, user: User, photo_uuid: str, piece: ByteRange, data: bytes
) -> PhotoUpload:
    """Add one piece; the last one turns the upload into a kept photo."""
    upload = upload_of(session, user, photo_uuid, lock=True)
    if upload.photo_id is not None:
        return upload
    if piece.end < piece.start or piece.end >= piece.total:
        raise PieceMismatch(
            upload, _("The Content-Range header does not describe a piece of the photo.")
        )
    if piece.total != upload.size:
        raise PieceMismatch(
            upload,
            _(
                "The photo was announced with %(size)s bytes, not %(total)s.",
                size=upload.size,
                total=piece.total,
            ),
        )
    if len(data) != piece.end - piece.start + 1:
        raise PieceMismatch(
            upload, _("The piece is not as long as its Content-Range header says."), "body"
        )
    pieces = _pieces(photo_uuid)
    stored = sum(size for _key, size in pieces)
    if stored < upload.received:
        # The stored pieces are the truth (a crash, or a clean-up, lost some): resume from them.
        upload.received = stored
    if piece.end < upload.received:
        return upload  # a piece sent again after its answer was lost: already here
    if piece.start != upload.received:
        raise OutOfOrder(upload)
    key = f"{_pieces_prefix(photo_uuid)}{piece.start:012d}"
    storage().put(key, data)
    upload.received = piece.end + 1
    upload.updated_at = clock.now()
    if upload.received == upload.size:
        whole = b"".join(storage().get(k) for k, _size in _pieces_before(pieces, piece.start))
        _keep(session, user, upload, whole + data)
    session.flush()
    return upload


def _keep(session: Session, user: User, upload: PhotoUpload, data: bytes) -> None:
    if hashlib.sha256(data).hexdigest() != upload.sha256:
        upload.received = 0
        session.flush()
        discard_partial(upload.photo_uuid)
        raise DamagedUpload(
            _("The photo arrived damaged (its checksum does not match). It is being sent again."),
            field="body",
        )
    inspection = inspection_in_hand(session, user, upload.inspection_id)
    checked = check_photo(
        data,
        upload.filename or "",
        max_bytes=current_app.config["PHOTO_MAX_BYTES"],
        max_pixels=current_app.config["PHOTO_MAX_PIXELS"],
    )
    (photo,) = keep_photos(
        session,
        [checked],
        kind=PhotoKind.INSPECTION,
        enterprise_id=inspection.enterprise_id,
        actor=user,
        inspection_id=inspection.id,
    )
    photo.uuid = upload.photo_uuid
    photo.taken_at = checked.taken_at or upload.taken_at
    if checked.latitude is None and upload.latitude is not None:
        photo.latitude, photo.longitude = upload.latitude, upload.longitude
    session.flush()
    upload.photo_id = photo.id


class DamagedUpload(DomainError):
    """The bytes do not match the announced hash; the device starts the photo over."""

    status = 409
    code = "damaged"


ABANDONED_AFTER = timedelta(days=14)


def forget_abandoned(session: Session) -> int:
    """Drop uploads that stopped halfway more than two weeks ago, with their bytes so far."""
    stale = list(
        session.exec(
            select(PhotoUpload).where(
                PhotoUpload.photo_id.is_(None),
                PhotoUpload.updated_at < clock.now() - ABANDONED_AFTER,
            )
        )
    )
    for upload in stale:
        session.delete(upload)
    session.flush()
    for upload in stale:
        discard_partial(upload.photo_uuid)
    return len(stale)


def _pieces_before(pieces: list[tuple[str, int]], end: int) -> list[tuple[str, int]]:
    """The pieces that make up bytes 0 to `end`, leaving out any stored beyond it."""
    kept, offset = [], 0
    for key, size in pieces:
        if offset + size > end:
            break
        kept.append((key, size))
        offset += size
    return kept


def discard_partial(photo_uuid: str) -> None:
    """Remove the pieces of a finished or refused upload."""
    backend = storage()
    for item in list(backend.list(_pieces_prefix(photo_uuid))):
        backend.delete(item.key)


def photos_by_uuid(
    session: Session, user: User, inspection: Inspection, uuids: list[str]
) -> list[Photo]:
    """The kept photos a record names, in its order; missing ones mean the record must wait."""
    if not uuids:
        return []
    found = {
        photo.uuid: photo for photo in session.exec(select(Photo).where(Photo.uuid.in_(uuids)))
    }
    if any(
        photo.inspection_id != inspection.id or photo.uploaded_by_id != user.id
        for photo in found.values()
    ):
        raise DomainError(
            _("A photo this record names belongs to another inspection. Take the photo again."),
            field="photos",
        )
    missing = [uuid for uuid in uuids if uuid not in found]
    if missing:
        raise PhotosMissing(len(missing))
    return [found[uuid] for uuid in dict.fromkeys(uuids)]


class PhotosMissing(Exception):
    """A record names photos that have not fully arrived yet."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count
