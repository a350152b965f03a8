"""The demo park's programme beyond its own inspections (programme.yaml): assigned cases taken
along their closed loop, listed enterprises, the wood-products campaign's outcomes and the
chemical park's two assessments with their projects."""

from __future__ import annotations

import io
import random
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import yaml
from openpyxl import Workbook
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.assignments import importing
from inspection.assignments import services as cases
from inspection.assignments.models import AssignedCase
from inspection.auth.models import User
from inspection.campaigns.models import Campaign
from inspection.demo import pictures
from inspection.enterprises import credit_code
from inspection.enterprises import organisation_code
from inspection.enterprises.models import DischargePermit
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Zone
from inspection.evidence.documents import CheckedDocument
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardState
from inspection.inspections.models import Inspection
from inspection.parks.models import Park
from inspection.programme import listings
from inspection.programme import outcomes
from inspection.programme import parkgrade

DATA_FILE = Path(__file__).with_name("programme.yaml")
ORDER = ("assigned", "acknowledged", "rectifying", "submitted", "accepted", "posting", "closed")


def build(session: Session, *, park: Park, people: dict, bureau: User, now: datetime) -> None:
    """Make the park's programme as programme.yaml describes it."""
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    rng = random.Random(15)
    staff = people["staff"]
    leader, inspector = staff["leader"], staff["inspector"]
    by_name = {
        e.name: e for e in session.exec(select(Enterprise).where(Enterprise.park_id == park.id))
    }
    portal = {user.enterprise_id: user for user in people["portal"].values()}
    for entry in data["batches"]:
        _batch(session, rng, park, entry, by_name, portal, inspector, leader, now)
    _campaign(session, rng, park, data, by_name, inspector, now)
    for entry in data["listings"]:
        _listing(session, park, entry, by_name, leader, bureau, now)
    _assessments(session, rng, park, data, leader, now)


def _doc(rng: random.Random, label: str) -> CheckedDocument:
    return CheckedDocument(pictures.photo(rng, label, after=True), f"{label}.jpg", "image/jpeg")


def _at(now: datetime, days_ago: float):
    return clock.frozen(now - timedelta(days=days_ago))


def _batch(session, rng, park, entry, by_name, portal, inspector, leader, now) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["交办编号", "问题描述", "责任企业", "责任部门", "是否公示"])
    for number, problem, responsible, _target in entry["cases"]:
        department = responsible.removeprefix("部门:") if responsible.startswith("部门:") else ""
        sheet.append([number, problem, "" if department else responsible, department, "是"])
    out = io.BytesIO()
    workbook.save(out)
    received = entry["received_days_ago"]
    with _at(now, received):
        today = clock.today()
        result = importing.import_batch(
            session,
            park=park,
            actor=inspector,
            facts=importing.BatchFacts(
                source=entry["source"],
                issuer=entry["issuer"],
                name=entry["name"],
                received_on=today,
                deadline=today + timedelta(days=entry["deadline_days"]),
            ),
            filename="batch.xlsx",
            data=out.getvalue(),
        )
    for case, (_n, problem, _r, target) in zip(result.cases, entry["cases"], strict=True):
        owner = inspector if case.of_park else portal[case.enterprise_id]
        _walk(session, rng, case, target, owner, inspector, leader, now, received, problem)


def _walk(session, rng, case: AssignedCase, target, owner, inspector, leader, now, start, label):
    """Take a case as far as `target`, a few days a step, ending before today."""
    reopened = target == "reopened"
    goal = ORDER.index("posting" if reopened else target)
    steps = goal + (3 if reopened else 0)
    day = float(start)
    pace = max(1.0, (start - 3) / max(steps, 1))

    def step(action, actor, **values):
        nonlocal day
        day -= pace * rng.uniform(0.6, 1.0)
        with _at(now, max(day, 0.5)):
            action(session, case=case, actor=actor, version=case.version, **values)

    def text(words: str, files=()):
        return {
            "step": cases.Step(
                text=words,
                on=clock.today() + timedelta(days=20),
                body="县生态环境分局",
                files=files,
            )
        }

    if goal >= 1:
        step(cases.acknowledge, owner)
    if goal >= 2:
        step(cases.file_plan, owner, **text("排查原因，制定整改措施，明确责任人和完成时限。"))
        step(
            cases.report_progress,
            owner,
            step=cases.Step(text="已完成现场排查和主体工程。", percent=60),
        )
    if goal >= 3:
        step(cases.submit, owner, **text("已按方案完成整改。", (_doc(rng, label[:12]),)))
    if goal >= 4:
        step(
            cases.accept,
            inspector,
            step=cases.Step(text="现场核查，整改到位。", body="县生态环境分局"),
        )
    if goal >= 5:
        with _at(now, max(day - 1, 0.5)):
            posting_days = 7 if target != "posting" else 10
            cases.post(
                session,
                case=case,
                actor=inspector,
                version=case.version,
                step=cases.Step(percent=posting_days),
            )
        day -= 1
    if reopened:
        with _at(now, max(day - 2, 0.5)):
            cases.record_objection(
                session,
                case=case,
                actor=inspector,
                version=case.version,
                step=cases.Step(text="公示期间群众反映仍有异味。"),
            )
        step(cases.report_progress, owner, step=cases.Step(text="重新排查渗漏点。", percent=30))
        return
    if goal >= 6:
        with _at(now, max(day - 8, 0.5)):
            cases.close(session, case=case, actor=leader, version=case.version, step=cases.Step())


