"""The lifecycle guards the law sets: each refusal names its rule, and nothing is changed."""

from __future__ import annotations

import io
import uuid
from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from inspection import clock
from inspection.api.models import SyncReceipt
from inspection.auth.models import User
from inspection.campaigns.models import Holiday
from inspection.errors import DomainError
from inspection.evidence.models import Photo
from inspection.hazards import extensions
from inspection.hazards import listing
from inspection.hazards import services
from inspection.hazards.models import ExtensionRequest
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.inspections.models import Answer
from inspection.parks.models import Park
from tests.factories import checked
from tests.factories import image_bytes
from tests.factories import prefixed
from tests.test_sync_api import _upload

BASIS = "应急管理部令第10号 第十一条第（三）项"


def _count(make, model, *where) -> int:
    with make.session() as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def _snapshot(make, hazard_id: int) -> tuple:
    """What a refused step must leave as it was: the row and its history."""
    with make.session() as s:
        row = s.get(Hazard, hazard_id)
        events = s.exec(
            select(func.count()).select_from(HazardEvent).where(HazardEvent.hazard_id == hazard_id)
        ).one()
        return (row.state, row.version, row.deadline, row.level, row.closed_at, events)


def _refusal(make, work) -> str:
    """Run a service that must refuse; its message (the session is rolled back)."""
    with make.app.test_request_context(), pytest.raises(DomainError) as refused:
        make._run(work)
    return refused.value.message


def _major(make, world):
    inspection = make.inspection(world.ours, world.inspector)
    return inspection, make.hazard(inspection, world.inspector, level="major", basis=BASIS)


def _list(make, hazard, supervisor, *, stop_production=False):
    def work(s):
        current = s.get(Hazard, hazard.id)
        return listing.list_hazard(
            s,
            hazard=current,
            actor=s.get(User, supervisor.id),
            level="county",
            body="县安全生产委员会",
            listed_on=None,
            stop_production=stop_production,
            comment=None,
            expected_version=current.version,
        )

    with make.app.test_request_context():
        return make._run(work)


def _set_park(make, **settings) -> None:
    def work(s):
        park = s.exec(select(Park)).first()
        for name, value in settings.items():
            setattr(park, name, value)

    make._run(work)


# Fixing a major hazard on the spot: the web form, the tablet's sync and an existing hazard.


