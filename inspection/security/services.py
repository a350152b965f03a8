"""Writing to the security log: each event is appended to its chain in the caller's
transaction (the caller commits), so an event and the change it records stand or fall together."""

from __future__ import annotations

import json

from flask import has_request_context
from flask import request
from flask_babel import gettext as _
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from inspection import clock
from inspection.chain import GENESIS
from inspection.chain import canonical_json
from inspection.chain import digest
from inspection.errors import DomainError
from inspection.security.models import EventKind
from inspection.security.models import Outcome
from inspection.security.models import SecurityChain
from inspection.security.models import SecurityEvent

SITE = "site"


def chain_of(park_id: int | None, region_id: int | None) -> str:
    """The chain an event joins: its park's, its region's (the bureau's), or the site's."""
    if park_id is not None:
        return f"park:{park_id}"
    if region_id is not None:
        return f"region:{region_id}"
    return SITE


def event_hash(event: SecurityEvent) -> str:
    """The hash over everything an event says, including the previous event's hash."""
    return digest(
        {
            "chain": event.chain,
            "seq": event.seq,
            "at": event.at.isoformat(timespec="microseconds"),
            "kind": event.kind,
            "outcome": event.outcome,
            "actor_id": event.actor_id,
            "username": event.username,
            "park_id": event.park_id,
            "region_id": event.region_id,
            "ip": event.ip,
            "user_agent": event.user_agent,
            "data": json.loads(event.data),
            "prev": event.prev_hash,
        }
    )


def client_address() -> str | None:
    """The address the request came from (the proxy's X-Forwarded-For is trusted only where
    the deployment says so, through ProxyFix)."""
    if not has_request_context():
        return None
    return (request.remote_addr or "")[:45] or None


def _take_next(session: Session, chain: str) -> tuple[int, str]:
    """Reserve the chain's next sequence number, returning it and the previous hash. The
    UPDATE comes first so that concurrent writers wait for each other's commit."""
    for _attempt in range(3):
        moved = session.execute(
            update(SecurityChain)
            .where(SecurityChain.chain == chain)
            .values(seq=SecurityChain.seq + 1)
        )
        if moved.rowcount:
            seq, last_hash = session.execute(
                select(SecurityChain.seq, SecurityChain.hash).where(SecurityChain.chain == chain)
            ).one()
            return seq, last_hash
        try:
            with session.begin_nested():
                session.execute(insert(SecurityChain).values(chain=chain, seq=1, hash=GENESIS))
            return 1, GENESIS
        except IntegrityError:
            continue  # another writer started the chain at the same moment
    raise RuntimeError(f"could not extend the security log's chain {chain}")


def changes(before: dict, after: dict) -> dict[str, list]:
    """What changed, as the log keeps it: each key whose value differs, with [before, after]
    (a key on one side only counts as changed from or to nothing)."""
    keys = [*after, *(key for key in before if key not in after)]
    return {
        key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)
    }


def record(
    session: Session,
    *,
    kind: EventKind,
    outcome: Outcome = Outcome.OK,
    actor=None,
    username: str | None = None,
    park_id: int | None = None,
    region_id: int | None = None,
    data: dict | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> SecurityEvent:
    """Append an event; who, where and from which address default to the actor and request."""
    if actor is not None:
        username = username or actor.username
        if park_id is None and region_id is None:
            park_id, region_id = actor.park_id, actor.region_id
    if park_id is not None:
        region_id = None
    chain = chain_of(park_id, region_id)
    seq, prev_hash = _take_next(session, chain)
    if user_agent is None and has_request_context():
        user_agent = request.headers.get("User-Agent", "")
    event = SecurityEvent(
        chain=chain,
        seq=seq,
        at=clock.now(),
        kind=kind,
        outcome=outcome,
        actor_id=actor.id if actor is not None else None,
        username=(username or None) and username[:64],
        park_id=park_id,
        region_id=region_id,
        ip=ip or client_address(),
        user_agent=(user_agent or "")[:255] or None,
        data=canonical_json(data or {}),
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = event_hash(event)
    session.add(event)
    session.execute(
        update(SecurityChain).where(SecurityChain.chain == chain).values(hash=event.hash)
    )
    session.flush()
    return event


def record_about_user(session: Session, kind: EventKind, user, actor, data: dict) -> SecurityEvent:
    """Log an event about the account `user` done by `actor` (who and whom), in the park or
    region the account works in."""
    return record(
        session,
        kind=kind,
        actor=actor,
        park_id=user.park_id,
        region_id=user.region_id,
        data={"user": user.username, "user_id": user.id, **data},
    )


def record_download(
    session: Session,
    *,
    actor,
    what: str,
    park_id: int | None = None,
    kind: EventKind = EventKind.DOWNLOAD,
    **details,
) -> SecurityEvent:
    """Record an export or a document download: what, and with which filters or which record.
    A bureau user's download of one park's document belongs to that park."""
    return record(
        session,
        kind=kind,
        actor=actor,
        park_id=park_id if park_id is not None else actor.park_id,
        region_id=None if park_id is not None or actor.park_id else actor.region_id,
        data={"what": what, **{k: v for k, v in details.items() if v not in (None, "", [], {})}},
    )


def change_password_policy(session: Session, *, park, min_length: int, actor) -> None:
    """Set a park's shortest allowed password (8 to 64 characters)."""
    if not 8 <= min_length <= 64:
        raise DomainError(_("Choose a length between 8 and 64 characters."))
    old = park.password_min_length
    park.password_min_length = min_length
    record(
        session,
        kind=EventKind.SETTINGS_CHANGED,
        actor=actor,
        park_id=park.id,
        data={"setting": "password_min_length", "old": old, "new": min_length},
    )
    session.flush()
