"""Documents (the rectification plan, reports): checked by their content, stored by hash."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlmodel import Session

from inspection.auth.models import User
from inspection.errors import DomainError
from inspection.evidence.models import Document
from inspection.evidence.photos import ACCEPTED_FORMATS
from inspection.evidence.photos import PhotoRejected
from inspection.evidence.photos import check_photo
from inspection.storage import content

OFFICE_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class DocumentRejected(DomainError):
    """A file that is not an acceptable document."""

    status = 422
    code = "document_refused"


@dataclass
class CheckedDocument:
    """A document that passed the checks."""

    data: bytes
    filename: str
    content_type: str


def check_document(data: bytes, filename: str) -> CheckedDocument:
    """Accept a PDF, a Word or Excel file, or a photo; the content decides, not the name."""
    name = filename or _("the file")
    limit = current_app.config["DOCUMENT_MAX_BYTES"]
    if not data:
        raise DocumentRejected(_("%(name)s is empty. Choose the file again.", name=name))
    if len(data) > limit:
        raise DocumentRejected(
            _(
                "%(name)s is larger than %(limit)s MB. Save it smaller (e.g. as PDF) and try"
                " again.",
                name=name,
                limit=limit // (1024 * 1024),
            )
        )
    if data.startswith(b"%PDF-"):
        return CheckedDocument(data, filename[:255], "application/pdf")
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            names = []
        if "[Content_Types].xml" in names:
            for prefix, content_type in OFFICE_TYPES.items():
                if any(n.startswith(prefix) for n in names):
                    return CheckedDocument(data, filename[:255], content_type)
    try:
        photo = check_photo(
            data,
            filename,
            max_bytes=limit,
            max_pixels=current_app.config["PHOTO_MAX_PIXELS"],
        )
    except PhotoRejected:
        pass
    else:
        if photo.content_type in ACCEPTED_FORMATS.values():
            return CheckedDocument(data, filename[:255], photo.content_type)
    raise DocumentRejected(
        _(
            "%(name)s is not a PDF, Word or Excel file or a photo (its content was checked, not"
            " its name). Save the plan as PDF and upload that.",
            name=name,
        )
    )


def check_upload(upload) -> CheckedDocument | None:
    """Check an uploaded file field; None when nothing was chosen."""
    if upload is None or not getattr(upload, "filename", ""):
        return None
    return check_document(upload.read(), upload.filename)


def keep_document(
    session: Session,
    document: CheckedDocument,
    *,
    kind: str,
    enterprise_id: int,
    actor: User,
    hazard_id: int | None = None,
    event_id: int | None = None,
) -> Document:
    """Store a checked document once by hash and record it."""
    row = Document(
        sha256=content().put(document.data),
        content_type=document.content_type,
        size_bytes=len(document.data),
        filename=document.filename or "document",
        kind=kind,
        enterprise_id=enterprise_id,
        hazard_id=hazard_id,
        event_id=event_id,
        uploaded_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    return row
