"""The demo's 双随机、一公开: items, the two directories, a drawn task on its way to publication
and a frozen one waiting for its public value (park.yaml, `random_inspections`)."""

from __future__ import annotations

import random
from datetime import datetime
from datetime import timedelta

from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.services import create_user
from inspection.checklists.queries import latest_published
from inspection.checklists.queries import library_template
from inspection.demo.data import PASSWORD
from inspection.draws import drawing
from inspection.draws import pool
from inspection.draws import results
from inspection.draws import services
from inspection.draws import tasks
from inspection.draws.models import DrawResult
from inspection.enterprises.models import Enterprise
from inspection.parks.models import Park


def build(
    session: Session, rng: random.Random, data: dict, park: Park, staff: dict, now: datetime
) -> str:
    """Make the park's random inspections; return a line for the demo's summary."""
    spec = data["random_inspections"]
    leader = next(u for u in staff.values() if u.role == Role.SUPERVISOR)
    officers_made = _officers(session, spec, park, staff, now)
    items = _items(session, spec, park, leader, now)
    _credit(session, rng, spec, park)
    enterprises = {
        e.name: e for e in session.exec(select(Enterprise).where(Enterprise.park_id == park.id))
    }
    services.declare_conflict(
        session,
        officer=officers_made[spec["conflict"]["officer"]],
        enterprise=enterprises[spec["conflict"]["enterprise"]],
        reason=spec["conflict"]["reason"],
        actor=leader,
    )
    drawn = 0
    for task_spec in spec["tasks"]:
        drawn += _task(session, rng, spec, task_spec, park, leader, items, staff, now)
    return f"{len(items)} published items, {len(officers_made)} officers, {drawn} drawn"


def _officers(session, spec, park, staff, now) -> dict:
    made = {}
    inspectors = [u for u in staff.values() if u.role == Role.INSPECTOR and not u.third_party]
    entries = [
        {
            "user": u,
            "name": u.display_name,
            "certificate": u.enforcement_certificate,
            "team": "执法一队",
            "specialty": "工贸安全",
        }
        for u in inspectors
        if u.enforcement_certificate
    ]
    for entry in spec["officers"]:
        user = create_user(
            session,
            via="demo",
            username=entry["username"],
            display_name=entry["name"],
            password=PASSWORD,
            role=Role.INSPECTOR,
            park_id=park.id,
            organisation=spec["body"],
            enforcement_certificate=entry["certificate"],
        )
        entries.append({**entry, "user": user})
    today = now.date()
    for entry in entries:
        expired = entry.get("expired", False)
        officer = services.save_officer(
            session,
            park=park,
            values=services.OfficerInput(
                name=entry["name"],
                certificate_no=entry["certificate"],
                valid_from=today - timedelta(days=5 * 365 if expired else 2 * 365),
                valid_until=today - timedelta(days=20 if expired else -3 * 365),
                specialty=entry["specialty"],
                team=entry["team"],
                expert=False,
                user_id=entry["user"].id,
            ),
        )
        made[entry["user"].username] = officer
    for entry in spec["experts"]:
        services.save_officer(
            session,
            park=park,
            values=services.OfficerInput(
                name=entry["name"],
                certificate_no=entry["certificate"],
                valid_from=today - timedelta(days=400),
                valid_until=today + timedelta(days=700),
                specialty=entry["specialty"],
                team=None,
                expert=True,
                user_id=None,
            ),
        )
    return made


def _items(session, spec, park, leader, now) -> list:
    published = []
    with clock.frozen(now - timedelta(days=90)):
        for entry in spec["items"]:
            checklist_ids = []
            for code in entry["checklists"]:
                template = library_template(session, code)
                version = latest_published(session, template.id) if template else None
                if version is not None:
                    checklist_ids.append(version.id)
            item = services.save_item(
                session,
                park=park,
                actor=leader,
                replaces=None,
                values=services.ItemInput(
                    code=entry["code"],
                    title=entry["title"],
                    legal_basis=entry["legal_basis"],
                    content=entry["content"],
                    applies_to=entry["applies_to"],
                    method=entry["method"],
                    body=spec["body"],
                    checklist_ids=checklist_ids,
                ),
            )
            if not entry.get("draft"):
                published.append(services.publish_item(session, item=item))
    return published