def _campaign(session, rng, park, data, by_name, inspector, now) -> None:
    entry = data["campaign"]
    zones = {z.name: z.id for z in session.exec(select(Zone).where(Zone.park_id == park.id))}
    for index, firm in enumerate(data["wood_enterprises"]):
        rng.randrange(10)  # drawn as before, so the rest of the demo stays the same
        body = f"MA2W{index:02d}WD"
        base = f"91330824{body}{organisation_code.check_character(body)}"
        enterprise = Enterprise(
            park_id=park.id,
            zone_id=zones[firm["zone"]],
            name=firm["name"],
            credit_code=base + credit_code.check_character(base),
            company_code=organisation_code.from_credit_code(base),
            industry="木制品",
            address=f"{park.name}创业大道{200 + index * 5}号",
            scale="small",
            employees=firm["employees"],
            discharge_permit=DischargePermit.REGISTRATION,
            risk_dust=True,
        )
        session.add(enterprise)
        by_name[enterprise.name] = enterprise
    session.flush()
    wood = sorted((e for e in by_name.values() if e.industry == "木制品"), key=lambda e: e.id)
    today = clock.local(now).date()
    campaign = Campaign(
        park_id=park.id,
        name=entry["name"],
        type="special",
        description=entry["description"],
        start_date=today - timedelta(days=entry["started_days_ago"]),
        due_date=today + timedelta(days=entry["due_in_days"]),
        created_by_id=inspector.id,
    )
    session.add(campaign)
    session.flush()
    for enterprise in wood:
        session.add(
            Inspection(
                park_id=park.id,
                enterprise_id=enterprise.id,
                type="special",
                campaign_id=campaign.id,
                planned_date=campaign.start_date + timedelta(days=rng.randrange(10, 40)),
                due_date=campaign.due_date,
                created_by_id=inspector.id,
            )
        )
    session.flush()
    for index, (enterprise, outcome) in enumerate(zip(wood, entry["outcomes"], strict=True)):
        with _at(now, 100 - index * 7):
            outcomes.record_outcome(
                session,
                campaign=campaign,
                actor=inspector,
                enterprise_id=enterprise.id,
                outcome=outcome,
                decided_on=clock.today(),
                note=None,
                document=None if outcome == "unfinished" else _doc(rng, enterprise.name[:8]),
            )


def _listing(session, park, entry, by_name, leader, bureau, now) -> None:
    enterprise = by_name[entry["enterprise"]]
    hazards = session.exec(
        select(Hazard).where(Hazard.enterprise_id == enterprise.id).order_by(Hazard.id)
    ).all()
    closed = [h.id for h in hazards if h.state == HazardState.CLOSED][:2]
    still_open = [h.id for h in hazards if h.state != HazardState.CLOSED][:2]
    case_ids = [
        c.id
        for c in session.exec(
            select(AssignedCase).where(AssignedCase.enterprise_id == enterprise.id)
        )
        if (c.state == "closed") == entry["removed"]
    ][:1]
    hazard_ids = closed if entry["removed"] else still_open
    with _at(now, 120):
        listing = listings.list_enterprise(
            session,
            park=park,
            actor=leader,
            enterprise_id=enterprise.id,
            level=entry["level"],
            body=entry["body"],
            reason=entry["reason"],
            listed_on=clock.today(),
            deadline=clock.today() + timedelta(days=90),
            hazard_ids=hazard_ids,
            case_ids=case_ids,
        )
    if entry["removed"] and not listings.open_items(session, listing):
        with _at(now, 10):
            listings.delist(
                session,
                listing=listing,
                actor=leader if entry["level"] == "park" else bureau,
                comment=f"{entry['body']}办公室同意摘牌",
                version=listing.version,
            )


def _assessments(session, rng, park, data, leader, now) -> None:
    version = parkgrade.assessment_version(session, park)
    items = parkgrade.scored_items(session, version)
    code_of = {item.code: item.id for item in items}
    first, second = data["assessments"]
    with _at(now, first["days_ago"]):
        assessment = parkgrade.record_assessment(
            session,
            park=park,
            actor=leader,
            version=version,
            assessed_on=clock.today(),
            results={i.id: "fail" if i.code in first["failed"] else "pass" for i in items},
            note=first["note"],
        )
        for entry in data["projects"]:
            project = parkgrade.start_project(
                session,
                assessment=assessment,
                actor=leader,
                item_id=code_of[entry["item"]],
                title=entry["title"],
                owner=entry["owner"],
                budget_yuan=entry["budget"],
                milestones=entry["milestones"],
                due_on=clock.today() + timedelta(days=entry["due_days"]),
            )
            entry["project"] = project
    for entry in data["projects"]:
        project = entry["project"]
        with _at(now, first["days_ago"] - entry["due_days"] / 2):
            parkgrade.report_project(
                session,
                project=project,
                actor=leader,
                progress=50,
                note="按节点推进中",
                document=None,
                close=False,
                version=project.version,
            )
        if entry["closed"]:
            with _at(now, max(first["days_ago"] - entry["due_days"], second["days_ago"] + 2)):
                parkgrade.report_project(
                    session,
                    project=project,
                    actor=leader,
                    progress=100,
                    note="已完成并通过验收",
                    document=_doc(rng, entry["title"][:10]),
                    close=True,
                    version=project.version,
                )
    with _at(now, second["days_ago"]):
        parkgrade.record_assessment(
            session,
            park=park,
            actor=leader,
            version=version,
            assessed_on=clock.today(),
            results={i.id: "fail" if i.code in second["failed"] else "pass" for i in items},
            note=second["note"],
        )
