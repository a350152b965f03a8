"""The annual plan (年度检查计划): each published item with its legal basis, the key enterprises
(重点检查, named) and the random tasks with their ratios, frequency and cap, schedule and body,
in one plan as the published plans have them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.draws import queries
from inspection.draws.models import DrawItem
from inspection.draws.models import DrawTask
from inspection.draws.models import KeyEnterprise as KeyChoice
from inspection.draws.models import TaskItem
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.risk.frequency import cap_checks
from inspection.risk.frequency import grade_caps
from inspection.risk.frequency import grade_intervals

# Risk grades that put an enterprise on the key list (红 and 橙, in the draws' words).
KEY_GRADES = {"major": "major_risk", "significant": "significant_risk"}


@dataclass
class PlannedTask:
    """A random task of the year as the plan shows it."""

    name: str
    pool_size: int | None
    quotas: dict
    start_date: date
    due_date: date
    # The yearly cap of each risk grade the task's pool applied (the risk feature's rule).
    caps: dict
    body: str


@dataclass
class PlanRow:
    """One item of the plan, with the key enterprises and random tasks that inspect it."""

    item: DrawItem
    tasks: list[PlannedTask] = field(default_factory=list)


@dataclass
class KeyEnterprise:
    """An enterprise inspected by name (重点检查): why, how often, and its yearly cap."""

    enterprise: Enterprise
    reasons: list[str]
    grade: str
    interval_days: int
    yearly_cap: int
    inspections: int
    # A supervisor's choice: the reason they gave, and the record (to take it off the list).
    chosen: KeyChoice | None = None


@dataclass
class AnnualPlan:
    """The year's plan."""

    year: int
    rows: list[PlanRow]
    key: list[KeyEnterprise]


def annual_plan(session: Session, scope: Scope, year: int) -> AnnualPlan:
    """The plan of `year`: the published items, their random tasks, the key enterprises."""
    items = queries.current_items(session, scope, published_only=True)
    rows = {item.id: PlanRow(item=item) for item in items}
    by_code = {item.code: rows[item.id] for item in items}
    for task in session.exec(
        select(DrawTask)
        .where(scope.rows(DrawTask.park_id), DrawTask.year == year)
        .order_by(DrawTask.start_date)
    ):
        document = json.loads(task.pool_document) if task.pool_document else None
        planned = PlannedTask(
            name=task.name,
            pool_size=sum(len(s["entries"]) for s in document["strata"]) if document else None,
            quotas=json.loads(task.quotas),
            start_date=task.start_date,
            due_date=task.due_date,
            caps=(document or {}).get("yearly_caps") or grade_caps(session, task.park_id),
            body=task.body,
        )
        for item in session.exec(
            select(DrawItem)
            .join(TaskItem, TaskItem.item_id == DrawItem.id)
            .where(TaskItem.task_id == task.id)
        ):
            row = by_code.get(item.code)
            if row is not None:
                row.tasks.append(planned)
    return AnnualPlan(
        year=year, rows=list(rows.values()), key=key_enterprises(session, scope, year)
    )


def key_enterprises(session: Session, scope: Scope, year: int) -> list[KeyEnterprise]:
    """The enterprises inspected by name in `year`: risk grade red or orange, credit class D,
    a major hazard installation, or a supervisor's choice with its reason. Each with its grade's
    interval and yearly cap, from the risk feature."""
    enterprises = list(session.exec(queries.directory_select(scope)))
    ids = [e.id for e in enterprises]
    credit = queries.credit_classes(session, ids)
    grades = queries.risk_grades(session, scope, ids)
    chosen = {
        c.enterprise_id: c
        for c in session.exec(
            select(KeyChoice).where(
                scope.rows(KeyChoice.park_id, KeyChoice.enterprise_id), KeyChoice.year == year
            )
        )
    }
    found = []
    for enterprise in enterprises:
        reasons = []
        if grades.get(enterprise.id) in KEY_GRADES:
            reasons.append(KEY_GRADES[grades[enterprise.id]])
        if credit.get(enterprise.id) == "D":
            reasons.append("credit_d")
        if enterprise.risk_major_hazard_source:
            reasons.append("major_hazard_source")
        if enterprise.id in chosen:
            reasons.append("chosen")
        if reasons:
            found.append((enterprise, reasons))
    caps = cap_checks(session, [e for e, _r in found], year)
    intervals: dict[int, dict[str, int]] = {}
    out = []
    for enterprise, reasons in found:
        check = caps[enterprise.id]
        if enterprise.park_id not in intervals:
            intervals[enterprise.park_id] = grade_intervals(session, enterprise.park_id)
        out.append(
            KeyEnterprise(
                enterprise=enterprise,
                reasons=reasons,
                grade=check.grade,
                interval_days=intervals[enterprise.park_id][check.grade],
                yearly_cap=check.cap,
                inspections=check.count,
                chosen=chosen.get(enterprise.id),
            )
        )
    return sorted(out, key=lambda k: k.enterprise.name)


REASON_LENGTH = 200  # the column's width


def choose_key(
    session: Session, *, actor: User, enterprise: Enterprise, year: int, reason: str
) -> KeyChoice:
    """A supervisor puts an enterprise on the year's key list by name, saying why."""
    if actor.role != Role.SUPERVISOR:
        raise Forbidden(_("Only a supervisor chooses key enterprises."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _(
                "Say why %(name)s is inspected by name, e.g. 近一年发生过生产安全事故; the plan"
                " publishes the reason.",
                name=enterprise.name,
            )
        )
    if len(reason) > REASON_LENGTH:
        raise DomainError(
            _(
                "The reason is %(count)d characters long; keep it within %(limit)d.",
                count=len(reason),
                limit=REASON_LENGTH,
            )
        )
    taken = session.exec(
        select(KeyChoice).where(KeyChoice.enterprise_id == enterprise.id, KeyChoice.year == year)
    ).first()
    if taken is not None:
        raise DomainError(
            _("%(name)s is already a key enterprise of %(year)s.", name=enterprise.name, year=year)
        )
    choice = KeyChoice(
        park_id=enterprise.park_id,
        enterprise_id=enterprise.id,
        year=year,
        reason=reason,
        chosen_by_id=actor.id,
    )
    session.add(choice)
    session.flush()
    return choice


def drop_key(session: Session, *, actor: User, choice: KeyChoice) -> None:
    """Take a supervisor's choice off the key list (the rules' key enterprises stay)."""
    if actor.role != Role.SUPERVISOR:
        raise Forbidden(_("Only a supervisor chooses key enterprises."))
    session.delete(choice)
    session.flush()


def get_choice(session: Session, scope: Scope, choice_id: int) -> KeyChoice | None:
    """One supervisor's choice, if the scope may see it."""
    return session.exec(
        select(KeyChoice).where(
            KeyChoice.id == choice_id, scope.rows(KeyChoice.park_id, KeyChoice.enterprise_id)
        )
    ).first()
