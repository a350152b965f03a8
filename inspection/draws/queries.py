"""Reading the items, the two directories, tasks and results, scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import func
from sqlmodel import select

from inspection.auth.scope import Scope
from inspection.draws.models import Assignment
from inspection.draws.models import Conflict
from inspection.draws.models import CreditClass
from inspection.draws.models import DrawItem
from inspection.draws.models import DrawResult
from inspection.draws.models import DrawTask
from inspection.draws.models import Officer
from inspection.draws.models import ResultState
from inspection.draws.models import TaskItem
from inspection.draws.models import TaskStatus
from inspection.enterprises.models import Enterprise
from inspection.hazards.models import Hazard
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionInspector
from inspection.risk.frequency import cap_checks
from inspection.risk.queries import current_grades

# The early-warning grades (红/橙/黄/蓝) in the draws' words for them.
_GRADE_NAMES = {"red": "major", "orange": "significant", "yellow": "general", "blue": "low"}


def risk_grades(session: Session, scope: Scope, enterprise_ids: list[int]) -> dict[int, str]:
    """The risk grade (红/橙/黄/蓝 as "major", "significant", "general", "low") of each enterprise
    in scope, by enterprise id, as the early-warning work (`inspection/risk/`) grades it.

    The one place the draws read risk grades: the directory, the 定向 filter and the strata by
    risk all come through here."""
    grades = current_grades(session, scope, enterprise_ids)
    return {enterprise_id: _GRADE_NAMES[grade] for enterprise_id, grade in grades.items()}


def items(session: Session, scope: Scope):
    """A select of the park's inspection items, every version."""
    return select(DrawItem).where(scope.rows(DrawItem.park_id))


def get_item(session: Session, scope: Scope, item_id: int) -> DrawItem | None:
    """One item version, if it is of the scope's parks."""
    return session.exec(items(session, scope).where(DrawItem.id == item_id)).first()


def current_items(session: Session, scope: Scope, *, published_only: bool = False):
    """The current version of each item (the latest not superseded), by code."""
    stmt = items(session, scope).where(DrawItem.superseded.is_(False))
    if published_only:
        stmt = stmt.where(DrawItem.published_on.is_not(None))
    return list(session.exec(stmt.order_by(DrawItem.code, DrawItem.version)))


def officers(session: Session, scope: Scope, *, expert: bool | None = None):
    """A select of the scope's officers (or experts), by name."""
    stmt = select(Officer).where(scope.rows(Officer.park_id))
    if expert is not None:
        stmt = stmt.where(Officer.expert.is_(expert))
    return stmt.order_by(Officer.name)


def get_officer(session: Session, scope: Scope, officer_id: int) -> Officer | None:
    """One officer or expert, if of the scope's parks."""
    return session.exec(
        select(Officer).where(Officer.id == officer_id, scope.rows(Officer.park_id))
    ).first()


def officer_of_user(session: Session, user_id: int) -> Officer | None:
    """The directory entry of a user's account, if the user is in the officer directory."""
    return session.exec(
        select(Officer).where(Officer.user_id == user_id, Officer.expert.is_(False))
    ).first()


def unfit_reason(officer: Officer, day: date) -> str | None:
    """Why an officer may not be drawn or join an enforcement team on `day`, if they may not."""
    if day > officer.valid_until:
        return _(
            "%(name)s's enforcement certificate %(number)s expired on %(day)s. Renew it in the"
            " officer directory first.",
            name=officer.name,
            number=officer.certificate_no,
            day=officer.valid_until,
        )
    if day < officer.valid_from:
        return _(
            "%(name)s's enforcement certificate %(number)s is valid only from %(day)s.",
            name=officer.name,
            number=officer.certificate_no,
            day=officer.valid_from,
        )
    if not officer.active:
        return _("%(name)s has left the officer directory.", name=officer.name)
    return None


def enforcement_refusal(session: Session, user_ids: list[int], day: date) -> str | None:
    """Why a team may not carry out an enforcement inspection on `day`: a member in the officer
    directory whose certificate is not valid."""
    for user_id in user_ids:
        officer = officer_of_user(session, user_id)
        if officer is not None and (reason := unfit_reason(officer, day)):
            return reason
    return None


def has_conflict(session: Session, officer_id: int, enterprise_id: int) -> bool:
    """True when the officer has declared a conflict with the enterprise."""
    return (
        session.exec(
            select(Conflict.id).where(
                Conflict.officer_id == officer_id, Conflict.enterprise_id == enterprise_id
            )
        ).first()
        is not None
    )


def conflicts(session: Session, scope: Scope) -> list[tuple[Conflict, Officer, Enterprise]]:
    """The declared conflicts of the scope's officers, by officer."""
    return list(
        session.exec(
            select(Conflict, Officer, Enterprise)
            .join(Officer, Officer.id == Conflict.officer_id)
            .join(Enterprise, Enterprise.id == Conflict.enterprise_id)
            .where(scope.rows(Conflict.park_id))
            .order_by(Officer.name, Enterprise.name)
        )
    )


def tasks(session: Session, scope: Scope):
    """A select of the scope's tasks, newest first."""
    return (
        select(DrawTask)
        .where(scope.rows(DrawTask.park_id))
        .order_by(DrawTask.created_at.desc(), DrawTask.id.desc())
    )


def get_task(session: Session, scope: Scope, task_id: int) -> DrawTask | None:
    """One task, if of the scope's parks."""
    return session.exec(
        select(DrawTask).where(DrawTask.id == task_id, scope.rows(DrawTask.park_id))
    ).first()


def public_task(session: Session, task_id: int) -> DrawTask | None:
    """A task whose pool is frozen, for the public page: its hash has been published."""
    task = session.get(DrawTask, task_id)
    if task is None or task.status == TaskStatus.DRAFT:
        return None
    return task


