"""Changing a park's workflow settings."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import Session

from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.scope import scope_of
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.parks.models import Park
from inspection.security import services as security
from inspection.security.models import EventKind

# The settings an administrator may change here, and the range each integer one must be in.
WORKFLOW_SETTINGS = {
    "significant_level": None,
    "confirmation_min_people": (1, 15),
    "reviewer_must_differ": None,
    "extension_approver": None,
    "extension_lead_days_major": (0, 120),
    "extension_lead_days_general": (0, 60),
    "extension_decision_days": (1, 60),
    "rectification_max_days": (30, 1095),
}


def update_workflow_settings(session: Session, *, park: Park, actor: User, settings: dict) -> Park:
    """Change how hazards move through their lifecycle in one park."""
    if actor.role != Role.ADMIN or not scope_of(actor).covers(park):
        raise Forbidden(_("Only the park's administrators can change its settings."))
    if settings.get("extension_approver") not in ("supervisor", "inspector"):
        raise DomainError(_("Choose who decides extensions."))
    for name, bounds in WORKFLOW_SETTINGS.items():
        value = settings.get(name)
        if bounds is not None and (value is None or not bounds[0] <= value <= bounds[1]):
            raise DomainError(
                _("Give a whole number from %(low)s to %(high)s.", low=bounds[0], high=bounds[1])
            )
    before = {name: getattr(park, name) for name in WORKFLOW_SETTINGS}
    park.extension_approver = settings["extension_approver"]
    park.significant_level = bool(settings.get("significant_level"))
    park.reviewer_must_differ = bool(settings.get("reviewer_must_differ"))
    for name, bounds in WORKFLOW_SETTINGS.items():
        if bounds is not None:
            setattr(park, name, settings[name])
    changes = security.changes(before, {name: getattr(park, name) for name in WORKFLOW_SETTINGS})
    if changes:
        security.record(
            session,
            kind=EventKind.SETTINGS_CHANGED,
            actor=actor,
            park_id=park.id,
            data={"setting": "workflow_settings", "changes": changes},
        )
    session.flush()
    return park
