"""The draw itself, adjustments after it, and the campaign it becomes."""

from __future__ import annotations

import json

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.campaigns.models import Campaign
from inspection.draws import pool
from inspection.draws import queries
from inspection.draws.models import Adjustment
from inspection.draws.models import AdjustmentKind
from inspection.draws.models import Assignment
from inspection.draws.models import DrawResult
from inspection.draws.models import DrawTask
from inspection.draws.models import Officer
from inspection.draws.models import TaskStatus
from inspection.draws.tasks import witnesses
from inspection.draws.verify_draw import DrawError
from inspection.draws.verify_draw import derive_seed
from inspection.draws.verify_draw import draw
from inspection.draws.verify_draw import pool_hash
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.inspections import services as inspections
from inspection.inspections.models import InspectionStatus
from inspection.inspections.models import InspectionType
from inspection.parks.models import Park
from inspection.risk.frequency import cap_checks


def run_draw(session: Session, *, task: DrawTask, actor: User, public_value: str) -> DrawTask:
    """Draw once: derive the seed from the published pool hash, the public value and the
    witnesses' nonces, draw, and record who drew and when."""
    if task.status == TaskStatus.DRAFT:
        raise DomainError(_("Freeze the pool and publish its hash before the draw."))
    if task.status != TaskStatus.FROZEN:
        raise DomainError(
            _(
                "This task was drawn on %(when)s. A draw runs once; change its result only by an"
                " adjustment with a reason.",
                when=clock.local(task.drawn_at).strftime("%Y-%m-%d %H:%M"),
            )
        )
    value = (public_value or "").strip()
    if not value:
        raise DomainError(
            _(
                "Enter the public value (%(source)s on %(day)s) as published.",
                source=task.public_source,
                day=task.public_date,
            )
        )
    if clock.today() < task.public_date:
        raise DomainError(
            _(
                "The public value is known only on %(day)s: draw on or after that day.",
                day=task.public_date,
            )
        )
    document = pool.document(task)
    if pool_hash(document) != task.pool_sha256:
        raise DomainError(
            _(
                "The stored pool no longer matches its published hash. Nothing was drawn; tell the"
                " administrator."
            )
        )
    nonces = [w.nonce for w in witnesses(session, task)]
    seed = derive_seed(task.pool_sha256, value, nonces)
    try:
        result = draw(document, seed)
    except DrawError as error:
        raise DomainError(_("The pool cannot be drawn: %(why)s", why=str(error))) from None
    openings = pool.private(task)["entries"]
    for stratum in result["strata"]:
        for place in stratum["drawn"]:
            opened = openings[place["entry"]]
            place.update(
                credit_code=opened["credit_code"], name=opened["name"], opening=opened["opening"]
            )
            _record_team(session, task, opened["enterprise_id"], place)
    task.public_value = value
    task.seed = seed
    task.result = json.dumps(result, ensure_ascii=False, sort_keys=True)
    task.status = TaskStatus.DRAWN
    task.drawn_at = clock.now()
    task.drawn_by_id = actor.id
    task.version += 1
    session.add(task)
    session.flush()
    return task


def _record_team(session: Session, task: DrawTask, enterprise_id: int, place: dict) -> None:
    by_certificate = {
        o.certificate_no: o
        for o in session.exec(select(Officer).where(Officer.park_id == task.park_id))
    }
    session.add(DrawResult(park_id=task.park_id, enterprise_id=enterprise_id, task_id=task.id))
    for index, certificate in enumerate(place["team"]):
        session.add(
            Assignment(
                park_id=task.park_id,
                enterprise_id=enterprise_id,
                task_id=task.id,
                officer_id=by_certificate[certificate].id,
                leader=index == 0,
            )
        )
    if place["expert"]:
        session.add(
            Assignment(
                park_id=task.park_id,
                enterprise_id=enterprise_id,
                task_id=task.id,
                officer_id=by_certificate[place["expert"]].id,
                expert=True,
            )
        )