def test_the_web_form_refuses_to_fix_a_major_hazard_on_the_spot(world, make, login):
    version = make.checklist()
    inspection = make.inspection(world.ours, world.inspector, version_ids=[version.id])
    client = login(world.inspector)
    response = client.post(
        f"/inspections/{inspection.id}/hazards/new",
        data={
            "title": "粉尘爆炸危险场所设在多层建筑内",
            "level": "major",
            "category": "layout",
            "basis": BASIS,
            "fixed_on_spot": "y",
            "fix_note": "当场处理",
            "photos": (io.BytesIO(image_bytes()), "before.jpg"),
            "after_photos": (io.BytesIO(image_bytes(noise=True)), "after.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "第十五条" in page and "即查即改" in page
    # What was typed is still there.
    assert "粉尘爆炸危险场所设在多层建筑内" in page
    assert _count(make, Hazard) == 0
    assert _count(make, Photo) == 0
    assert _count(make, HazardEvent) == 0


def test_the_sync_path_refuses_to_fix_a_major_hazard_on_the_spot(world, make, login):
    version = make.checklist()
    inspection = make.inspection(world.ours, world.inspector, version_ids=[version.id])
    with make.session() as s:
        from inspection.checklists.models import ChecklistItem

        criterion = s.exec(
            select(ChecklistItem).where(
                ChecklistItem.version_id == version.id, ChecklistItem.major.is_(True)
            )
        ).first()
    client = login(world.inspector)
    client.set_cookie("locale", "en")
    record = {
        "kind": "hazard",
        "id": str(uuid.uuid4()),
        "inspection": inspection.id,
        "item": criterion.id,
        "title": "粉尘爆炸危险场所设在多层建筑内",
        "level": "major",
        "category": "layout",
        "fixed_on_spot": True,
        "fix_note": "当场处理",
    }
    response = client.post("/api/v1/sync", json={"device": "pad-1", "records": [record]})
    assert response.status_code == 200
    (result,) = response.json["results"]
    assert result["outcome"] == "rejected"
    # The reason the tablet shows names the rule.
    assert (
        "Article 15 of the Interim Provisions" in result["reason"]
        and "major hazard cannot be fixed on the spot" in (result["reason"])
    )
    assert _count(make, Hazard) == 0
    assert _count(make, Answer) == 0  # the failed answer the hazard would have made
    assert _count(make, HazardEvent) == 0
    # The refusal is kept, so the same record sent again gets the same answer.
    with make.session() as s:
        receipt = s.get(SyncReceipt, record["id"])
        assert receipt.outcome == "rejected" and "Article 15" in receipt.reason


def test_the_sync_path_still_fixes_a_general_hazard_on_the_spot(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    client = login(world.inspector)
    photo = _upload(client, inspection.id)
    record = {
        "kind": "hazard",
        "id": str(uuid.uuid4()),
        "inspection": inspection.id,
        "title": "配电箱前堆放杂物",
        "level": "general",
        "category": "electrical",
        "fixed_on_spot": True,
        "after_photos": [photo],
    }
    response = client.post("/api/v1/sync", json={"device": "pad-1", "records": [record]})
    (result,) = response.json["results"]
    assert result["outcome"] == "accepted", result
    with make.session() as s:
        assert s.get(Hazard, result["server_id"]).state == "closed"


def test_an_existing_major_hazard_cannot_be_fixed_on_the_spot(world, make, login):
    _inspection, hazard = _major(make, world)
    before = _snapshot(make, hazard.id)
    response = login(world.inspector).post(
        f"/hazards/{hazard.id}/fix-on-spot",
        data={
            **prefixed("fix", {"comment": "当场处理", "version": str(hazard.version)}),
            "fix-photos": (io.BytesIO(image_bytes()), "after.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code in (409, 422)
    assert "第十五条" in response.get_data(as_text=True)
    assert _snapshot(make, hazard.id) == before


def test_a_listed_hazard_cannot_be_fixed_on_the_spot(world, make):
    _inspection, hazard = _major(make, world)
    _list(make, hazard, world.supervisor)
    before = _snapshot(make, hazard.id)

    def work(s):
        current = s.get(Hazard, hazard.id)
        return services.fix_on_spot(
            s,
            hazard=current,
            actor=s.get(User, world.inspector.id),
            comment="当场处理",
            photos=[checked()],
            expected_version=current.version,
        )

    message = _refusal(make, work)
    assert "挂牌督办" in message and "摘牌销号" in message
    assert _snapshot(make, hazard.id) == before


# Voiding: a major or listed hazard needs a supervisor.


def _void(make, hazard, actor):
    def work(s):
        current = s.get(Hazard, hazard.id)
        return services.void_hazard(
            s,
            hazard=current,
            actor=s.get(User, actor.id),
            reason="误录",
            expected_version=current.version,
        )

    return work


def test_an_inspector_cannot_void_a_major_hazard_a_supervisor_can(world, make):
    _inspection, hazard = _major(make, world)
    before = _snapshot(make, hazard.id)
    message = _refusal(make, _void(make, hazard, world.inspector))
    assert "第四十一条" in message and "重大事故隐患" in message
    assert _snapshot(make, hazard.id) == before
    with make.app.test_request_context():
        make._run(_void(make, hazard, world.supervisor))
    assert make.get(Hazard, hazard.id).state == "voided"


def test_an_inspector_cannot_void_a_listed_hazard(world, make, login):
    _inspection, hazard = _major(make, world)
    _list(make, hazard, world.supervisor)
    before = _snapshot(make, hazard.id)
    message = _refusal(make, _void(make, hazard, world.inspector))
    assert "挂牌督办" in message
    assert _snapshot(make, hazard.id) == before
    # The page says so too.
    response = login(world.inspector).post(
        f"/hazards/{hazard.id}/void",
        data=prefixed("void", {"reason": "误录", "version": str(before[1])}),
    )
    assert response.status_code in (409, 422)
    assert "挂牌督办" in response.get_data(as_text=True)
    assert _snapshot(make, hazard.id) == before


def test_an_inspector_still_voids_a_general_hazard(world, make):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    with make.app.test_request_context():
        make._run(_void(make, hazard, world.inspector))
    assert make.get(Hazard, hazard.id).state == "voided"


# Extensions.


def _issued_major(make, world, *, deadline: date | None = None):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector, level="major", basis=BASIS, deadline=deadline)
    notice = make.issue(inspection, world.inspector)
    make.acknowledge(notice, world.ours_user)
    return make.get(Hazard, hazard.id)


def test_a_listed_hazards_extension_is_decided_by_a_supervisor_whatever_the_park_says(world, make):
    _set_park(make, extension_approver="inspector")
    hazard = _issued_major(make, world)
    _list(make, hazard, world.supervisor)
    request = make.extension(hazard, world.ours_user, days=10)
    before = _snapshot(make, hazard.id)

    def decide(actor):
        def work(s):
            return extensions.decide_extension(
                s,
                request=s.get(ExtensionRequest, request.id),
                actor=s.get(User, actor.id),
                approve=True,
                comment=None,
            )

        return work

    message = _refusal(make, decide(world.inspector))
    assert "挂牌督办" in message
    assert _snapshot(make, hazard.id) == before
    assert make.get(ExtensionRequest, request.id).status == "pending"
    with make.app.test_request_context():
        make._run(decide(world.supervisor))
    assert make.get(Hazard, hazard.id).deadline == request.requested_deadline


def test_an_extension_asked_too_late_is_refused_naming_the_rule(world, make):
    # 20 working days are needed for a major hazard; a deadline a week away leaves at most 5.
    hazard = _issued_major(make, world, deadline=clock.today() + timedelta(days=7))
    before = _snapshot(make, hazard.id)

    def work(s):
        current = s.get(Hazard, hazard.id)
        return extensions.request_extension(
            s,
            hazard=current,
            actor=s.get(User, world.ours_user.id),
            reason="设备到货延迟",
            requested_deadline=current.deadline + timedelta(days=30),
            expected_version=current.version,
        )

    message = _refusal(make, work)
    assert "20" in message and hazard.deadline.isoformat() in message
    assert _snapshot(make, hazard.id) == before
    assert _count(make, ExtensionRequest) == 0
    # A park that sets a shorter lead time lets it through.
    _set_park(make, extension_lead_days_major=0)
    with make.app.test_request_context():
        make._run(work)
    assert _count(make, ExtensionRequest) == 1


def test_extensions_cannot_pass_the_parks_cap(world, make):
    _set_park(make, rectification_max_days=90)
    hazard = _issued_major(make, world)
    before = _snapshot(make, hazard.id)

    def work(s):
        current = s.get(Hazard, hazard.id)
        return extensions.request_extension(
            s,
            hazard=current,
            actor=s.get(User, world.ours_user.id),
            reason="设备到货延迟",
            requested_deadline=clock.today() + timedelta(days=120),
            expected_version=current.version,
        )

    message = _refusal(make, work)
    assert "90" in message
    assert _snapshot(make, hazard.id) == before
    assert _count(make, ExtensionRequest) == 0


def test_a_request_is_due_for_decision_in_the_parks_working_days(world, make):
    today = clock.today()
    # A holiday on the first working day after today pushes the due day by one.
    first = today + timedelta(days=1)
    while first.weekday() >= 5:
        first += timedelta(days=1)
    make._run(
        lambda s: s.add(
            Holiday(
                park_id=s.exec(select(Park)).first().id,
                name="测试假日",
                start_date=first,
                end_date=first,
            )
        )
    )
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector, deadline=today + timedelta(days=60))
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    hazard = make.get(Hazard, 1)
    request = make.extension(hazard, world.ours_user)
    with make.app.app_context(), make.session() as s:
        expected = extensions.add_working_days(s, hazard.park_id, today, 10)
    assert request.decide_by == expected
    days, day = 0, today
    while day < expected:
        day += timedelta(days=1)
        if day.weekday() < 5 and day != first:
            days += 1
    assert days == 10 and expected > today + timedelta(days=13)


# A rejection keeps the deadline.


def test_a_rejected_rectification_keeps_its_deadline(world, make):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    make.submit(hazard, world.ours_user)
    deadline = make.get(Hazard, hazard.id).deadline

    def work(s):
        current = s.get(Hazard, hazard.id)
        return services.reject_rectification(
            s,
            hazard=current,
            actor=s.get(User, world.inspector2.id),
            reason="通道仍有纸箱",
            photos=[],
            expected_version=current.version,
        )

    with make.app.test_request_context():
        make._run(work)
    rejected = make.get(Hazard, hazard.id)
    assert rejected.state == "rectifying" and rejected.deadline == deadline
