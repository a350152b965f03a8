"""How things stand now — open, overdue and open major hazards, and the enterprises with the most
overdue — kept per app process until a hazard or an enterprise changes.

These figures are counted from the index of the hazards not yet closed, which grows with a
park's backlog (tens of thousands in a county that has run for years), and the dashboard shows
them on every view. Every transaction that writes a hazard or an enterprise moves the number in
`standing_version` as its last statement; an answer is reused only while that number (and the
date: overdue is a matter of the day) is the one it was counted under. The number is read before
the counting, so a change committed in between can only make a kept answer newer, never older.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from flask import current_app
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection import clock
from inspection.auth.scope import Scope
from inspection.enterprises.models import Enterprise
from inspection.hazards.models import Hazard
from inspection.statistics import figures
from inspection.statistics.figures import EnterpriseName
from inspection.statistics.figures import Subject
from inspection.statistics.models import StandingVersion

# Kept answers per app process; a dashboard asks for a handful of scopes.
LIMIT = 512
WORST = 10


@dataclass(frozen=True)
class Standing:
    """The figures of now for one scope, and the enterprises with most overdue hazards."""

    now: figures.Now
    worst: list[tuple[EnterpriseName, int, int]] = field(default_factory=list)


def current(session: Session, subject: Subject) -> Standing:
    """How things stand for a subject today, counted afresh only when something changed."""
    if subject.dimension == "park":
        return _parks(session, subject.parks)[1]

    def count() -> Standing:
        worst = [
            (EnterpriseName(enterprise.id, enterprise.name), overdue, still_open)
            for enterprise, overdue, still_open in figures.worst_enterprises(
                session, subject, WORST
            )
        ]
        return Standing(figures.now(session, subject), worst)

    return _kept(session, ("subject", subject), count)


def by_park(session: Session, parks: Scope) -> dict[int, figures.Now]:
    """How things stand in each park of a scope today (a region's comparison), kept the same
    way."""
    return _parks(session, parks)[0]


def _parks(session: Session, parks: Scope) -> tuple[dict[int, figures.Now], Standing]:
    """Each park of a scope today, and the scope as a whole: the sum of its parks, with its
    enterprises that have the most overdue hazards; counted in one pass and kept."""

    def count():
        by_park, worst = figures.parks_standing(session, parks, WORST)
        whole = figures.Now()
        for park in by_park.values():
            whole += park
        return by_park, Standing(whole, worst)

    return _kept(session, ("parks", parks), count)


def _kept(session: Session, what: tuple, count):
    """The answer counted for `what` under the current number and day, or a fresh count."""
    version = session.execute(
        select(StandingVersion.version).where(StandingVersion.id == 1)
    ).scalar()
    key = (version or 0, clock.today(), what)
    kept = current_app.extensions.setdefault("standing", {})
    if key in kept:
        return kept[key]
    answer = count()
    if len(kept) >= LIMIT:
        kept.clear()
    kept[key] = answer
    return answer


# --- moving the number ---------------------------------------------------------------------------

WATCHED = (Hazard, Enterprise)
FLAG = "standing_changed"


def _note_changes(session: Session, _context) -> None:
    """After a flush: remember whether it wrote a hazard or an enterprise."""
    if not session.info.get(FLAG) and any(
        isinstance(instance, WATCHED)
        for instance in (*session.new, *session.dirty, *session.deleted)
    ):
        session.info[FLAG] = True


def _move_on_commit(session: Session) -> None:
    """Before the commit: flush what is left, then move the number as the last statement (so
    its row is locked only for the commit itself, after every other lock the transaction
    takes: no lock-order deadlock with the tallies). Releasing a savepoint is not the commit:
    the number waits for the outermost one."""
    if session.in_nested_transaction():
        return
    session.flush()
    if not session.info.pop(FLAG, False):
        return
    table = StandingVersion.__table__
    if session.get_bind(StandingVersion).dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table).values(id=1, version=1)
    stmt = stmt.on_conflict_do_update(index_elements=["id"], set_={"version": table.c.version + 1})
    session.connection().execute(stmt)


def _forget(session: Session, transaction) -> None:
    """When the whole transaction ends (committed or rolled back), nothing is left to move."""
    if transaction.parent is None:
        session.info.pop(FLAG, None)


def install() -> None:
    """Watch every session (once per process)."""
    if not event.contains(Session, "after_flush", _note_changes):
        event.listen(Session, "after_flush", _note_changes)
        event.listen(Session, "before_commit", _move_on_commit)
        event.listen(Session, "after_transaction_end", _forget)
