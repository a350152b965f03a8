"""Writing grades: one enterprise in the transaction of whatever moved it, a whole park when its
settings change, everything at night (reporting drift); supervisors' overrides."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.errors import check_version
from inspection.risk.facts import active_override
from inspection.risk.facts import all_facts
from inspection.risk.facts import forget_settings
from inspection.risk.facts import graded_facts
from inspection.risk.facts import park_ids as all_park_ids
from inspection.risk.facts import settings_values
from inspection.risk.frequency import CapCheck
from inspection.risk.frequency import CapReached
from inspection.risk.frequency import cap_checks
from inspection.risk.frequency import check_cap as _check_cap
from inspection.risk.frequency import check_caps as _check_caps
from inspection.risk.models import GRADES
from inspection.risk.models import EnterpriseRisk
from inspection.risk.models import RiskHistory
from inspection.risk.models import RiskOverride
from inspection.risk.models import RiskSettings
from inspection.risk.models import RiskSettingsChange
from inspection.risk.scoring import DEFAULTS
from inspection.risk.scoring import Result
from inspection.risk.scoring import grade
from inspection.risk.scoring import merged
from inspection.risk.scoring import problems
from inspection.security import services as security
from inspection.security.models import EventKind

log = logging.getLogger(__name__)

__all__ = ["CapReached", "check_cap", "check_caps"]


class SettingsRefused(DomainError):
    """Settings that make no sense; `fields` names each wrong field and what is wrong."""

    status = 422

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(
            _(
                "The settings were not saved: %(problems)s",
                problems="; ".join(f"{name}: {text}" for name, text in fields.items()),
            )
        )
        self.fields = fields


def _store(
    session: Session,
    row: EnterpriseRisk | None,
    park_id: int,
    enterprise_id: int,
    result: Result,
    cause: str,
) -> tuple[EnterpriseRisk, bool]:
    """Keep a result; a changed score or grade is written to the history. True if it moved."""
    now = clock.now()
    if row is None:
        row = EnterpriseRisk(park_id=park_id, enterprise_id=enterprise_id)
        session.add(row)
        before = (None, None)
    else:
        before = (row.grade, row.score)
    moved = before != (result.grade, result.score)
    row.score, row.inherent, row.dynamic = result.score, result.inherent, result.dynamic
    row.score_grade, row.grade = result.score_grade, result.grade
    row.breakdown = result.breakdown_json()
    row.computed_at = now
    if moved:
        session.add(
            RiskHistory(
                park_id=park_id,
                enterprise_id=enterprise_id,
                at=now,
                from_grade=before[0],
                grade=result.grade,
                from_score=before[1],
                score=result.score,
                cause=cause[:200],
            )
        )
    return row, moved


def regrade(session: Session, enterprise_id: int, *, cause: str) -> EnterpriseRisk:
    """Grade one enterprise again, in the caller's transaction (a hazard's, an override's)."""
    enterprise, row, facts = graded_facts(session, enterprise_id)
    result = grade(facts, settings_values(session, enterprise.park_id))
    if row is not None and _same(row, result) and _graded_today(row):
        # Nothing moved and the row already stands for today's facts (what the nightly drift
        # check compares it with): no write.
        return row
    stored, _moved = _store(session, row, enterprise.park_id, enterprise_id, result, cause)
    session.flush()
    return stored


@dataclass
class Recompute:
    """What a recompute did."""

    enterprises: int = 0
    moved: int = 0
    drift: list[str] = field(default_factory=list)


def _graded_today(row: EnterpriseRisk) -> bool:
    return clock.local(row.computed_at).date() == clock.today()


def _same(row: EnterpriseRisk, result: Result) -> bool:
    return (row.score, row.grade, row.breakdown) == (
        result.score,
        result.grade,
        result.breakdown_json(),
    )


