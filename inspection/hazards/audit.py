"""The append-only audit trail: each hazard event carries the hash of the one before it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session
from sqlmodel import select

from inspection.auth.models import User
from inspection.chain import BrokenLink
from inspection.chain import append_link
from inspection.chain import batched
from inspection.chain import broken_links
from inspection.chain import canonical_json
from inspection.chain import digest
from inspection.chain import step_payload
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent


def event_hash(event: HazardEvent) -> str:
    """The hash over everything an event says, including the previous event's hash."""
    return digest({"hazard_id": event.hazard_id, **step_payload(event)})


def append_event(
    session: Session,
    hazard: Hazard,
    *,
    event: str,
    from_state: str | None,
    to_state: str,
    actor: User | None,
    comment: str | None,
    data: dict,
    at: datetime,
) -> HazardEvent:
    """Write the next event of a hazard (the caller holds the hazard's row lock)."""
    return append_link(
        session,
        HazardEvent,
        HazardEvent.hazard_id,
        hazard.id,
        hash_of=event_hash,
        hazard_id=hazard.id,
        event=event,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor.id if actor else None,
        at=at,
        comment=comment,
        data=canonical_json(data),
    )


def verify_chain(session: Session, *, batch: int = 5000) -> list[BrokenLink]:
    """Recompute every hazard's chain and report each event that does not fit (the chain of
    a problem is the hazard's id)."""
    events = batched(
        lambda offset, limit: session.exec(
            select(HazardEvent)
            .order_by(HazardEvent.hazard_id, HazardEvent.seq)
            .offset(offset)
            .limit(limit)
        ).all(),
        batch=batch,
    )
    return list(broken_links(events, chain_of=lambda e: e.hazard_id, hash_of=event_hash))
