"""预警: the daily warnings sweep and what supervisors do with a warning.

Each case gets a key naming its kind, subject and period, so a sweep run twice (or catching up)
raises it once, and the outbox sends it once: to the park's supervisors in the app, in their
email digest and to the park's DingTalk/WeCom webhooks that subscribe to risk warnings.
"""

from __future__ import annotations

import json
from datetime import date
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import or_
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection import labels
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.db import insert_new
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.errors import check_version
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardLevel
from inspection.hazards.models import HazardState
from inspection.hazards.models import RectificationPlan
from inspection.hazards.models import owes_rectification
from inspection.notifications.services import Message
from inspection.notifications.services import queue
from inspection.notifications.services import supervisors
from inspection.risk.facts import park_ids
from inspection.risk.facts import settings_values
from inspection.risk.frequency import due_dates
from inspection.risk.frequency import year_counts
from inspection.risk.models import RANK
from inspection.risk.models import RiskHistory
from inspection.risk.models import RiskWarning
from inspection.risk.models import WarningKind as K
from inspection.risk.models import WarningStatus
from inspection.risk.scoring import yearly_cap

# How far back the sweep looks for grade changes and repeat hazards it has not warned of.
LOOK_BACK_DAYS = 31
# A major hazard this close to its deadline without a plan is warned of.
PLAN_DAYS = 7


def _row(park_id, enterprise_id, kind, key, details, hazard_id=None) -> dict:
    return {
        "key": f"{kind}:{key}",
        "park_id": park_id,
        "enterprise_id": enterprise_id,
        "hazard_id": hazard_id,
        "kind": kind,
        "details": json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
        "raised_at": clock.now(),
        "status": WarningStatus.NEW,
        "version": 1,
    }


def grade_worse(session: Session, park_id: int, today: date) -> list[dict]:
    """Enterprises whose grade worsened (one warning per change)."""
    since = clock.start_of_local_day(today - timedelta(days=LOOK_BACK_DAYS))
    rows = session.exec(
        select(RiskHistory).where(
            RiskHistory.park_id == park_id,
            RiskHistory.at >= since,
            RiskHistory.from_grade.is_not(None),
        )
    )
    return [
        _row(
            park_id,
            change.enterprise_id,
            K.GRADE_WORSE,
            change.id,
            {"from": change.from_grade, "to": change.grade, "score": change.score},
        )
        for change in rows
        if RANK[change.grade] > RANK[change.from_grade]
    ]


def repeats(session: Session, park_id: int, today: date) -> list[dict]:
    """Repeat hazards; a third (or later) occurrence also as its own, escalated, warning."""
    since = clock.start_of_local_day(today - timedelta(days=LOOK_BACK_DAYS))
    earlier = Hazard.__table__.alias("earlier")
    rows = session.execute(
        select(Hazard, earlier.c.number)
        .join(earlier, earlier.c.id == Hazard.repeat_of_id)
        .where(
            Hazard.park_id == park_id,
            Hazard.repeat_of_id.is_not(None),
            Hazard.found_at >= since,
            Hazard.state != HazardState.VOIDED,
        )
    ).all()
    found = []
    for hazard, earlier_number in rows:
        details = {
            "hazard": hazard.number,
            "title": hazard.title,
            "earlier": earlier_number,
            "occurrence": hazard.occurrence,
        }
        found.append(_row(park_id, hazard.enterprise_id, K.REPEAT, hazard.id, details, hazard.id))
        if hazard.occurrence >= 3:
            found.append(
                _row(park_id, hazard.enterprise_id, K.REPEAT_THIRD, hazard.id, details, hazard.id)
            )
    return found


def not_inspected(session: Session, park_id: int, today: date) -> list[dict]:
    """Enterprises not visited within their grade's interval (once per lapse)."""
    found = []
    for eid, (_enterprise, grade, last, due) in due_dates(session, park_id).items():
        if due < today:
            details = {"grade": grade, "last": last, "due": due, "days": (today - due).days}
            found.append(_row(park_id, eid, K.NOT_INSPECTED, f"{eid}:{due}", details))
    return found


