"""Reading regions and parks: which parks a user works across, and the park a request is in."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.auth.scope import request_scope
from inspection.auth.scope import scope_of
from inspection.errors import DomainError
from inspection.parks.models import Park
from inspection.parks.models import Region


def parks_in(session: Session, scope: Scope) -> list[Park]:
    """The parks of a scope, by name."""
    return list(session.exec(select(Park).where(scope.parks(Park.id)).order_by(Park.name)))


def home_parks(session: Session, user: User) -> list[Park]:
    """Every park the user works in, whichever one is chosen now (the park switcher's list)."""
    return parks_in(session, scope_of(user))


def working_park(session: Session, user: User) -> Park | None:
    """The one park this request works in: the user's own, or the one a bureau user chose;
    None while a bureau user looks across the whole region."""
    scope = request_scope(user)
    if scope.park_id is None:
        return None
    park = session.get(Park, scope.park_id)
    return park if scope.covers(park) else None


def require_working_park(session: Session, user: User) -> Park:
    """The park this request works in; a bureau user looking across the region is asked to
    choose one first (writes always belong to one park)."""
    park = working_park(session, user)
    if park is None:
        raise DomainError(
            _(
                "This is done in one park. Choose the park at the top of the page (园区), then"
                " try again."
            )
        )
    return park


def region_of(session: Session, user: User) -> Region | None:
    """The region a user works for (a bureau user's, or their park's)."""
    if user.region_id is not None:
        return session.get(Region, user.region_id)
    if user.park_id is not None:
        park = session.get(Park, user.park_id)
        return session.get(Region, park.region_id) if park and park.region_id else None
    return None
