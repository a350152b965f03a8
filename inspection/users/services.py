"""Changing accounts: details, role and workplace, enabling and disabling. Each change is
written to the security log with who made it, whose account it was and what it was before and
after; services flush, the caller commits."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import Session

from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.scope import scope_of
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.errors import check_version
from inspection.parks.models import Park
from inspection.parks.models import Region
from inspection.security import services as security
from inspection.security.models import EventKind

# The details an administrator may edit, in the order the log lists them.
DETAILS = (
    "display_name",
    "email",
    "phone",
    "organisation",
    "third_party",
    "enforcement_certificate",
)


def update_user(
    session: Session,
    user: User,
    *,
    expected_version: int,
    display_name: str,
    email: str | None,
    phone: str | None,
    organisation: str | None,
    third_party: bool,
    enforcement_certificate: str | None,
    actor: User | None = None,
) -> User:
    """Change a user's details, refusing a stale edit; the log keeps each field's old and new
    value."""
    check_version(user.version, expected_version)
    before = {name: getattr(user, name) for name in DETAILS}
    user.display_name = display_name.strip() or user.username
    user.email = email or None
    user.phone = phone or None
    user.organisation = organisation or None
    user.third_party = third_party
    user.enforcement_certificate = enforcement_certificate or None
    changes = security.changes(before, {name: getattr(user, name) for name in DETAILS})
    if changes:
        user.version += 1
        security.record_about_user(
            session,
            EventKind.USER_CHANGED,
            user,
            actor,
            {"fields": sorted(changes), "changes": changes},
        )
    session.flush()
    return user


def set_active(session: Session, user: User, *, active: bool, actor: User) -> None:
    """Enable or disable an account (an admin cannot disable themself)."""
    if user.id == actor.id and not active:
        raise DomainError(_("You cannot disable your own account."))
    if user.active == active:
        return
    user.active = active
    user.version += 1
    security.record_about_user(
        session,
        EventKind.USER_ACTIVATION,
        user,
        actor,
        {"active": active, "changes": {"active": [not active, active]}},
    )
    session.flush()


def workplace_name(session: Session, park_id: int | None, region_id: int | None) -> str | None:
    """Where an account works, in words: its park, or its region's bureau."""
    if park_id is not None:
        park = session.get(Park, park_id)
        return park.name if park else None
    if region_id is not None:
        region = session.get(Region, region_id)
        return _("The bureau of %(region)s", region=region.name) if region else None
    return None


def _enterprise_name(session: Session, enterprise_id: int | None) -> str | None:
    enterprise = session.get(Enterprise, enterprise_id) if enterprise_id else None
    return enterprise.name if enterprise else None


def _check_workplace(actor: User, park: Park | None, region_id: int | None) -> None:
    """The new workplace must be one the administrator looks after."""
    scope = scope_of(actor)
    if park is not None and scope.covers(park):
        return
    if park is None and scope.is_region and region_id == scope.region_id:
        return
    raise DomainError(_("Choose a park you administer."))


def change_assignment(
    session: Session,
    user: User,
    *,
    expected_version: int,
    role: Role,
    actor: User,
    enterprise_id: int | None = None,
    park_id: int | None = None,
    region_id: int | None = None,
) -> dict:
    """Change an account's role and where it works: an enterprise user's park is its
    enterprise's; staff work in one park or in the region's bureau. Administrators cannot
    change their own (another administrator must). Returns the changes as {field: [old, new]}."""
    check_version(user.version, expected_version)
    if user.id == actor.id:
        raise DomainError(
            _("You cannot change your own role or workplace. Ask another administrator.")
        )
    if role == Role.ENTERPRISE:
        enterprise = session.get(Enterprise, enterprise_id) if enterprise_id else None
        if enterprise is None:
            raise DomainError(_("Choose the enterprise this user works for."))
        park_id, region_id = enterprise.park_id, None
    else:
        enterprise_id = None
        if (park_id is None) == (region_id is None):
            raise DomainError(
                _("Choose where the user works: one park, or the region's bureau (all its parks).")
            )
    park = session.get(Park, park_id) if park_id is not None else None
    _check_workplace(actor, park, region_id)
    before = {
        "role": user.role,
        "workplace": workplace_name(session, user.park_id, user.region_id),
        "enterprise": _enterprise_name(session, user.enterprise_id),
        "park_id": user.park_id,
        "region_id": user.region_id,
        "enterprise_id": user.enterprise_id,
    }
    user.role = str(role)
    user.enterprise_id = enterprise_id
    user.park_id, user.region_id = park_id, region_id
    after = {
        "role": user.role,
        "workplace": workplace_name(session, park_id, region_id),
        "enterprise": _enterprise_name(session, enterprise_id),
        "park_id": park_id,
        "region_id": region_id,
        "enterprise_id": enterprise_id,
    }
    changes = security.changes(before, after)
    if changes:
        user.version += 1
        security.record_about_user(
            session, EventKind.USER_CHANGED, user, actor, {"changes": changes}
        )
        if (before["park_id"], before["region_id"]) != (park_id, region_id):
            # The park the account leaves keeps the entry too: its administrators see it go.
            security.record(
                session,
                kind=EventKind.USER_CHANGED,
                actor=actor,
                park_id=before["park_id"],
                region_id=before["region_id"],
                data={"user": user.username, "user_id": user.id, "changes": changes},
            )
    session.flush()
    return changes
