"""Reading accounts, scoped to the parks the administrator works in."""

from __future__ import annotations

from sqlmodel import Session
from sqlmodel import or_
from sqlmodel import select

from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.auth.scope import request_scope


def accounts_of(scope: Scope):
    """The accounts of a scope's parks (staff and enterprises); a bureau's view of the region
    also holds the bureau's own staff."""
    clause = scope.parks(User.park_id)
    if scope.is_region:
        clause = or_(clause, User.region_id == scope.region_id)
    return clause


def visible_users(user: User):
    """A select of the accounts an administrator may see and manage."""
    return select(User).where(accounts_of(request_scope(user)))


def get_user(session: Session, user: User, user_id: int) -> User | None:
    """One account, if the administrator may see it."""
    return session.exec(visible_users(user).where(User.id == user_id)).first()