def adjust(
    session: Session,
    *,
    task: DrawTask,
    actor: User,
    enterprise: Enterprise,
    kind: str,
    reason: str,
    officer_out: Officer | None = None,
    officer_in: Officer | None = None,
) -> Adjustment:
    """A manual change after the draw, with its reason: replace an officer of one enterprise's
    team, or withdraw an enterprise (closed, moved away). The draw record itself never changes."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _(
                "Say why the draw is adjusted, e.g. 检查人员因病无法参加; it is published with the"
                " adjustment."
            )
        )
    if task.status not in (TaskStatus.DRAWN, TaskStatus.CAMPAIGN):
        raise DomainError(_("Only a drawn task can be adjusted."))
    result = session.exec(
        select(DrawResult).where(
            DrawResult.task_id == task.id, DrawResult.enterprise_id == enterprise.id
        )
    ).first()
    if result is None or result.withdrawn:
        raise DomainError(_("%(name)s was not drawn in this task.", name=enterprise.name))
    adjustment = Adjustment(
        park_id=task.park_id,
        enterprise_id=enterprise.id,
        task_id=task.id,
        kind=kind,
        reason=reason,
        made_by_id=actor.id,
    )
    if kind == AdjustmentKind.WITHDRAW_ENTERPRISE:
        result.withdrawn = True
        session.add(result)
    elif kind == AdjustmentKind.REPLACE_OFFICER:
        _replace(session, task, enterprise, officer_out, officer_in)
        adjustment.officer_out_id = officer_out.id
        adjustment.officer_in_id = officer_in.id
    else:
        raise DomainError(_("Choose what the adjustment changes."))
    session.add(adjustment)
    session.flush()
    return adjustment


def _replace(session, task, enterprise, officer_out: Officer | None, officer_in: Officer | None):
    if officer_out is None or officer_in is None:
        raise DomainError(_("Choose the officer who leaves the team and the one who joins it."))
    current = {a.officer_id: a for a, _o in queries.teams(session, task).get(enterprise.id, [])}
    leaving = current.get(officer_out.id)
    if leaving is None:
        raise DomainError(_("%(name)s is not on this team.", name=officer_out.name))
    if officer_in.id in current:
        raise DomainError(_("%(name)s is already on this team.", name=officer_in.name))
    if officer_in.park_id != task.park_id or officer_in.expert != officer_out.expert:
        raise DomainError(_("Choose a replacement from the same directory."))
    if reason := queries.unfit_reason(officer_in, clock.today()):
        raise DomainError(reason)
    if queries.has_conflict(session, officer_in.id, enterprise.id):
        raise DomainError(
            _(
                "%(name)s has declared a conflict with %(enterprise)s and must withdraw (回避).",
                name=officer_in.name,
                enterprise=enterprise.name,
            )
        )
    leaving.current = False
    session.add(leaving)
    session.add(
        Assignment(
            park_id=task.park_id,
            enterprise_id=enterprise.id,
            task_id=task.id,
            officer_id=officer_in.id,
            leader=leaving.leader,
            expert=leaving.expert,
        )
    )


def start_campaign(session: Session, *, task: DrawTask, actor: User) -> Campaign:
    """The draw becomes a campaign: one planned enforcement inspection per drawn enterprise, with
    its drawn team (the leader first) and the items' checklists."""
    if task.status != TaskStatus.DRAWN:
        raise DomainError(_("Draw first; a task becomes a campaign once."))
    park = session.get(Park, task.park_id)
    campaign = Campaign(
        park_id=task.park_id,
        name=task.name,
        type=InspectionType.RANDOM,
        description=_("双随机抽查 task %(name)s", name=task.name),
        start_date=task.start_date,
        due_date=task.due_date,
        enforcement=True,
        created_by_id=actor.id,
    )
    session.add(campaign)
    session.flush()
    checklist_ids = sorted(
        {i for item in queries.task_items(session, task) for i in json.loads(item.checklist_ids)}
    )
    teams = queries.teams(session, task)
    drawn = [
        (result, enterprise)
        for result, enterprise in queries.results(session, pool_scope(task), task)
        if not result.withdrawn
    ]
    _refuse_over_cap(session, task, [enterprise for _r, enterprise in drawn])
    for result, enterprise in drawn:
        members = [o for a, o in teams.get(enterprise.id, []) if not a.expert and o.user_id]
        team = inspections.team_members(session, [o.user_id for o in members], park=park)
        inspection = inspections.open_inspection(
            session,
            enterprise=enterprise,
            actor=actor,
            team=team,
            type=InspectionType.RANDOM,
            planned_date=task.start_date,
            enforcement=True,
            summary=None,
            status=InspectionStatus.PLANNED,
            campaign_id=campaign.id,
            due_date=task.due_date,
        )
        if checklist_ids:
            inspections.use_checklists(session, inspection, checklist_ids, for_campaign=True)
        result.inspection_id = inspection.id
        session.add(result)
    task.campaign_id = campaign.id
    task.status = TaskStatus.CAMPAIGN
    task.version += 1
    session.add(task)
    session.flush()
    return campaign


