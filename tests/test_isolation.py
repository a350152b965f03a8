"""An enterprise user sees its own enterprise only: every URL rule, read and write, is tried."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.campaigns.models import Holiday
from inspection.campaigns.models import RecurringPlan
from inspection.checklists.models import ChecklistItem
from inspection.enterprises.models import Enterprise
from inspection.evidence.models import Photo
from inspection.hazards.models import ExtensionRequest
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.hazards.models import Notice
from inspection.inspections.models import Inspection
from inspection.notifications.models import Delivery
from inspection.notifications.models import Notification
from inspection.notifications.models import WebhookEndpoint
from inspection.parks.models import Park
from inspection.reminders.models import ReminderPolicy
from inspection.risk.models import RiskWarning
from tests.factories import image_bytes

THEIR_MARKERS = ("乙化工有限公司", "乙厂储罐区报警器失效", "乙厂安全员", "乙厂罐区")


def draw_records(make, enterprise, inspector, names: dict[str, str]) -> dict:
    """A drawn 双随机 task of the enterprise's park, its item, officers and a result."""
    from inspection.draws import plan
    from inspection.draws.models import DrawResult

    park = make.get(Park, enterprise.park_id)
    item = make.draw_item(park)
    officer = make.officer(inspector, park=park)
    make.officer(park=park)
    make.officer(park=park)
    supervisor = make.user(Role.SUPERVISOR, park=park)
    task = make.draw_task(
        supervisor, [item], name=f"{names['campaign']}双随机", quotas={"*": "100%"}
    )
    with make.session() as s:
        result = s.exec(select(DrawResult).where(DrawResult.task_id == task.id)).first()
        choice = plan.choose_key(
            s,
            actor=s.get(type(supervisor), supervisor.id),
            enterprise=s.get(type(enterprise), enterprise.id),
            year=task.year,
            reason=f"{names['campaign']}重点检查",
        )
        s.commit()
    return {
        "choice_id": choice.id,
        "draw_item_id": item.id,
        "officer_id": officer.id,
        "task_id": task.id,
        "result_id": result.id,
    }


def draw_state(s, park_id: int | None = None) -> tuple:
    """The draw records (of one park) that a write could change."""
    from inspection.draws import models as draws

    def rows(model, *columns):
        stmt = select(model)
        if park_id is not None:
            stmt = stmt.where(model.park_id == park_id)
        return sorted(tuple(getattr(r, c) for c in columns) for r in s.exec(stmt))

    return (
        rows(draws.DrawItem, "id", "published_on", "superseded", "title"),
        rows(draws.Officer, "id", "version", "valid_until"),
        rows(draws.DrawTask, "id", "status", "version", "seed"),
        rows(draws.DrawResult, "id", "state", "version", "withdrawn"),
        rows(draws.Conflict, "id"),
        rows(draws.Adjustment, "id"),
        rows(draws.CreditClass, "id", "credit_class"),
        rows(draws.Assignment, "id", "current"),
        rows(draws.KeyEnterprise, "id", "reason"),
    )


# Public by design (一公开): a task's page, its draw record and published results, and the
# verifier need no login and show the same to everyone; test_draws.py checks what they hold.
# 扫码验真: the verification page shows a document's number, issuer, date and status only
# (test_verification.py checks that nothing else of the enterprise shows).
PUBLIC = {
    "draws.public_task",
    "draws.public_record",
    "draws.public_results",
    "draws.verifier",
    "verification.page",
    "verification.form",
}