def major_no_plan(session: Session, park_id: int, today: date) -> list[dict]:
    """Major hazards owed within 7 days of their deadline without a rectification plan."""
    planned = select(RectificationPlan.hazard_id).where(RectificationPlan.hazard_id == Hazard.id)
    rows = session.exec(
        select(Hazard).where(
            owes_rectification(),
            Hazard.park_id == park_id,
            Hazard.level == HazardLevel.MAJOR,
            Hazard.deadline >= today,
            Hazard.deadline <= today + timedelta(days=PLAN_DAYS),
            ~planned.exists(),
        )
    )
    return [
        _row(
            park_id,
            h.enterprise_id,
            K.MAJOR_NO_PLAN,
            f"{h.id}:{h.deadline}",
            {"hazard": h.number, "title": h.title, "deadline": h.deadline},
            h.id,
        )
        for h in rows
    ]


def month_ends(today: date, count: int = 4) -> list[date]:
    """The last days of the `count` months before today's, oldest first."""
    ends = []
    day = today.replace(day=1) - timedelta(days=1)
    for _month in range(count):
        ends.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return list(reversed(ends))


def overdue_on(session: Session, park_id: int, day: date) -> dict[int, int]:
    """How many hazards of each enterprise were overdue at the end of `day`."""
    end = clock.start_of_local_day(day + timedelta(days=1))
    rows = session.exec(
        select(Hazard.enterprise_id, func.count())
        .where(
            Hazard.park_id == park_id,
            Hazard.state != HazardState.VOIDED,
            Hazard.found_at < end,
            Hazard.deadline <= day,
            or_(Hazard.closed_at.is_(None), Hazard.closed_at >= end),
        )
        .group_by(Hazard.enterprise_id)
    )
    return dict(rows.all())


def overdue_rising(session: Session, park_id: int, today: date) -> list[dict]:
    """Enterprises whose overdue count rose at each of the last three month ends."""
    ends = month_ends(today)
    counts = [overdue_on(session, park_id, day) for day in ends]
    found = []
    for eid in set().union(*counts):
        series = [c.get(eid, 0) for c in counts]
        if all(a < b for a, b in zip(series, series[1:], strict=False)):
            details = {"counts": series, "months": [d.strftime("%Y-%m") for d in ends]}
            found.append(_row(park_id, eid, K.OVERDUE_RISING, f"{eid}:{ends[-1]:%Y-%m}", details))
    return found


def over_cap(session: Session, park_id: int, today: date) -> list[dict]:
    """Enterprises inspected more often this year than their grade's cap."""
    values = settings_values(session, park_id)
    dues = due_dates(session, park_id)
    counts = year_counts(session, list(dues), today.year)
    found = []
    for eid, count in counts.items():
        cap = yearly_cap(values, dues[eid][1])
        if count > cap:
            details = {"count": count, "cap": cap, "grade": dues[eid][1], "year": today.year}
            found.append(_row(park_id, eid, K.OVER_CAP, f"{eid}:{today.year}", details))
    return found


CASES = (grade_worse, repeats, not_inspected, major_no_plan, overdue_rising, over_cap)


def summary(kind: str, details: dict) -> str:
    """What a warning is about, in a sentence of the current language (no final stop: the
    messages put it in brackets)."""

    def grade(code: str) -> str:
        return labels.label(labels.RISK_GRADES, code)

    if kind == K.GRADE_WORSE:
        return _(
            "The grade went from %(before)s to %(after)s (score %(score)s)",
            before=grade(details["from"]),
            after=grade(details["to"]),
            score=details["score"],
        )
    if kind in (K.REPEAT, K.REPEAT_THIRD):
        return _(
            "Hazard %(hazard)s repeats %(earlier)s, closed within the year before: occurrence"
            " %(occurrence)s",
            hazard=details["hazard"],
            earlier=details["earlier"],
            occurrence=details["occurrence"],
        )
    if kind == K.NOT_INSPECTED:
        values = {"grade": grade(details["grade"]), "due": details["due"], "days": details["days"]}
        if details.get("last"):
            return _(
                "Last inspected on %(last)s; as a %(grade)s enterprise it was due again by"
                " %(due)s, %(days)s days ago",
                last=details["last"],
                **values,
            )
        return _(
            "Never inspected; as a %(grade)s enterprise it was due by %(due)s, %(days)s days ago",
            **values,
        )
    if kind == K.MAJOR_NO_PLAN:
        return _(
            "Major hazard %(hazard)s is due by %(deadline)s and still has no rectification plan",
            hazard=details["hazard"],
            deadline=details["deadline"],
        )
    if kind == K.OVERDUE_RISING:
        return _(
            "Overdue hazards at the end of %(months)s: %(counts)s, rising each month",
            months=", ".join(details["months"]),
            counts=" → ".join(str(c) for c in details["counts"]),
        )
    if kind == K.OVER_CAP:
        return _(
            "Inspected %(count)s times in %(year)s, beyond the yearly cap of %(cap)s for a"
            " %(grade)s enterprise (国办发〔2024〕54号)",
            count=details["count"],
            year=details["year"],
            cap=details["cap"],
            grade=grade(details["grade"]),
        )
    return ""


