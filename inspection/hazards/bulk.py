"""Bulk work: one action on many hazards, each judged on its own, with a summary."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date

from sqlmodel import Session

from inspection.auth.models import User
from inspection.errors import DomainError
from inspection.hazards import extensions
from inspection.hazards import followup
from inspection.hazards.models import Hazard

ACTIONS = ("remind", "reassign", "extend")


@dataclass
class BulkReport:
    """What a bulk action changed and what it refused, hazard by hazard."""

    action: str
    changed: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def run(
    session: Session,
    *,
    hazards: list[Hazard],
    actor: User,
    action: str,
    inspector: User | None = None,
    new_deadline: date | None = None,
    reason: str | None = None,
) -> BulkReport:
    """Apply `action` to each hazard in its own savepoint: a refusal leaves the others alone."""
    if action not in ACTIONS:
        raise DomainError(f"unknown bulk action {action}")
    report = BulkReport(action)
    for hazard in hazards:
        try:
            with session.begin_nested():
                if action == "remind":
                    followup.remind(session, hazard=hazard, actor=actor)
                elif action == "reassign":
                    followup.reassign(session, hazard=hazard, actor=actor, inspector=inspector)
                else:
                    extensions.extend_directly(
                        session,
                        hazard=hazard,
                        actor=actor,
                        new_deadline=new_deadline,
                        reason=reason or "",
                    )
        except DomainError as refused:
            report.refused.append((hazard.number, refused.message))
        else:
            report.changed.append(hazard.number)
    return report