def recompute(
    session: Session, *, cause: str, park_ids: list[int] | None = None, today: date | None = None
) -> Recompute:
    """Grade every active enterprise (of the given parks) again and keep what moved.

    Before that, each grade is checked against the facts as they were on the day it was
    computed: a difference there is drift (a row changed behind the system's back, or an
    event that forgot to regrade), reported and then corrected. Each is one grouped read of
    the hazards for all the parks at once.
    """
    today = today or clock.today()
    parks = park_ids if park_ids is not None else all_park_ids(session)
    values = {park_id: settings_values(session, park_id) for park_id in parks}
    rows = {
        row.enterprise_id: row
        for row in session.exec(select(EnterpriseRisk).where(EnterpriseRisk.park_id.in_(parks)))
    }
    outcome = Recompute(drift=_drift(session, parks, rows, values, today))
    for enterprise_id, (park_id, facts) in all_facts(session, today, park_ids=parks).items():
        outcome.enterprises += 1
        result = grade(facts, values[park_id])
        row = rows.get(enterprise_id)
        if row is not None and _same(row, result):
            row.computed_at = clock.now()
            continue
        _stored, moved = _store(session, row, park_id, enterprise_id, result, cause)
        outcome.moved += moved
    session.flush()
    return outcome


def _drift(session, parks, rows, values, today) -> list[str]:
    """Grades that differ from the facts of the day they were computed."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for enterprise_id, row in rows.items():
        by_day[min(clock.local(row.computed_at).date(), today)].append(enterprise_id)
    found = []
    for day, ids in sorted(by_day.items()):
        # A few enterprises by id; most of them (last night's) with one read of their parks.
        facts = (
            all_facts(session, day, enterprise_ids=ids)
            if len(ids) < 500
            else all_facts(session, day, park_ids=parks)
        )
        for enterprise_id in ids:
            row = rows[enterprise_id]
            if enterprise_id not in facts:
                continue
            park_id, known = facts[enterprise_id]
            result = grade(known, values[park_id])
            if not _same(row, result):
                found.append(
                    f"park {park_id} enterprise {enterprise_id}: stored {row.grade} {row.score},"
                    f" facts of {day} give {result.grade} {result.score}"
                )
    return found


def update_settings(
    session: Session,
    *,
    park_id: int,
    actor: User,
    values: dict,
    reason: str,
    expected_version: int,
) -> RiskSettingsChange:
    """Check and save a park's settings, record the change and regrade every enterprise of the
    park in the same transaction, so no grade changes silently."""
    _check_supervisor(actor)
    wanted = merged({**DEFAULTS, **values})
    wrong = problems(wanted)
    reason = (reason or "").strip()
    if not reason:
        wrong["reason"] = _("Say why the settings change; it is kept in the history.")
    if wrong:
        raise SettingsRefused(wrong)
    forget_settings(session)
    row = session.exec(select(RiskSettings).where(RiskSettings.park_id == park_id)).first()
    current = row or RiskSettings(park_id=park_id)
    check_version(current.version, expected_version)
    before = merged(current.values)
    current.values = json.dumps(wanted, sort_keys=True)
    current.version += 1
    current.updated_at = clock.now()
    current.updated_by_id = actor.id
    session.add(current)
    session.flush()
    forget_settings(session)
    change = RiskSettingsChange(
        park_id=park_id,
        actor_id=actor.id,
        reason=reason,
        before=json.dumps(before, sort_keys=True),
        after=current.values,
    )
    after = merged(current.values)
    security.record(
        session,
        kind=EventKind.SETTINGS_CHANGED,
        actor=actor,
        park_id=park_id,
        data={
            "setting": "risk_settings",
            "reason": reason,
            "changes": security.changes(before, after),
        },
    )
    outcome = recompute(session, cause=f"settings: {reason}", park_ids=[park_id])
    change.regraded = outcome.moved
    session.add(change)
    session.flush()
    return change


def _check_supervisor(actor: User) -> None:
    if actor.role != Role.SUPERVISOR:
        raise Forbidden(_("Only supervisors can change risk settings and mandatory grades."))


def set_override(
    session: Session, *, enterprise: Enterprise, actor: User, grade_: str, reason: str
) -> RiskOverride:
    """A supervisor's mandatory grade for one enterprise (at least this grade), with a reason."""
    _check_supervisor(actor)
    if grade_ not in GRADES:
        raise DomainError(_("Choose the grade the enterprise must have at least."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Say why this enterprise must have this grade (e.g. a fatal accident in 2026).")
        )
    previous = active_override(session, enterprise.id)
    if previous is not None:
        previous.lifted_at, previous.lifted_by_id = clock.now(), actor.id
        previous.lift_reason = _("Replaced by a new mandatory grade.")
    override = RiskOverride(
        park_id=enterprise.park_id,
        enterprise_id=enterprise.id,
        grade=grade_,
        reason=reason,
        set_by_id=actor.id,
    )
    session.add(override)
    session.flush()
    regrade(session, enterprise.id, cause=f"override: {reason}")
    return override


def lift_override(
    session: Session, *, enterprise: Enterprise, actor: User, reason: str
) -> RiskOverride:
    """End a mandatory grade; the score's grade applies again."""
    _check_supervisor(actor)
    override = active_override(session, enterprise.id)
    if override is None:
        raise DomainError(_("This enterprise has no mandatory grade to lift."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the mandatory grade is lifted; it is kept in the history."))
    override.lifted_at, override.lifted_by_id, override.lift_reason = clock.now(), actor.id, reason
    session.flush()
    regrade(session, enterprise.id, cause=f"override lifted: {reason}")
    return override


def hazard_moved(session: Session, hazard, event: str) -> None:
    """A hazard was recorded or changed: regrade its enterprise in the same transaction."""
    regrade(session, hazard.enterprise_id, cause=f"{event} {hazard.number}")


def check_cap(
    session: Session,
    *,
    enterprise: Enterprise,
    planned_date: date,
    type: str = "routine",
    targeted: str | None = None,
    reason: str | None = None,
) -> str | None:
    """The yearly inspection cap (国办发〔2024〕54号): the one check every path that plans or
    starts an inspection goes through (an inspection started on site, a campaign, a recurring
    plan's occurrence, next month's risk-based proposals, a random draw).

    Returns what to record in `Inspection.over_cap_reason`:
    - None when the inspection is exempt: `targeted` is "complaint" or "warning" (a targeted
      inspection after a 举报 or a 预警, which the caller records in `Inspection.targeted`, so it
      is marked as such), or the type is a report (举报) inspection; any other `targeted` value
      is refused;
    - None when the enterprise is still below its grade's cap in `planned_date`'s year (the count
      leaves out exempt inspections);
    - the reason, stripped (at most 500 characters), when this inspection goes beyond the cap.

    Beyond the cap without a reason it raises CapReached (a DomainError, status 422, field
    "over_cap_reason", with `count` and `cap`), whose message names the enterprise, the count so
    far, the cap and the grade, and asks for the reason. It only reads; the caller writes the
    returned reason on the inspection in the same transaction.
    """
    return _check_cap(
        session,
        enterprise=enterprise,
        type=type,
        planned_date=planned_date,
        targeted=targeted,
        reason=reason,
    )


def check_caps(
    session: Session,
    *,
    enterprises,
    planned_date: date,
    type: str = "routine",
    targeted: str | None = None,
    reason: str | None = None,
) -> dict[int, str | None]:
    """`check_cap` for many enterprises planned together, by enterprise id (the same rule,
    read in a few queries whatever their number)."""
    return _check_caps(
        session,
        enterprises=enterprises,
        type=type,
        planned_date=planned_date,
        targeted=targeted,
        reason=reason,
    )


def cap_standings(session: Session, enterprises, year: int) -> dict[int, CapCheck]:
    """Where each enterprise stands against its yearly cap in `year` (grade, cap and count;
    `.reached` when one more inspection needs the reason `check_cap` asks for), for the pages
    that plan many enterprises at once."""
    return cap_checks(session, enterprises, year)