def _refuse_over_cap(session: Session, task: DrawTask, enterprises: list[Enterprise]) -> None:
    """The pool left out the enterprises at their yearly cap when it was frozen; one that has
    reached it since (another inspection planned meanwhile) is refused by the same rule, the
    risk feature's, and named, before any inspection is planned."""
    checks = cap_checks(session, enterprises, task.year)
    over = [(e, checks[e.id]) for e in enterprises if checks[e.id].reached]
    if over:
        names = "、".join(
            _("%(name)s (%(count)s of %(cap)s)", name=e.name, count=c.count, cap=c.cap)
            for e, c in over
        )
        raise DomainError(
            _(
                "Over the yearly cap (国办发〔2024〕54号): %(names)s. Withdraw each by an"
                " adjustment with a reason (it has had its inspections this year), then plan the"
                " inspections.",
                names=names,
            )
        )


def pool_scope(task: DrawTask) -> Scope:
    """The scope of the task's own park, for the services that work on it."""
    return Scope(park_id=task.park_id)


def record(session: Session, task: DrawTask) -> dict:
    """The published draw record: the pool document, its hash, the seed inputs, the algorithm,
    the result, who drew and when, and the adjustments. The verifier takes exactly this."""
    drawn_by = session.get(User, task.drawn_by_id) if task.drawn_by_id else None
    adjustments = []
    for adjustment in session.exec(
        select(Adjustment).where(Adjustment.task_id == task.id).order_by(Adjustment.id)
    ):
        enterprise = session.get(Enterprise, adjustment.enterprise_id)
        made_by = session.get(User, adjustment.made_by_id)
        out = session.get(Officer, adjustment.officer_out_id) if adjustment.officer_out_id else None
        into = session.get(Officer, adjustment.officer_in_id) if adjustment.officer_in_id else None
        adjustments.append(
            {
                "enterprise": enterprise.name,
                "kind": adjustment.kind,
                "officer_out": out and {"name": out.name, "certificate": out.certificate_no},
                "officer_in": into and {"name": into.name, "certificate": into.certificate_no},
                "reason": adjustment.reason,
                "made_by": made_by.display_name,
                "made_at": adjustment.made_at.isoformat(),
            }
        )
    return {
        "task": {"id": task.id, "name": task.name, "year": task.year},
        "algorithm": pool.document(task)["algorithm"],
        "pool": pool.document(task),
        "pool_sha256": task.pool_sha256,
        "frozen_at": task.frozen_at.isoformat() if task.frozen_at else None,
        "seed_inputs": {
            "public_value": task.public_value,
            "nonces": [w.nonce for w in witnesses(session, task)] if task.seed else [],
        },
        "seed": task.seed,
        "result": json.loads(task.result) if task.result else None,
        "drawn_by": drawn_by.display_name if drawn_by else None,
        "drawn_at": task.drawn_at.isoformat() if task.drawn_at else None,
        "adjustments": adjustments,
    }
