"""Hash chains for append-only records (the hazard history, the security log).

Each record carries the hash of its predecessor in the same chain and a hash over its own
content, so altering, removing or inserting a record breaks the chain where it happened.
A chain may start after an archived stretch: it then continues from the archive's last
sequence number and hash (its anchor) instead of from the beginning.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from sqlmodel import Session
from sqlmodel import select

GENESIS = "0" * 64


def canonical_json(data: dict) -> str:
    """JSON that is the same text for the same data, whatever the key order."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(payload: dict) -> str:
    """The SHA-256 of a payload's canonical JSON."""
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


class Link(Protocol):
    """What a chained record has: its id, its place in its chain and the two hashes."""

    id: int | None
    seq: int
    prev_hash: str
    hash: str


@dataclass
class BrokenLink:
    """A record whose stored hash or link does not match what the chain says."""

    record_id: int
    chain: Hashable
    seq: int
    reason: str


def broken_links(
    records: Iterable[Link],
    *,
    chain_of: Callable[[Link], Hashable],
    hash_of: Callable[[Link], str],
    anchor: Callable[[Hashable], tuple[int, str]] = lambda _chain: (0, GENESIS),
) -> Iterator[BrokenLink]:
    """Walk records ordered by chain then sequence and name every one that does not fit:
    a gap in the sequence, a broken link to the previous record, or altered content."""
    previous: Link | None = None
    previous_chain: Hashable = None
    for record in records:
        chain = chain_of(record)
        if previous is None or previous_chain != chain:
            last_seq, last_hash = anchor(chain)
        else:
            last_seq, last_hash = previous.seq, previous.hash
        if record.seq != last_seq + 1:
            yield BrokenLink(record.id, chain, record.seq, "sequence gap (record missing)")
        if record.prev_hash != last_hash:
            yield BrokenLink(record.id, chain, record.seq, "link to previous record broken")
        try:
            recomputed = hash_of(record)
        except (ValueError, TypeError):
            recomputed = ""
        if recomputed != record.hash:
            yield BrokenLink(record.id, chain, record.seq, "content altered")
        previous, previous_chain = record, chain


def batched(fetch: Callable[[int, int], list], *, batch: int = 5000) -> Iterator:
    """Rows from `fetch(offset, limit)`, a batch at a time, until it returns none."""
    offset = 0
    while rows := fetch(offset, batch):
        yield from rows
        offset += batch


def append_link(session: Session, model, chain_column, chain_id, *, hash_of, **fields):
    """Write the next record of one chain (the caller holds the chain owner's row lock): its
    place after the chain's last record, that record's hash, and its own hash over it all."""
    last = session.exec(
        select(model).where(chain_column == chain_id).order_by(model.seq.desc()).limit(1)
    ).first()
    record = model(
        seq=(last.seq + 1) if last else 1,
        prev_hash=last.hash if last else GENESIS,
        hash="",
        **fields,
    )
    record.hash = hash_of(record)
    session.add(record)
    session.flush()
    return record


def step_payload(event) -> dict:
    """What a step of a record's history says (the hazard's, an assigned case's), for its
    hash; the caller adds the owner's id under its own key."""
    return {
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