def records_of(make, enterprise, inspector, *, names: dict[str, str]) -> dict:
    """An enterprise's records of every kind (notice issued, plan, extension, campaign,
    signature, notification settings, report), by URL parameter name. `names` gives the
    marker texts: user, hazard, location, campaign."""
    user = make.user(
        Role.ENTERPRISE, f"{names['user_key']}", enterprise=enterprise, display_name=names["user"]
    )
    inspection = make.inspection(enterprise, inspector)
    hazard = make.hazard(inspection, inspector, title=names["hazard"])
    with make.session() as s:
        row = s.get(Hazard, hazard.id)
        row.location = names["location"]
        s.commit()
    notice = make.issue(inspection, inspector)
    own_park = make.get(Park, enterprise.park_id) if names.get("checklist_of_park") else None
    version = make.checklist(names.get("checklist", "test-list"), park=own_park)
    make.use_checklist(inspection, version, inspector)
    make.acknowledge(notice, user)
    plan = make.plan(hazard, user)
    request = make.extension(hazard, user)
    with make.app.test_request_context(), make.session() as s:
        from datetime import date

        from inspection.campaigns.models import Campaign
        from inspection.inspections import signatures
        from tests.test_field import _signature

        campaign = Campaign(
            park_id=enterprise.park_id,
            name=names["campaign"],
            start_date=date(2030, 1, 1),
            due_date=date(2030, 2, 1),
            created_by_id=inspector.id,
        )
        s.add(campaign)
        signature = signatures.sign(
            s,
            inspection=s.get(Inspection, inspection.id),
            actor=s.get(User, inspector.id),
            role="enterprise",
            signer_user_id=None,
            signer_name=names["user"],
            image=signatures.decode_signature(_signature()),
        )
        from inspection.filings.services import FiledStatistics
        from inspection.filings.services import file_statistics

        filing = file_statistics(
            s,
            enterprise=s.get(Enterprise, enterprise.id),
            actor=s.get(User, user.id),
            filed=FiledStatistics(
                period=str(clock.today().year - 1),
                found=3,
                found_major=1,
                rectified=2,
                rectified_major=1,
                still_open=1,
                funding_yuan=1000,
                analysis=names["hazard"],
                principal_name=names["user"],
                signature=signatures.decode_signature(_signature()),
            ),
        )
        s.commit()
        campaign_id, signature_id = campaign.id, signature.id
        filing_id = filing.id
    with make.session() as s:
        notification = s.exec(
            select(Notification).where(Notification.recipient_id == user.id)
        ).first()
    settings = make.notification_settings(user, inspector)
    draws = draw_records(make, enterprise, inspector, names)
    with make.session() as s:
        warning = RiskWarning(
            key=f"over_cap:{enterprise.id}:2026",
            park_id=enterprise.park_id,
            enterprise_id=enterprise.id,
            kind="over_cap",
            details='{"cap": 2, "count": 3, "grade": "blue", "year": 2026}',
        )
        s.add(warning)
        s.commit()
        warning_id = warning.id
    with make.session() as s:
        photo = s.exec(select(Photo).where(Photo.hazard_id == hazard.id)).one()
        item = s.exec(select(ChecklistItem).where(ChecklistItem.version_id == version.id)).first()
    return {
        **programme_records(make, enterprise, inspector, campaign_id, names=names),
        "document_id": plan.document_id,
        "notification_id": notification.id,
        "campaign_id": campaign_id,
        "signature_id": signature_id,
        "filing_id": filing_id,
        "request_id": request.id,
        "template_id": version.template_id,
        "version_id": version.id,
        "section_id": item.section_id,
        "item_id": item.id,
        "hazard_id": hazard.id,
        "notice_id": notice.id,
        "code": _verification_code(make, notice.id),
        "warning_id": warning_id,
        "inspection_id": inspection.id,
        "photo_id": photo.id,
        # A photo taken back before its hazard is saved (the route names it an upload).
        "upload_id": photo.id,
        "user_id": user.id,
        "enterprise_id": enterprise.id,
        "park_id": enterprise.park_id,
        **settings,
        **draws,
        "variant": "thumb",
        "fmt": "csv",
        "filename": "css/app.css",
        # A password reset link's token: a wrong one only says the link is dead (410).
        "token": "not-a-reset-token",
    }


def _verification_code(make, notice_id: int) -> str:
    from inspection.verification import services as verifying

    with make.app.app_context():
        return verifying.code_for(verifying.NOTICE, notice_id)


