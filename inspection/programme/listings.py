"""挂牌督办重点单位: listing an enterprise at city, county or park level, and 摘牌 (removal),
which needs every covered item closed and a supervisor of that level."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.assignments.models import AssignedCase
from inspection.assignments.models import CaseState
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.scope import is_region_user
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.errors import check_version
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardState
from inspection.i18n import lazy_gettext as _l
from inspection.parks.models import Park
from inspection.programme.models import EnterpriseListing
from inspection.programme.models import ListingItem
from inspection.programme.models import ListingLevel

DONE_HAZARD_STATES = frozenset({HazardState.CLOSED, HazardState.VOIDED})


def list_enterprise(
    session: Session,
    *,
    park: Park,
    actor: User,
    enterprise_id: int,
    level: str,
    body: str,
    reason: str,
    listed_on: date | None,
    deadline: date | None,
    hazard_ids: list[int],
    case_ids: list[int],
) -> EnterpriseListing:
    """Record that a body listed an enterprise for supervision, and what the listing covers."""
    if actor.role != Role.SUPERVISOR:
        raise Forbidden(_("Only a supervisor can list an enterprise for supervision."))
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None or enterprise.park_id != park.id:
        raise DomainError(_("Choose an enterprise of this park."))
    if level not in set(ListingLevel):
        raise DomainError(_("Choose the level of supervision: city, county or park."))
    if not (body or "").strip():
        raise DomainError(_("Name the body that listed the enterprise, e.g. 县安全生产委员会."))
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the listing."))
    if deadline is None:
        raise DomainError(_("Give the deadline by which the listed items must be closed."))
    hazards = session.exec(select(Hazard).where(Hazard.id.in_(hazard_ids or [-1]))).all()
    cases = session.exec(select(AssignedCase).where(AssignedCase.id.in_(case_ids or [-1]))).all()
    if any(h.enterprise_id != enterprise.id for h in hazards) or any(
        c.enterprise_id != enterprise.id for c in cases
    ):
        raise DomainError(_("A listing covers only the hazards and cases of its enterprise."))
    if not hazards and not cases:
        raise DomainError(_("Choose the hazards or cases the listing covers."))
    listing = EnterpriseListing(
        park_id=park.id,
        enterprise_id=enterprise.id,
        level=level,
        body=body.strip()[:128],
        reason=reason.strip(),
        listed_on=listed_on or clock.today(),
        deadline=deadline,
        listed_by_id=actor.id,
    )
    session.add(listing)
    session.flush()
    for hazard in hazards:
        session.add(ListingItem(listing_id=listing.id, hazard_id=hazard.id))
    for case in cases:
        session.add(ListingItem(listing_id=listing.id, case_id=case.id))
    session.flush()
    return listing


def open_items(session: Session, listing: EnterpriseListing) -> list[str]:
    """The numbers of the covered hazards and cases not yet closed."""
    hazards = session.exec(
        select(Hazard.number, Hazard.state)
        .join(ListingItem, ListingItem.hazard_id == Hazard.id)
        .where(ListingItem.listing_id == listing.id)
    ).all()
    cases = session.exec(
        select(AssignedCase.number, AssignedCase.state)
        .join(ListingItem, ListingItem.case_id == AssignedCase.id)
        .where(ListingItem.listing_id == listing.id)
    ).all()
    return [n for n, state in hazards if state not in DONE_HAZARD_STATES] + [
        n for n, state in cases if state != CaseState.CLOSED
    ]


def may_delist(listing: EnterpriseListing, user: User) -> bool:
    """A supervisor of the listing's level: the park's for a park listing, the bureau's for a
    county or city listing."""
    if user.role != Role.SUPERVISOR:
        return False
    if listing.level == ListingLevel.PARK:
        return True
    return is_region_user(user)


def delist(
    session: Session, *, listing: EnterpriseListing, actor: User, comment: str, version: int
) -> EnterpriseListing:
    """摘牌: approve the removal once every covered item is closed."""
    session.refresh(listing, with_for_update=True)
    check_version(listing.version, version)
    if not listing.listed:
        raise DomainError(_("This enterprise has already been removed from the list."))
    if not may_delist(listing, actor):
        raise Forbidden(
            _(
                "Only a supervisor of the county or city bureau can approve removing a"
                " %(level)s listing.",
                level=LEVELS.get(listing.level, listing.level),
            )
        )
    still_open = open_items(session, listing)
    if still_open:
        raise DomainError(
            _(
                "These covered items are not closed yet: %(numbers)s. Remove the listing when"
                " they are.",
                numbers="、".join(still_open[:10]),
            )
        )
    comment = (comment or "").strip()
    if listing.level != ListingLevel.PARK and not comment:
        raise DomainError(_("Record the approval (e.g. the document number) in the comment."))
    listing.delisted_at = clock.now()
    listing.delisted_by_id = actor.id
    listing.delist_comment = comment or None
    listing.version += 1
    session.flush()
    return listing


LEVELS = {
    ListingLevel.CITY: _l("city level"),
    ListingLevel.COUNTY: _l("county level"),
    ListingLevel.PARK: _l("park level"),
}
