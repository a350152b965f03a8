"""Reading batches and cases, scoped to what the user may see; the public posting page's own
narrow reads; the figures by source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.assignments.models import AssignedCase
from inspection.assignments.models import AssignmentBatch
from inspection.assignments.models import CaseEvent
from inspection.assignments.models import CaseEvidence
from inspection.assignments.models import CaseState
from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.auth.scope import request_scope
from inspection.enterprises.models import Enterprise


def visible_cases(user: User):
    """A select of the cases the user may see: an enterprise's users see its own cases only,
    never another's nor the park's own."""
    scope = request_scope(user)
    return select(AssignedCase).where(scope.rows(AssignedCase.park_id, AssignedCase.enterprise_id))


def get_case(session: Session, user: User, case_id: int) -> AssignedCase | None:
    """One case, if the user may see it."""
    return session.exec(visible_cases(user).where(AssignedCase.id == case_id)).first()


def visible_batches(user: User):
    """A select of the batches of the staff's parks (an enterprise's users see none)."""
    return select(AssignmentBatch).where(request_scope(user).rows(AssignmentBatch.park_id))


def get_batch(session: Session, user: User, batch_id: int) -> AssignmentBatch | None:
    """One batch, if it is of the user's parks."""
    return session.exec(visible_batches(user).where(AssignmentBatch.id == batch_id)).first()


def history(session: Session, case_id: int) -> list[tuple[CaseEvent, list[CaseEvidence]]]:
    """A case's steps in order, each with the files it kept."""
    files: dict[int | None, list[CaseEvidence]] = {}
    for row in session.exec(
        select(CaseEvidence).where(CaseEvidence.case_id == case_id).order_by(CaseEvidence.id)
    ):
        files.setdefault(row.event_id, []).append(row)
    events = session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
    ).all()
    return [(event, files.get(event.id, [])) for event in events]


def get_evidence(session: Session, user: User, evidence_id: int) -> CaseEvidence | None:
    """A case's file, if the user may see the case."""
    row = session.get(CaseEvidence, evidence_id)
    if row is None or get_case(session, user, row.case_id) is None:
        return None
    return row


def responsible_names(session: Session, cases: list[AssignedCase]) -> dict[int, str]:
    """The responsible enterprise's name of each case that has one, by case id."""
    ids = {c.enterprise_id for c in cases if c.enterprise_id is not None}
    if not ids:
        return {}
    names = dict(
        session.exec(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids))).all()
    )
    return {c.id: names[c.enterprise_id] for c in cases if c.enterprise_id is not None}


# The public posting page: no login, so it reads only cases being posted, by their token.
def posted_case(session: Session, token: str) -> AssignedCase | None:
    """A case being publicly posted, by its public token."""
    return session.exec(
        select(AssignedCase).where(
            AssignedCase.public_token == token, AssignedCase.state == CaseState.POSTING
        )
    ).first()


def posted_cases(session: Session, park_id: int) -> list[AssignedCase]:
    """The park's cases being publicly posted now."""
    return list(
        session.exec(
            select(AssignedCase)
            .where(AssignedCase.park_id == park_id, AssignedCase.state == CaseState.POSTING)
            .order_by(AssignedCase.posting_ends, AssignedCase.number)
        )
    )


@dataclass
class SourceFigures:
    """Cases of one source: assigned in the period, closed (销号) in it, still open now."""

    source: str
    assigned: int = 0
    closed: int = 0
    open: int = 0


def figures_by_source(
    session: Session, scope: Scope, start: date, end: date
) -> list[SourceFigures]:
    """Cases assigned (by the batch's local date received) and closed (销号, by the local day)
    from `start` to `end` inclusive, and those not closed now, by source: one grouped pass over
    the scope's cases."""
    begin = clock.start_of_local_day(start)
    after = clock.start_of_local_day(end + timedelta(days=1))
    received = AssignmentBatch.received_on
    rows = session.exec(
        select(
            AssignedCase.source,
            func.count().filter(received >= start, received <= end),
            func.count().filter(AssignedCase.closed_at >= begin, AssignedCase.closed_at < after),
            func.count().filter(AssignedCase.state != CaseState.CLOSED),
        )
        .join(AssignmentBatch, AssignmentBatch.id == AssignedCase.batch_id)
        .where(scope.rows(AssignedCase.park_id, AssignedCase.enterprise_id))
        .group_by(AssignedCase.source)
        .order_by(AssignedCase.source)
    ).all()
    return [
        SourceFigures(source, assigned, closed, still) for source, assigned, closed, still in rows
    ]
