"""Keeping the security log whole: verifying its chains, and archiving entries past the
retention period to files (never deleting them silently)."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete
from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.chain import GENESIS
from inspection.chain import BrokenLink
from inspection.chain import batched
from inspection.chain import broken_links
from inspection.security.models import SecurityArchive
from inspection.security.models import SecurityChain
from inspection.security.models import SecurityEvent
from inspection.security.services import event_hash

# The law asks for network logs to be kept at least six months (网络安全法 第二十一条).
MIN_RETENTION_DAYS = 180


def _anchors(session: Session) -> dict[str, tuple[int, str]]:
    """Each chain's last archived link: where its stored events go on from."""
    anchors: dict[str, tuple[int, str]] = {}
    for archive in session.exec(select(SecurityArchive).order_by(SecurityArchive.last_seq)):
        anchors[archive.chain] = (archive.last_seq, archive.last_hash)
    return anchors


def verify_log(session: Session, *, archive_dir: Path | None = None) -> list[BrokenLink]:
    """Recompute every chain of the security log and name each event that does not fit, a
    chain whose latest events are gone, and an archive file that was changed or removed."""
    anchors = _anchors(session)
    events = batched(
        lambda offset, limit: session.exec(
            select(SecurityEvent)
            .order_by(SecurityEvent.chain, SecurityEvent.seq)
            .offset(offset)
            .limit(limit)
        ).all()
    )
    problems = list(
        broken_links(
            events,
            chain_of=lambda e: e.chain,
            hash_of=event_hash,
            anchor=lambda chain: anchors.get(chain, (0, GENESIS)),
        )
    )
    last = dict(
        session.execute(
            select(SecurityEvent.chain, func.max(SecurityEvent.seq)).group_by(SecurityEvent.chain)
        ).all()
    )
    for head in session.exec(select(SecurityChain)):
        stored = last.get(head.chain, anchors.get(head.chain, (0, GENESIS))[0])
        if stored != head.seq:
            problems.append(
                BrokenLink(0, head.chain, head.seq, "latest records missing from the end")
            )
    if archive_dir is not None:
        for archive in session.exec(select(SecurityArchive)):
            path = archive_dir / archive.file
            if not path.is_file() or _sha256(path) != archive.sha256:
                problems.append(
                    BrokenLink(
                        0, archive.chain, archive.last_seq, "archive file changed or missing"
                    )
                )
    return problems


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 16):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Archived:
    """What one archiving run did."""

    events: int
    files: list[str]
    skipped: list[str]  # chains left alone because their old stretch does not verify


def _as_record(event: SecurityEvent) -> dict:
    row = event.model_dump()
    row["at"] = event.at.isoformat(timespec="microseconds")
    return row


def archive_before(session: Session, *, before: datetime, directory: Path) -> Archived:
    """Move each chain's events older than `before` into a gzip JSON-lines file and record
    where its chain goes on from. A stretch that does not verify is left in place."""
    directory.mkdir(parents=True, exist_ok=True)
    anchors = _anchors(session)
    ends = session.execute(
        select(SecurityEvent.chain, func.max(SecurityEvent.seq))
        .where(SecurityEvent.at < before)
        .group_by(SecurityEvent.chain)
    ).all()
    result = Archived(0, [], [])
    for chain, last_seq in ends:
        events = session.exec(
            select(SecurityEvent)
            .where(SecurityEvent.chain == chain, SecurityEvent.seq <= last_seq)
            .order_by(SecurityEvent.seq)
        ).all()
        anchor = anchors.get(chain, (0, GENESIS))
        if list(
            broken_links(
                events,
                chain_of=lambda e: e.chain,
                hash_of=event_hash,
                anchor=lambda _c, a=anchor: a,
            )
        ):
            result.skipped.append(chain)
            continue
        name = f"{chain.replace(':', '-')}-{events[0].seq}-{last_seq}.jsonl.gz"
        path = directory / name
        with gzip.open(path, "wt", encoding="utf-8") as out:
            for event in events:
                out.write(json.dumps(_as_record(event), ensure_ascii=False) + "\n")
        session.add(
            SecurityArchive(
                chain=chain,
                first_seq=events[0].seq,
                last_seq=last_seq,
                last_hash=events[-1].hash,
                count=len(events),
                before=before,
                file=name,
                sha256=_sha256(path),
                created_at=clock.now(),
            )
        )
        session.execute(
            delete(SecurityEvent).where(SecurityEvent.chain == chain, SecurityEvent.seq <= last_seq)
        )
        result.events += len(events)
        result.files.append(name)
    session.flush()
    return result


def retention_cutoff(days: int) -> datetime:
    """The moment before which entries are archived; never less than six months back."""
    return clock.now() - timedelta(days=max(days, MIN_RETENTION_DAYS))


def archive_old(session: Session) -> Archived:
    """Archive by the app's settings (the command and the scheduler's job)."""
    return archive_before(
        session,
        before=retention_cutoff(current_app.config["SECURITY_LOG_RETENTION_DAYS"]),
        directory=Path(current_app.config["SECURITY_ARCHIVE_DIR"]),
    )
