"""Which photos a user may see: exactly those of the records they may see."""

from __future__ import annotations

from sqlmodel import Session
from sqlmodel import select

from inspection.auth.models import User
from inspection.evidence.models import Document
from inspection.evidence.models import Photo
from inspection.evidence.models import PhotoKind
from inspection.hazards import queries as hazard_queries
from inspection.inspections import queries as inspection_queries


def get_photo(session: Session, user: User, photo_id: int) -> Photo | None:
    """A photo, if the user may see the record it belongs to."""
    photo = session.get(Photo, photo_id)
    if photo is None:
        return None
    if photo.hazard_id is not None:
        visible = hazard_queries.get_hazard(session, user, photo.hazard_id)
    elif photo.inspection_id is not None:
        # An answer's photo, or one uploaded ahead of its hazard: the inspection's staff only.
        visible = inspection_queries.get_inspection(session, user, photo.inspection_id)
    else:
        visible = None
    return photo if visible is not None else None


def photos_of_hazard(session: Session, hazard_id: int) -> dict[str, list[Photo]]:
    """A hazard's photos grouped by kind, oldest first (not those uploaded for a step not saved
    yet)."""
    grouped: dict[str, list[Photo]] = {}
    for photo in session.exec(
        select(Photo)
        .where(Photo.hazard_id == hazard_id, Photo.kind != PhotoKind.PENDING)
        .order_by(Photo.id)
    ):
        grouped.setdefault(photo.kind, []).append(photo)
    return grouped


def photos_by_event(session: Session, hazard_id: int) -> dict[int, list[Photo]]:
    """A hazard's photos keyed by the history event they came with."""
    grouped: dict[int, list[Photo]] = {}
    for photo in session.exec(
        select(Photo).where(Photo.hazard_id == hazard_id, Photo.event_id.is_not(None))
    ):
        grouped.setdefault(photo.event_id, []).append(photo)
    return grouped


def documents_by_event(session: Session, hazard_id: int) -> dict[int, list[Document]]:
    """A hazard's documents keyed by the history event they came with."""
    grouped: dict[int, list[Document]] = {}
    for document in session.exec(
        select(Document).where(Document.hazard_id == hazard_id, Document.event_id.is_not(None))
    ):
        grouped.setdefault(document.event_id, []).append(document)
    return grouped


def get_document(session: Session, user: User, document_id: int) -> Document | None:
    """A document, if the user may see the hazard it belongs to."""
    document = session.get(Document, document_id)
    if document is None or document.hazard_id is None:
        return None
    if hazard_queries.get_hazard(session, user, document.hazard_id) is None:
        return None
    return document


def photos_by_answer(session: Session, answer_ids: list[int]) -> dict[int, list[Photo]]:
    """Photos taken for checklist answers, keyed by answer."""
    grouped: dict[int, list[Photo]] = {}
    if not answer_ids:
        return grouped
    for photo in session.exec(
        select(Photo).where(Photo.answer_id.in_(answer_ids)).order_by(Photo.id)
    ):
        grouped.setdefault(photo.answer_id, []).append(photo)
    return grouped
