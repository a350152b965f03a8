"""The append-only audit trail: each hazard event carries the hash of the one before it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session
from sqlmodel import select

from inspection.auth.models import User
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent

GENESIS = "0" * 64


def canonical_json(data: dict) -> str:
    """JSON that is the same text for the same data, whatever the key order."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(event: HazardEvent) -> str:
    """The hash over everything an event says, including the previous event's hash."""
    payload = {
        "hazard_id": event.hazard_id,
        "seq": event.seq,
        "event": event.event,
        "from": event.from_state,
        "to": event.to_state,
        "actor_id": event.actor_id,
        "at": event.at.isoformat(timespec="microseconds"),
        "comment": event.comment,
        "data": json.loads(event.data),
        "prev": event.prev_hash,
    }
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


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
    last = session.exec(
        select(HazardEvent)
        .where(HazardEvent.hazard_id == hazard.id)
        .order_by(HazardEvent.seq.desc())
        .limit(1)
    ).first()
    record = HazardEvent(
        hazard_id=hazard.id,
        seq=(last.seq + 1) if last else 1,
        event=event,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor.id if actor else None,
        at=at,
        comment=comment,
        data=canonical_json(data),
        prev_hash=last.hash if last else GENESIS,
        hash="",
    )
    record.hash = event_hash(record)
    session.add(record)
    session.flush()
    return record


@dataclass
class BrokenLink:
    """An event whose stored hash or link does not match what the chain says."""

    event_id: int
    hazard_id: int
    seq: int
    reason: str


def verify_chain(session: Session, *, batch: int = 5000) -> list[BrokenLink]:
    """Recompute every hazard's chain and report each event that does not fit."""
    problems: list[BrokenLink] = []
    previous: HazardEvent | None = None
    offset = 0
    while True:
        rows = session.exec(
            select(HazardEvent)
            .order_by(HazardEvent.hazard_id, HazardEvent.seq)
            .offset(offset)
            .limit(batch)
        ).all()
        if not rows:
            return problems
        for event in rows:
            first = previous is None or previous.hazard_id != event.hazard_id
            expected_prev = GENESIS if first else previous.hash
            expected_seq = 1 if first else previous.seq + 1
            if event.seq != expected_seq:
                problems.append(
                    BrokenLink(event.id, event.hazard_id, event.seq, "sequence gap (event missing)")
                )
            if event.prev_hash != expected_prev:
                problems.append(
                    BrokenLink(
                        event.id, event.hazard_id, event.seq, "link to previous event broken"
                    )
                )
            try:
                recomputed = event_hash(event)
            except (ValueError, TypeError):
                recomputed = ""
            if recomputed != event.hash:
                problems.append(BrokenLink(event.id, event.hazard_id, event.seq, "content altered"))
            previous = event
        offset += batch