def _credit(session, rng, spec, park) -> None:
    weights = spec["credit_weights"]
    rows = ["统一社会信用代码,信用风险分类"]
    for enterprise in session.exec(
        select(Enterprise).where(Enterprise.park_id == park.id).order_by(Enterprise.id)
    ):
        grade = rng.choices(list(weights), weights=list(weights.values()))[0]
        rows.append(f"{enterprise.credit_code},{grade}")
    services.import_credit_classes(
        session,
        park=park,
        filename="credit.csv",
        data="\n".join(rows).encode(),
        source="市场监管部门企业信用风险分类结果（2026年11月）",
    )


def _task(session, rng, spec, task_spec, park, leader, items, staff, now) -> int:
    days_ago = task_spec.get("days_ago", 0)
    at = now - timedelta(days=days_ago)
    witnesses = [(name, role, f"{rng.getrandbits(48):012x}") for name, role in spec["witnesses"]]
    with clock.frozen(at - timedelta(days=2)):
        today = clock.today()
        task = tasks.create_task(
            session,
            park=park,
            actor=leader,
            values=tasks.TaskInput(
                name=task_spec["name"],
                year=today.year,
                body=spec["body"],
                item_ids=[i.id for i in items][:2]
                if task_spec.get("directed")
                else [i.id for i in items],
                start_date=today + timedelta(days=3),
                due_date=today + timedelta(days=33),
                public_source="上证指数收盘点位",
                public_date=(at + timedelta(days=task_spec.get("days_ahead", 0))).date(),
                directed=bool(task_spec.get("directed")),
                filters=task_spec.get("directed", {}),
                strata_by="none" if task_spec.get("directed") else "credit",
                quotas=task_spec["quotas"],
                witnesses=witnesses,
            ),
        )
        pool.freeze(session, task=task, actor=leader)
    if "public_value" not in task_spec:
        return 0
    with clock.frozen(at):
        drawing.run_draw(session, task=task, actor=leader, public_value=task_spec["public_value"])
    with clock.frozen(at + timedelta(days=1)):
        drawing.start_campaign(session, task=task, actor=leader)
    _results(session, task, staff, now)
    return 1


def _results(session, task, staff, now) -> None:
    """Some results published, one reviewed, one entered and late, the rest still to enter."""
    leader = next(u for u in staff.values() if u.role == Role.SUPERVISOR)
    found = session.exec(
        select(DrawResult).where(DrawResult.task_id == task.id).order_by(DrawResult.id)
    ).all()
    codes = (["1"], ["S1"], ["1"], ["S1", "E"], ["S2"], ["1"])
    for index, result in enumerate(found[: len(codes)]):
        inspector = session.get(User, _first_officer_user(session, task, result))
        inspected = (now - timedelta(days=30 - index)).date()
        with clock.frozen(now - timedelta(days=29 - index)):
            results.enter_result(
                session,
                result=result,
                actor=inspector,
                codes=codes[index],
                inspected_on=inspected,
                follow_up="已责令限期整改，隐患整改情况跟踪复查" if codes[index] != ["1"] else None,
                note="企业负责人配合，现场资料齐全" if index == 0 else None,
            )
            if index < 4:
                results.review_result(
                    session, result=result, actor=leader, approve=True, opinion=None
                )
            if index < 3:
                results.publish_result(session, result=result, actor=leader)


def _first_officer_user(session, task, result) -> int:
    from inspection.draws import queries

    team = queries.teams(session, task).get(result.enterprise_id, [])
    return next(o.user_id for a, o in team if a.leader)
