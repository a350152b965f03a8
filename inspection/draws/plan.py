"""The annual plan (年度检查计划): each published item with its legal basis, the key enterprises
(重点检查, named) and the random tasks with their ratios, frequency and cap, schedule and body,
in one plan as the published plans have them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from sqlmodel import Session
from sqlmodel import select

from inspection.auth.scope import Scope
from inspection.draws import queries
from inspection.draws.models import DrawItem
from inspection.draws.models import DrawTask
from inspection.draws.models import TaskItem
from inspection.enterprises.models import Enterprise

# Risk grades that put an enterprise on the key list (the early-warning work's grades).
KEY_GRADES = ("major",)


@dataclass
class PlannedTask:
    """A random task of the year as the plan shows it."""

    name: str
    pool_size: int | None
    quotas: dict
    start_date: date
    due_date: date
    yearly_cap: int
    body: str


@dataclass
class PlanRow:
    """One item of the plan, with the key enterprises and random tasks that inspect it."""

    item: DrawItem
    tasks: list[PlannedTask] = field(default_factory=list)


@dataclass
class KeyEnterprise:
    """An enterprise inspected by name (重点检查), and why."""

    enterprise: Enterprise
    reasons: list[str]


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
            yearly_cap=task.yearly_cap,
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
    return AnnualPlan(year=year, rows=list(rows.values()), key=key_enterprises(session, scope))


def key_enterprises(session: Session, scope: Scope) -> list[KeyEnterprise]:
    """The enterprises inspected by name: credit class D, a major hazard installation, or a
    major risk grade where the early-warning work gives one."""
    enterprises = list(session.exec(queries.directory_select(scope)))
    ids = [e.id for e in enterprises]
    credit = queries.credit_classes(session, ids)
    grades = queries.risk_grades(session, scope, ids)
    out = []
    for enterprise in enterprises:
        reasons = []
        if credit.get(enterprise.id) == "D":
            reasons.append("credit_d")
        if enterprise.risk_major_hazard_source:
            reasons.append("major_hazard_source")
        if grades.get(enterprise.id) in KEY_GRADES:
            reasons.append("major_risk")
        if reasons:
            out.append(KeyEnterprise(enterprise=enterprise, reasons=reasons))
    return sorted(out, key=lambda k: k.enterprise.name)