def sweep(session: Session, today: date | None = None) -> int:
    """Raise the day's new warnings in every park and queue their messages; return how many
    were new."""
    today = today or clock.today()
    new = 0
    for park_id in park_ids(session):
        rows = [row for case in CASES for row in case(session, park_id, today)]
        created = {key for _id, key in insert_new(session, RiskWarning, rows)}
        if not created:
            continue
        new += len(created)
        _tell(session, park_id, [row for row in rows if row["key"] in created])
    return new


def _tell(session: Session, park_id: int, rows: list[dict]) -> None:
    people = supervisors(session, park_id)
    names = dict(
        session.exec(
            select(Enterprise.id, Enterprise.name).where(
                Enterprise.id.in_({row["enterprise_id"] for row in rows})
            )
        ).all()
    )
    messages = []
    for row in rows:
        details = json.loads(row["details"])
        enterprise = names.get(row["enterprise_id"], "")
        if row["kind"] == K.REPEAT_THIRD:
            messages.append(
                Message(
                    people,
                    "repeat_escalated",
                    row["key"],
                    {
                        "enterprise": enterprise,
                        "hazard": details["hazard"],
                        "title": details["title"],
                        "occurrence": details["occurrence"],
                    },
                    f"/risk/warnings?kind={K.REPEAT_THIRD}",
                    row["hazard_id"],
                    park_id,
                )
            )
            continue
        messages.append(
            Message(
                people,
                "risk_warning",
                row["key"],
                {
                    "enterprise": enterprise,
                    "case": row["kind"],
                    "summary": summary(row["kind"], details),
                },
                f"/risk/warnings?kind={row['kind']}",
                row["hazard_id"],
                park_id,
            )
        )
    queue(session, messages)


def _check(actor: User) -> None:
    if actor.role != Role.SUPERVISOR:
        raise Forbidden(_("Only supervisors acknowledge and handle warnings."))


def acknowledge(
    session: Session, *, warning: RiskWarning, actor: User, note: str | None, expected_version: int
) -> RiskWarning:
    """A supervisor has seen the warning (with an optional note)."""
    _check(actor)
    check_version(warning.version, expected_version)
    if warning.status != WarningStatus.NEW:
        raise DomainError(_("This warning has already been acknowledged."))
    warning.status = WarningStatus.ACKNOWLEDGED
    warning.acknowledged_by_id, warning.acknowledged_at = actor.id, clock.now()
    warning.acknowledge_note = (note or "").strip() or None
    warning.version += 1
    session.flush()
    return warning


def handle(
    session: Session, *, warning: RiskWarning, actor: User, note: str | None, expected_version: int
) -> RiskWarning:
    """A supervisor has dealt with the warning; the note says how (kept in the history)."""
    _check(actor)
    check_version(warning.version, expected_version)
    if warning.status == WarningStatus.HANDLED:
        raise DomainError(_("This warning has already been handled."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Write how the warning was handled, e.g. 已约谈企业主要负责人."))
    now = clock.now()
    if warning.status == WarningStatus.NEW:
        warning.acknowledged_by_id, warning.acknowledged_at = actor.id, now
    warning.status = WarningStatus.HANDLED
    warning.handled_by_id, warning.handled_at, warning.handle_note = actor.id, now, note
    warning.version += 1
    session.flush()
    return warning