def programme_records(make, enterprise, inspector, campaign_id: int, *, names: dict) -> dict:
    """The enterprise's assigned case (with a file), listing and campaign outcome, and its
    park's assessment and project, by URL parameter name; marked with `names`."""
    from datetime import date

    from inspection.assignments import lifecycle
    from inspection.assignments.models import AssignedCase
    from inspection.assignments.models import AssignmentBatch
    from inspection.assignments.models import CaseEvidence
    from inspection.checklists import library
    from inspection.checklists import loader
    from inspection.programme import parkgrade
    from inspection.programme.models import CampaignOutcome
    from inspection.programme.models import EnterpriseListing
    from inspection.programme.models import ParkProject

    park = make.get(Park, enterprise.park_id)
    with make.app.test_request_context(), make.session() as s:
        actor = s.get(User, inspector.id)
        batch = AssignmentBatch(
            park_id=park.id,
            source="inspection_team",
            issuer="督察组",
            name=names["campaign"] + "交办",
            received_on=date(2026, 3, 1),
            deadline=date(2026, 6, 30),
            created_by_id=inspector.id,
        )
        s.add(batch)
        s.flush()
        case = AssignedCase(
            park_id=park.id,
            batch_id=batch.id,
            source=batch.source,
            number="JB-" + names["user_key"],
            problem=names["hazard"] + "（交办）",
            enterprise_id=enterprise.id,
            deadline=date(2026, 6, 30),
        )
        s.add(case)
        s.flush()
        event = lifecycle.record_import(s, case, actor)
        evidence = CaseEvidence(
            case_id=case.id,
            event_id=event.id,
            sha256="0" * 64,
            content_type="application/pdf",
            size_bytes=1,
            filename=names["location"] + ".pdf",
            uploaded_by_id=inspector.id,
        )
        listing = EnterpriseListing(
            park_id=park.id,
            enterprise_id=enterprise.id,
            level="county",
            body="县安委会",
            reason=names["location"],
            listed_on=date(2026, 3, 1),
            deadline=date(2026, 6, 30),
            listed_by_id=inspector.id,
        )
        outcome = CampaignOutcome(
            park_id=park.id,
            campaign_id=campaign_id,
            enterprise_id=enterprise.id,
            outcome="closed_down",
            decided_on=date(2026, 3, 1),
            note=names["location"],
            recorded_by_id=inspector.id,
        )
        s.add_all([evidence, listing, outcome])
        definition = loader.parse_file(parkgrade_file())
        library.import_definition(s, definition)
        version = parkgrade.assessment_version(s, park)
        items = parkgrade.scored_items(s, version)
        assessment = parkgrade.record_assessment(
            s,
            park=park,
            actor=actor,
            version=version,
            assessed_on=date(2026, 3, 1),
            results={item.id: "fail" for item in items},
        )
        project = ParkProject(
            park_id=park.id,
            assessment_id=assessment.id,
            item_id=items[0].id,
            title=names["campaign"] + "整治项目",
            owner=names["user"],
            due_on=date(2026, 6, 30),
            created_by_id=inspector.id,
        )
        s.add(project)
        s.commit()
        return {
            "batch_id": batch.id,
            "case_id": case.id,
            "evidence_id": evidence.id,
            "step": "plan",
            "token": case.public_token,
            "listing_id": listing.id,
            "outcome_id": outcome.id,
            "assessment_id": assessment.id,
            "project_id": project.id,
        }


def parkgrade_file():
    """The chemical park's scoring checklist in the library folder."""
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "checklists" / "chemical-park-risk-2023.yaml"


def body_text(response) -> str:
    """A response's text: a PDF's as pdftotext reads it, so leaks in documents are seen too."""
    import subprocess

    data = response.get_data()
    if response.mimetype == "application/pdf":
        return subprocess.run(
            ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
        ).stdout.decode()
    return data.decode(errors="replace")


def programme_state(s) -> tuple:
    """Everything of the programme a write could change."""
    from inspection.assignments.models import AssignedCase
    from inspection.assignments.models import CaseEvent
    from inspection.programme.models import CampaignOutcome
    from inspection.programme.models import EnterpriseListing
    from inspection.programme.models import ParkAssessment
    from inspection.programme.models import ParkProject

    return (
        sorted((c.id, c.state, c.version) for c in s.exec(select(AssignedCase))),
        len(s.exec(select(CaseEvent)).all()),
        sorted((x.id, x.version, x.delisted_at) for x in s.exec(select(EnterpriseListing))),
        sorted((o.id, o.version, o.outcome) for o in s.exec(select(CampaignOutcome))),
        len(s.exec(select(ParkAssessment)).all()),
        sorted((p.id, p.version, p.state) for p in s.exec(select(ParkProject))),
    )


@pytest.fixture
def theirs(world, make):
    """The other enterprise's records, visible to its own user (notice issued)."""
    return records_of(
        make,
        world.theirs,
        world.inspector,
        names={
            "user_key": "theirs2",
            "user": "乙厂安全员",
            "hazard": "乙厂储罐区报警器失效",
            "location": "乙厂罐区",
            "campaign": "乙厂专项",
        },
    )


