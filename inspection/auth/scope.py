"""Which rows a user may see: the one rule behind every list, lookup, export, file, API call,
report and scheduler job.

A scope is a park (park staff, an enterprise's users, a bureau user looking into one park), or
every park of a region (bureau staff), narrowed to one enterprise for an enterprise's users.
Queries ask it for a WHERE clause over a table's `park_id` (and `enterprise_id`) columns; a
user the rules do not know gets a scope that matches nothing, so a forgotten case fails closed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context
from flask import session as web_session
from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true

from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.parks.models import Park

# The key under which a bureau user's chosen park is kept in the session cookie.
CHOSEN_PARK = "park_id"


@dataclass(frozen=True)
class Scope:
    """The parks (and, for an enterprise's users, the enterprise) whose rows may be seen."""

    park_id: int | None = None
    region_id: int | None = None
    enterprise_id: int | None = None
    # Every park: only the scheduler's own jobs and commands, never a person.
    everything: bool = False

    @property
    def nothing(self) -> bool:
        """True when no row at all may be seen."""
        return not self.everything and self.park_id is None and self.region_id is None

    @property
    def is_region(self) -> bool:
        """True for a bureau user's view across the region's parks (no single park chosen)."""
        return self.region_id is not None and self.park_id is None

    def parks(self, park_column) -> ColumnElement[bool]:
        """The rows of `park_column` in scope."""
        if self.everything:
            return true()
        clauses = []
        if self.park_id is not None:
            clauses.append(park_column == self.park_id)
        if self.region_id is not None:
            clauses.append(park_column.in_(self.region_park_ids()))
        return and_(*clauses) if clauses else false()

    def rows(self, park_column, enterprise_column=None) -> ColumnElement[bool]:
        """The rows in scope of a table with a park column (and an enterprise column, which an
        enterprise user's scope needs: rows without one are never an enterprise's)."""
        clause = self.parks(park_column)
        if self.enterprise_id is not None:
            if enterprise_column is None:
                return false()
            clause = and_(clause, enterprise_column == self.enterprise_id)
        return clause

    def staff(self) -> ColumnElement[bool]:
        """The users who work in the scope's parks: their own staff and the region's bureau."""
        if self.everything:
            return true()
        if self.nothing:
            return false()
        if self.park_id is not None:
            region = select(Park.region_id).where(Park.id == self.park_id).scalar_subquery()
            return or_(User.park_id == self.park_id, User.region_id == region)
        return or_(User.park_id.in_(self.region_park_ids()), User.region_id == self.region_id)

    def region_park_ids(self):
        """A subquery of the ids of the region's parks."""
        return select(Park.id).where(Park.region_id == self.region_id).scalar_subquery()

    def covers(self, park: Park | None, enterprise_id: int | None = None) -> bool:
        """The same rule for one loaded row: is this park (and enterprise) in scope?"""
        if park is None:
            return False
        if self.enterprise_id is not None and enterprise_id != self.enterprise_id:
            return False
        if self.everything:
            return True
        if self.park_id is not None and park.id != self.park_id:
            return False
        if self.region_id is not None and park.region_id != self.region_id:
            return False
        return not self.nothing


EVERYTHING = Scope(everything=True)
NOTHING = Scope()


def scope_of(user: User | None, chosen_park_id: int | None = None) -> Scope:
    """What `user` may see; a bureau user may narrow it to one chosen park of the region."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return NOTHING
    if user.role == Role.ENTERPRISE:
        if user.enterprise_id is None or user.park_id is None:
            return NOTHING
        return Scope(park_id=user.park_id, enterprise_id=user.enterprise_id)
    if user.role not in (Role.ADMIN, Role.SUPERVISOR, Role.INSPECTOR):
        return NOTHING
    if user.park_id is not None:
        return Scope(park_id=user.park_id)
    if user.region_id is not None:
        return Scope(region_id=user.region_id, park_id=chosen_park_id)
    return NOTHING


def request_scope(user: User | None) -> Scope:
    """The scope of `user` in this request: a bureau user's chosen park is in the session."""
    chosen = None
    if has_request_context() and user is not None and getattr(user, "region_id", None):
        value = web_session.get(CHOSEN_PARK)
        chosen = value if isinstance(value, int) else None
    return scope_of(user, chosen)


def is_region_user(user: User) -> bool:
    """True for bureau staff, who work across the region's parks."""
    return user.region_id is not None and user.park_id is None
