"""The hazards a national export holds: those of the user's parks found or changed in the
period, with what their records need from other tables, read in a few queries."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta

from sqlmodel import Session
from sqlmodel import func
from sqlmodel import or_
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.auth.scope import request_scope
from inspection.enterprises.models import Enterprise
from inspection.evidence.models import Photo
from inspection.evidence.models import PhotoKind
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.hazards.models import Notice
from inspection.inspections.models import Inspection
from inspection.national.periods import ExportPeriod


@dataclass
class Facts:
    """One hazard and what its national record needs besides it."""

    hazard: Hazard
    enterprise: Enterprise
    names: dict[int, str]
    # The user who made the latest change (updateBy).
    updated_by: str | None
    # The enforcement document number (执法编号) when the inspection was an enforcement one.
    enforcement_id: str | None
    # (sha256, content type) of the first photo before and after rectification.
    photos: dict[str, tuple[str, str]] = field(default_factory=dict)


def hazards_of(session: Session, user: User, period: ExportPeriod) -> list[Facts]:
    """The hazards in the user's scope found or changed in the period, oldest first. Staff
    only: an enterprise user's scope gives nothing here."""
    scope = request_scope(user)
    if scope.enterprise_id is not None or scope.nothing:
        return []
    start = clock.start_of_local_day(period.start)
    end = clock.start_of_local_day(period.end + timedelta(days=1))
    in_period = or_(
        (Hazard.found_at >= start) & (Hazard.found_at < end),
        (Hazard.updated_at >= start) & (Hazard.updated_at < end),
    )
    rows = session.exec(
        select(Hazard, Enterprise)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(scope.rows(Hazard.park_id, Hazard.enterprise_id), in_period)
        .order_by(Hazard.found_at, Hazard.id)
    ).all()
    if not rows:
        return []
    ids = [hazard.id for hazard, _enterprise in rows]
    names = _names(session, rows)
    latest = _latest_actors(session, ids)
    enforcement = _enforcement_numbers(session, ids)
    photos = _first_photos(session, ids)
    return [
        Facts(
            hazard=hazard,
            enterprise=enterprise,
            names=names,
            updated_by=names.get(latest.get(hazard.id)),
            enforcement_id=enforcement.get(hazard.id),
            photos=photos.get(hazard.id, {}),
        )
        for hazard, enterprise in rows
    ]


def _names(session: Session, rows) -> dict[int, str]:
    ids: set[int] = set()
    for hazard, _enterprise in rows:
        ids.update(
            i
            for i in (hazard.found_by_id, hazard.reviewed_by_id, hazard.closed_by_id)
            if i is not None
        )
    found = session.exec(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    return dict(found)


def _latest_actors(session: Session, ids: list[int]) -> dict[int, int]:
    last = (
        select(HazardEvent.hazard_id, func.max(HazardEvent.seq).label("seq"))
        .where(HazardEvent.hazard_id.in_(ids))
        .group_by(HazardEvent.hazard_id)
        .subquery()
    )
    rows = session.exec(
        select(HazardEvent.hazard_id, HazardEvent.actor_id).join(
            last, (last.c.hazard_id == HazardEvent.hazard_id) & (last.c.seq == HazardEvent.seq)
        )
    ).all()
    return {hazard_id: actor_id for hazard_id, actor_id in rows if actor_id is not None}


def _enforcement_numbers(session: Session, ids: list[int]) -> dict[int, str]:
    rows = session.exec(
        select(Hazard.id, Notice.number)
        .join(Notice, Notice.id == Hazard.notice_id)
        .join(Inspection, Inspection.id == Hazard.inspection_id)
        .where(Hazard.id.in_(ids), Inspection.enforcement.is_(True))
    ).all()
    return dict(rows)


def _first_photos(session: Session, ids: list[int]) -> dict[int, dict[str, tuple[str, str]]]:
    photos: dict[int, dict[str, tuple[str, str]]] = {}
    rows = session.exec(
        select(Photo.hazard_id, Photo.kind, Photo.sha256, Photo.content_type)
        .where(Photo.hazard_id.in_(ids), Photo.kind.in_((PhotoKind.BEFORE, PhotoKind.AFTER)))
        .order_by(Photo.id)
    ).all()
    for hazard_id, kind, sha256, content_type in rows:
        photos.setdefault(hazard_id, {}).setdefault(kind, (sha256, content_type))
    return photos
