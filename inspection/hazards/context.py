"""Small lookups the hazard services share."""

from __future__ import annotations

from sqlmodel import Session

from inspection.enterprises.models import Enterprise
from inspection.hazards.models import Hazard
from inspection.parks.models import Park


def lock(session: Session, hazard: Hazard) -> Hazard:
    """Re-read a hazard under a row lock so concurrent decisions queue up behind each other."""
    session.refresh(hazard, with_for_update=True)
    return hazard


def park_of(session: Session, hazard: Hazard) -> Park:
    """The park a hazard's enterprise belongs to (its workflow settings)."""
    enterprise = session.get(Enterprise, hazard.enterprise_id)
    return session.get(Park, enterprise.park_id)


def hazard_params(session: Session, hazard: Hazard, **extra: object) -> dict:
    """The usual wording parameters of a notification about a hazard."""
    enterprise = session.get(Enterprise, hazard.enterprise_id)
    return {
        "hazard": hazard.number,
        "title": hazard.title,
        "enterprise": enterprise.name,
        "deadline": hazard.deadline.isoformat() if hazard.deadline else "",
        **extra,
    }


def hazard_link(hazard: Hazard) -> str:
    """The hazard's page, as a path (services run without a request, e.g. in the scheduler)."""
    return f"/hazards/{hazard.id}"


def notice_link(notice_id: int) -> str:
    """A notice's page, as a path."""
    return f"/notices/{notice_id}"
