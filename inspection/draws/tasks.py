"""A 双随机 task: its items, which enterprises, strata and quotas, teams and witnesses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal
from decimal import InvalidOperation

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.draws.models import DrawItem
from inspection.draws.models import DrawTask
from inspection.draws.models import TaskItem
from inspection.draws.models import TaskStatus
from inspection.draws.models import Witness
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.parks.models import Park

STRATA_BY = ("none", "credit", "industry", "risk")
# The quota that applies to a stratum the task names no quota for.
EVERY_STRATUM = "*"


@dataclass
class TaskInput:
    """What a task says, as a form, the demo or a test fills it."""

    name: str
    year: int
    body: str
    item_ids: list[int]
    start_date: date
    due_date: date
    public_source: str
    public_date: date
    directed: bool = False
    filters: dict = field(default_factory=dict)
    strata_by: str = "none"
    # {stratum key or "*": "10%" or "3"}
    quotas: dict[str, str] = field(default_factory=dict)
    inspectors_per_enterprise: int = 2
    with_expert: bool = False
    avoid_last_officers: bool = True
    # [(name, role, nonce)]
    witnesses: list[tuple[str, str, str]] = field(default_factory=list)


def parse_quota(text: str) -> dict:
    """A quota as typed: "10%" (a ratio) or "3" (a count)."""
    text = (text or "").strip().replace("％", "%")
    try:
        if text.endswith("%"):
            ratio = Decimal(text[:-1].strip())
            if not 0 < ratio <= 100:
                raise InvalidOperation
            return {"ratio": format(ratio.normalize(), "f")}
        count = int(text)
        if count < 1:
            raise ValueError
        return {"count": count}
    except (InvalidOperation, ValueError):
        raise DomainError(
            _(
                "“%(value)s” is not a quota: write a ratio such as 10%% or a count such as 3.",
                value=text,
            )
        ) from None


def create_task(session: Session, *, park: Park, actor: User, values: TaskInput) -> DrawTask:
    """Draft a task; its pool is frozen later."""
    if actor.role not in (Role.INSPECTOR, Role.SUPERVISOR):
        raise Forbidden(_("Only inspectors and supervisors can plan random inspections."))
    name = values.name.strip()
    if not name:
        raise DomainError(_("Give the task a name, e.g. 2026年工贸企业双随机抽查."))
    if not values.body.strip():
        raise DomainError(_("Name the body that carries the task out."))
    if not values.item_ids:
        raise DomainError(_("Choose at least one inspection item."))
    items = [session.get(DrawItem, item_id) for item_id in dict.fromkeys(values.item_ids)]
    for item in items:
        if item is None or item.park_id != park.id:
            raise DomainError(_("An item of the task is not on this park's list."))
        if not item.published:
            raise DomainError(
                _(
                    "Item %(code)s (version %(version)s) is not published. Only published items may"
                    " be inspected (国办发〔2024〕54号): publish it first.",
                    code=item.code,
                    version=item.version,
                )
            )
        if item.superseded:
            raise DomainError(
                _("Item %(code)s has a newer published version. Use that one.", code=item.code)
            )
    if values.due_date < values.start_date:
        raise DomainError(_("The task cannot end before it starts."))
    if values.inspectors_per_enterprise < 2:
        raise DomainError(
            _(
                "An enforcement inspection needs at least two officers per enterprise, one of them"
                " the team leader."
            )
        )
    if values.strata_by not in STRATA_BY:
        raise DomainError(_("Choose how the enterprises are divided into strata."))
    quotas = {
        key.strip() or EVERY_STRATUM: parse_quota(text) for key, text in values.quotas.items()
    }
    if not quotas:
        raise DomainError(_("Give a ratio or a count to draw, e.g. 5 or 10%."))
    if not values.public_source.strip():
        raise DomainError(
            _("Name the public value the seed uses, e.g. 上证指数收盘点位, fixed before the draw.")
        )
    witnesses = [(n.strip(), r.strip(), x.strip()) for n, r, x in values.witnesses if n.strip()]
    if not witnesses:
        raise DomainError(_("Name at least one witness, with the nonce they choose."))
    for name_, _role, nonce in witnesses:
        if len(nonce) < 6:
            raise DomainError(
                _(
                    "%(name)s's nonce is too short: at least 6 characters nobody can guess.",
                    name=name_,
                )
            )
    task = DrawTask(
        park_id=park.id,
        name=name,
        year=values.year,
        body=values.body.strip(),
        directed=values.directed,
        filters=json.dumps(values.filters if values.directed else {}, ensure_ascii=False),
        strata_by=values.strata_by,
        quotas=json.dumps(quotas, ensure_ascii=False, sort_keys=True),
        inspectors_per_enterprise=values.inspectors_per_enterprise,
        with_expert=values.with_expert,
        avoid_last_officers=values.avoid_last_officers,
        start_date=values.start_date,
        due_date=values.due_date,
        public_source=values.public_source.strip(),
        public_date=values.public_date,
        created_by_id=actor.id,
    )
    session.add(task)
    session.flush()
    for item in items:
        session.add(TaskItem(task_id=task.id, item_id=item.id))
    for position, (name_, role, nonce) in enumerate(witnesses):
        session.add(
            Witness(
                park_id=park.id,
                task_id=task.id,
                position=position,
                name=name_,
                role=role,
                nonce=nonce,
            )
        )
    session.flush()
    return task


def witnesses(session: Session, task: DrawTask) -> list[Witness]:
    """A task's witnesses in their order."""
    return list(
        session.exec(select(Witness).where(Witness.task_id == task.id).order_by(Witness.position))
    )


def change_witness_nonce(session: Session, *, task: DrawTask, witness: Witness, nonce: str) -> None:
    """A witness's nonce may change until the pool is frozen, never after."""
    if task.status != TaskStatus.DRAFT:
        raise DomainError(
            _(
                "The pool is frozen and its hash published: the seed inputs it commits to cannot"
                " change any more."
            )
        )
    witness.nonce = nonce.strip()
    session.add(witness)
    session.flush()