def _state(make):
    """Everything of the other enterprise that a write could change."""
    with make.session() as s:
        return (
            sorted((h.id, h.state, h.version, h.title, h.deadline) for h in s.exec(select(Hazard))),
            sorted((n.id, n.acknowledged_at, n.version) for n in s.exec(select(Notice))),
            sorted(
                (u.id, u.active, u.version, u.password_hash, u.display_name)
                for u in s.exec(select(User))
            ),
            sorted((e.id, e.name, e.version) for e in s.exec(select(Enterprise))),
            sorted((i.id, i.status, i.version) for i in s.exec(select(Inspection))),
            sorted((r.id, r.status) for r in s.exec(select(ExtensionRequest))),
            sorted((n.id, n.read_at) for n in s.exec(select(Notification))),
            sorted((w.id, w.status, w.version) for w in s.exec(select(RiskWarning))),
            len(s.exec(select(Photo)).all()),
            sorted((d.id, d.status, d.next_attempt_at) for d in s.exec(select(Delivery))),
            sorted((w.id, w.version, w.url) for w in s.exec(select(WebhookEndpoint))),
            sorted((p.id, p.version, p.active) for p in s.exec(select(RecurringPlan))),
            sorted((h.id, h.name) for h in s.exec(select(Holiday))),
            sorted((r.id, r.version) for r in s.exec(select(ReminderPolicy))),
            len(s.exec(select(HazardEvent)).all()),
            draw_state(s),
            programme_state(s),
        )


FORM = {
    "decision": "accept",
    "comment": "越权尝试",
    "reason": "越权尝试",
    "version": "1",
    "measures": "越权尝试",
    "active": "0",
    "password": "newpassword1",
    "display_name": "改名",
    "name": "改名企业有限公司",
    "credit_code": "91350100M000100Y43",
    "industry": "五金",
    "scale": "small",
    "discharge_permit": "none",
    "title": "越权隐患",
    "level": "general",
    "category": "safety",
    "summary": "x",
    "locale": "zh_CN",
}


def _rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
        key=lambda rule: (rule.endpoint == "auth.logout", rule.rule),
    )


def test_every_route_keeps_other_enterprises_out(app, world, theirs, login, make):
    client = login(world.ours_user)
    markers = (*THEIR_MARKERS, make.get(Hazard, theirs["hazard_id"]).number)
    before = _state(make)
    adapter = app.url_map.bind("localhost")
    tried = 0
    for rule in _rules(app):
        unknown = set(rule.arguments) - set(theirs)
        assert not unknown, f"{rule.rule}: add a record of the other enterprise for {unknown}"
        url = adapter.build(rule.endpoint, {name: theirs[name] for name in rule.arguments})
        if "GET" in rule.methods:
            searches = {
                "": None,
                f"?enterprise={world.theirs.id}": None,
                f"?q={THEIR_MARKERS[1]}": THEIR_MARKERS[1],
            }
            for query, typed in searches.items():
                response = client.get(url + query)
                body = body_text(response)
                response.close()
                # What the user typed may be echoed back; anything else of theirs is a leak.
                if rule.endpoint in PUBLIC:
                    break  # the same for everyone (see PUBLIC)
                leaked = [m for m in markers if m in body and m != typed]
                assert not leaked, f"GET {url}{query} showed {leaked}"
                tried += 1
        for method in sorted({"POST", "PUT"} & rule.methods):
            data = dict(FORM, photos=(io.BytesIO(image_bytes()), "x.jpg"))
            response = client.open(
                url, method=method, data=data, content_type="multipart/form-data"
            )
            body = response.get_data(as_text=True)
            response.close()
            assert not [m for m in markers if m in body], f"{method} {url}"
            # These act on the user's own session or notifications only.
            own = (
                "auth.language",
                "auth.logout",
                "auth.login",
                "auth.keepalive",
                "auth.forgot_password",
                "auth.reset_with_link",
                "notifications.read_all",
                "notifications.preferences",
            )
            if rule.endpoint in own:
                before = _state(make)  # the user's own settings may change
            else:
                assert response.status_code in (400, 403, 404, 405, 409, 422), url
            assert _state(make) == before, f"{method} {url} changed another enterprise's records"
            tried += 1
    assert tried > 40


def test_the_enterprise_still_sees_its_own_records(world, theirs, login, make):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector, title="甲厂配电箱未上锁")
    notice = make.issue(inspection, world.inspector)
    client = login(world.ours_user)
    assert "甲厂配电箱未上锁" in client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert client.get(f"/notices/{notice.id}").status_code == 200
    assert "甲厂配电箱未上锁" in client.get("/hazards/").get_data(as_text=True)
    assert "甲厂配电箱未上锁" in client.get("/portal").get_data(as_text=True)


def test_staff_pages_are_closed_to_enterprise_users(world, login):
    client = login(world.ours_user)
    for url in (
        "/enterprises/",
        "/inspections/all",
        "/inspections/",
        "/dashboard",
        "/admin/users/",
        f"/enterprises/{world.ours.id}",
        "/zones/",
        "/enterprises/import",
        "/national-export?period=2026",
        "/national-export/hazards.json?period=2026",
        "/national-export/hazards.xlsx?period=2026",
    ):
        assert client.get(url).status_code == 403, url
