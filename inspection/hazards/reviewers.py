"""Who may re-inspect a hazard: any active inspector of its park, but not the one who found it
when the park's rule says the re-inspector must be someone else (on by default).

The lifecycle asks `may_review` both when it lists a user's allowed events and when it checks a
decision, so the page never offers a review it would then refuse.
"""

from __future__ import annotations

from sqlalchemy.orm import object_session
from sqlmodel import Session
from sqlmodel import select

from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.hazards.models import Hazard
from inspection.parks.models import Park


def finder_excluded(session: Session | None, hazard: Hazard) -> bool:
    """True when the park's rule keeps the finder from re-inspecting this hazard."""
    park = session.get(Park, hazard.park_id) if session is not None else None
    return park.reviewer_must_differ if park is not None else True


def may_review(hazard: Hazard, user: User) -> bool:
    """May this user, as far as the finder rule goes, re-inspect this hazard?"""
    if user.role != Role.INSPECTOR or user.id != hazard.found_by_id:
        return True
    return not finder_excluded(object_session(hazard), hazard)


def reviewers(session: Session, hazard: Hazard) -> list[User]:
    """The active inspectors of the hazard's park who may re-inspect it, the one who follows
    it up first."""
    people = session.exec(
        select(User)
        .where(
            User.role == Role.INSPECTOR,
            User.active.is_(True),
            Scope(park_id=hazard.park_id).staff(),
        )
        .order_by(User.display_name)
    )
    allowed = [user for user in people if may_review(hazard, user)]
    allowed.sort(key=lambda user: user.id != hazard.assigned_inspector_id)
    return allowed
