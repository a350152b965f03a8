"""The permission vocabulary: what each role may do, and how views and queries ask for it.

Views declare what they need with `@require(Permission.X)`. Queries scope rows with
`auth.scope`, which fails closed: an enterprise user sees its own enterprise only, park staff
their park, bureau staff their region's parks, and a user the rules do not know sees nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import NoReturn

from flask import abort
from flask import request
from flask_login import current_user
from flask_login import login_required

from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.db import get_session
from inspection.security import services as security
from inspection.security.models import EventKind
from inspection.security.models import Outcome


class Permission(StrEnum):
    """Things a user may be allowed to do."""

    MANAGE_USERS = "manage_users"
    MANAGE_ENTERPRISES = "manage_enterprises"
    VIEW_ENTERPRISES = "view_enterprises"
    INSPECT = "inspect"  # carry out inspections, log hazards
    PLAN_INSPECTIONS = "plan_inspections"  # campaigns
    ISSUE_NOTICES = "issue_notices"
    REVIEW_RECTIFICATION = "review_rectification"  # accept or reject (复查/验收)
    RECTIFY = "rectify"  # the enterprise's side: acknowledge, plan, submit evidence
    VIEW_HAZARDS = "view_hazards"
    VIEW_INSPECTIONS = "view_inspections"
    VIEW_DASHBOARD = "view_dashboard"
    VOID_HAZARDS = "void_hazards"
    FOLLOW_UP = "follow_up"  # reassign, remind, refuse (escalate)
    DECIDE_EXTENSIONS = "decide_extensions"  # the park's setting says whose role decides
    SUPERVISE_MAJOR = "supervise_major"  # list for supervision, approve removal, resume
    BULK_ACTIONS = "bulk_actions"
    VIEW_CHECKLISTS = "view_checklists"
    MANAGE_CHECKLISTS = "manage_checklists"
    MANAGE_NOTIFICATIONS = "manage_notifications"  # reminder rules, webhooks, delivery log
    MANAGE_PARK = "manage_park"  # the park's workflow settings
    SUPERVISE_RISK = "supervise_risk"  # risk settings, mandatory grades, warnings
    VIEW_SECURITY_LOG = "view_security_log"  # 安全审计日志


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {
            Permission.MANAGE_USERS,
            Permission.MANAGE_ENTERPRISES,
            Permission.VIEW_ENTERPRISES,
            Permission.MANAGE_CHECKLISTS,
            Permission.MANAGE_NOTIFICATIONS,
            Permission.MANAGE_PARK,
            Permission.VIEW_CHECKLISTS,
            Permission.VIEW_HAZARDS,
            Permission.VIEW_INSPECTIONS,
            Permission.VIEW_DASHBOARD,
            Permission.VIEW_SECURITY_LOG,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Permission.VIEW_SECURITY_LOG,
            Permission.PLAN_INSPECTIONS,
            Permission.VIEW_ENTERPRISES,
            Permission.VIEW_HAZARDS,
            Permission.VIEW_INSPECTIONS,
            Permission.VIEW_DASHBOARD,
            Permission.VOID_HAZARDS,
            Permission.VIEW_CHECKLISTS,
            Permission.FOLLOW_UP,
            Permission.DECIDE_EXTENSIONS,
            Permission.SUPERVISE_MAJOR,
            Permission.SUPERVISE_RISK,
            Permission.BULK_ACTIONS,
        }
    ),
    Role.INSPECTOR: frozenset(
        {
            Permission.VIEW_ENTERPRISES,
            Permission.INSPECT,
            Permission.PLAN_INSPECTIONS,
            Permission.ISSUE_NOTICES,
            Permission.REVIEW_RECTIFICATION,
            Permission.VIEW_HAZARDS,
            Permission.VIEW_INSPECTIONS,
            Permission.VOID_HAZARDS,
            Permission.VIEW_CHECKLISTS,
            Permission.FOLLOW_UP,
            Permission.DECIDE_EXTENSIONS,
            Permission.BULK_ACTIONS,
        }
    ),
    Role.ENTERPRISE: frozenset({Permission.RECTIFY, Permission.VIEW_HAZARDS}),
}


def has_permission(user: User | None, permission: Permission) -> bool:
    """True when an active user's role grants the permission."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return permission in ROLE_PERMISSIONS.get(user.role, frozenset())


def require(permission: Permission) -> Callable:
    """View decorator: log in first, then refuse with 403 unless the role grants `permission`."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not has_permission(current_user, permission):
                refuse(permission)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def refuse(permission: Permission | None = None) -> NoReturn:
    """Log the refusal in the security log, then answer 403."""
    session = get_session()
    session.rollback()
    security.record(
        session,
        kind=EventKind.ACCESS_REFUSED,
        outcome=Outcome.REFUSED,
        actor=current_user if current_user.is_authenticated else None,
        data={
            "method": request.method,
            "path": request.path[:200],
            "needs": str(permission) if permission else None,
        },
    )
    session.commit()
    abort(403)


def is_enterprise_user(user: User) -> bool:
    """True for the users of an enterprise."""
    return user.role == Role.ENTERPRISE