def task_items(session: Session, task: DrawTask) -> list[DrawItem]:
    """The item versions a task inspects."""
    return list(
        session.exec(
            select(DrawItem)
            .join(TaskItem, TaskItem.item_id == DrawItem.id)
            .where(TaskItem.task_id == task.id)
            .order_by(DrawItem.code)
        )
    )


def results(session: Session, scope: Scope, task: DrawTask) -> list[tuple[DrawResult, Enterprise]]:
    """The task's drawn enterprises and their results, by name."""
    return list(
        session.exec(
            select(DrawResult, Enterprise)
            .join(Enterprise, Enterprise.id == DrawResult.enterprise_id)
            .where(
                DrawResult.task_id == task.id,
                scope.rows(DrawResult.park_id, DrawResult.enterprise_id),
            )
            .order_by(Enterprise.name)
        )
    )


def get_result(session: Session, scope: Scope, result_id: int) -> DrawResult | None:
    """One result, if the scope may see it."""
    return session.exec(
        select(DrawResult).where(
            DrawResult.id == result_id, scope.rows(DrawResult.park_id, DrawResult.enterprise_id)
        )
    ).first()


def teams(session: Session, task: DrawTask) -> dict[int, list[tuple[Assignment, Officer]]]:
    """The current officers of each drawn enterprise of a task, the leader first."""
    rows = session.exec(
        select(Assignment, Officer)
        .join(Officer, Officer.id == Assignment.officer_id)
        .where(Assignment.task_id == task.id, Assignment.current.is_(True))
        .order_by(Assignment.expert, Assignment.leader.desc(), Assignment.id)
    )
    out: dict[int, list[tuple[Assignment, Officer]]] = {}
    for assignment, officer in rows:
        out.setdefault(assignment.enterprise_id, []).append((assignment, officer))
    return out


def published_results(session: Session, task: DrawTask) -> list[tuple[DrawResult, Enterprise]]:
    """The task's published results (一公开), by enterprise name."""
    return list(
        session.exec(
            select(DrawResult, Enterprise)
            .join(Enterprise, Enterprise.id == DrawResult.enterprise_id)
            .where(DrawResult.task_id == task.id, DrawResult.state == ResultState.PUBLISHED)
            .order_by(Enterprise.name)
        )
    )


def hazard_states(session: Session, inspection_id: int | None) -> dict[str, int]:
    """How many of the hazards found at a result's inspection are in each state."""
    if inspection_id is None:
        return {}
    return dict(
        session.exec(
            select(Hazard.state, func.count())
            .where(Hazard.inspection_id == inspection_id)
            .group_by(Hazard.state)
        ).all()
    )


@dataclass
class DirectoryEntry:
    """An enterprise of the 检查对象名录库 with its tags."""

    enterprise: Enterprise
    credit_class: str | None
    risk_grade: str | None
    last_inspected: date | None
    # The inspections that count towards the yearly cap, and the cap, by the risk feature's
    # one rule (its grade's cap in the park's settings, 国办发〔2024〕54号).
    inspections_this_year: int
    yearly_cap: int

    @property
    def at_cap(self) -> bool:
        return self.inspections_this_year >= self.yearly_cap


def last_inspected(session: Session, enterprise_ids: list[int]) -> dict[int, date]:
    """The date of each enterprise's last inspection."""
    if not enterprise_ids:
        return {}
    return dict(
        session.exec(
            select(Inspection.enterprise_id, func.max(Inspection.planned_date))
            .where(Inspection.enterprise_id.in_(enterprise_ids))
            .group_by(Inspection.enterprise_id)
        ).all()
    )


def last_officers(session: Session, enterprise_ids: list[int]) -> dict[int, set[int]]:
    """The user ids of the team of each enterprise's last inspection."""
    latest = (
        select(Inspection.enterprise_id, func.max(Inspection.id).label("inspection_id"))
        .where(Inspection.enterprise_id.in_(enterprise_ids))
        .group_by(Inspection.enterprise_id)
        .subquery()
    )
    out: dict[int, set[int]] = {}
    for enterprise_id, user_id in session.exec(
        select(latest.c.enterprise_id, InspectionInspector.user_id).join(
            InspectionInspector, InspectionInspector.inspection_id == latest.c.inspection_id
        )
    ):
        out.setdefault(enterprise_id, set()).add(user_id)
    return out


def credit_classes(session: Session, enterprise_ids: list[int]) -> dict[int, str]:
    """Each enterprise's imported credit class."""
    if not enterprise_ids:
        return {}
    return dict(
        session.exec(
            select(CreditClass.enterprise_id, CreditClass.credit_class).where(
                CreditClass.enterprise_id.in_(enterprise_ids)
            )
        ).all()
    )


def directory(
    session: Session, scope: Scope, enterprises: list[Enterprise], year: int
) -> list[DirectoryEntry]:
    """The directory's tags for these enterprises (already scoped by the caller's select)."""
    ids = [e.id for e in enterprises]
    credit = credit_classes(session, ids)
    grades = risk_grades(session, scope, ids)
    last = last_inspected(session, ids)
    caps = cap_checks(session, enterprises, year)
    return [
        DirectoryEntry(
            enterprise=e,
            credit_class=credit.get(e.id),
            risk_grade=grades.get(e.id),
            last_inspected=last.get(e.id),
            inspections_this_year=caps[e.id].count,
            yearly_cap=caps[e.id].cap,
        )
        for e in enterprises
    ]


def directory_select(scope: Scope):
    """A select of the scope's active enterprises, by credit code."""
    return (
        select(Enterprise)
        .where(scope.rows(Enterprise.park_id, Enterprise.id), Enterprise.active.is_(True))
        .order_by(Enterprise.credit_code)
    )
