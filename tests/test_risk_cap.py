"""The yearly inspection cap (国办发〔2024〕54号) on every path that plans or starts an
inspection: starting one on site, a campaign, a recurring plan and next month's risk-based
proposals. Beyond the cap without a reason is refused naming the cap and the count; with a reason
it is allowed and the reason recorded; targeted inspections are exempt and marked."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.campaigns import recurring
from inspection.db import get_session
from inspection.enterprises.models import Enterprise
from inspection.inspections import services as inspection_services
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionStatus
from inspection.risk import services
from inspection.risk import warnings

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YEAR = datetime(2030, 1, 10, 9, 0, tzinfo=SHANGHAI)
REASON = "群众反映夜间违规生产，需再次检查"
# The refusal in Chinese names the count so far and the blue grade's cap (2 by default).
REFUSED = ("已检查 2 次", "年度检查上限为 2 次", "超限理由")


def _plan_twice(make, world, planned=date(2030, 11, 2)):
    """Two planned inspections of `ours` later in 2030: the blue grade's yearly cap."""

    def work(s):
        for _ in range(2):
            inspection_services.open_inspection(
                s,
                enterprise=s.get(Enterprise, world.ours.id),
                actor=s.get(User, world.supervisor.id),
                team=[s.get(User, world.inspector.id)],
                type="routine",
                planned_date=planned,
                enforcement=False,
                summary=None,
                status=InspectionStatus.PLANNED,
            )

    make._run(work)


def _inspections_of(make, enterprise_id):
    with make.session() as s:
        return list(
            s.exec(
                select(Inspection)
                .where(Inspection.enterprise_id == enterprise_id)
                .order_by(Inspection.id)
            )
        )


def test_the_service_checks_the_cap_and_returns_the_reason_to_record(app, make, world):
    _plan_twice(make, world)
    with clock.frozen(NEW_YEAR), app.app_context():
        session = get_session()
        ours = session.get(Enterprise, world.ours.id)
        theirs = session.get(Enterprise, world.theirs.id)
        when = date(2030, 3, 1)
        assert services.check_cap(session, enterprise=theirs, planned_date=when) is None
        with pytest.raises(services.CapReached) as refused:
            services.check_cap(session, enterprise=ours, planned_date=when, reason="  ")
        assert (refused.value.count, refused.value.cap) == (2, 2)
        assert refused.value.field == "over_cap_reason" and refused.value.status == 422
        assert all(part in refused.value.message for part in REFUSED), refused.value.message
        given = services.check_cap(session, enterprise=ours, planned_date=when, reason=REASON)
        assert given == REASON
        # Targeted after a complaint or a warning, and 举报 inspections, are outside the cap.
        for exempt in ({"targeted": "complaint"}, {"targeted": "warning"}, {"type": "report"}):
            assert services.check_cap(session, enterprise=ours, planned_date=when, **exempt) is None
        with pytest.raises(Exception, match="投诉|complaint"):
            services.check_cap(session, enterprise=ours, planned_date=when, targeted="rumour")
        # Another year starts a new count.
        assert services.check_cap(session, enterprise=ours, planned_date=date(2031, 1, 5)) is None


def test_starting_an_inspection_beyond_the_cap_on_the_page(app, make, world, login):
    _plan_twice(make, world)
    client = login(world.inspector)
    with clock.frozen(NEW_YEAR):
        form = {
            "enterprise_id": world.ours.id,
            "type": "routine",
            "planned_date": "2030-01-10",
            "targeted": "",
        }
        refused = client.post("/inspections/new", data=form)
        text = refused.get_data(as_text=True)
        assert refused.status_code == 422
        assert all(part in text for part in REFUSED), text
        assert len(_inspections_of(make, world.ours.id)) == 2
        allowed = client.post("/inspections/new", data=dict(form, over_cap_reason=REASON))
        assert allowed.status_code == 302
        detail = client.get(allowed.headers["Location"]).get_data(as_text=True)
        assert REASON in detail and "超出年度检查上限" in detail
        targeted = client.post("/inspections/new", data=dict(form, targeted="complaint"))
        assert targeted.status_code == 302
        marked = client.get(targeted.headers["Location"]).get_data(as_text=True)
        assert "针对性检查：因举报投诉，不计入年度上限" in marked
    *_, with_reason, after_complaint = _inspections_of(make, world.ours.id)
    assert (with_reason.over_cap_reason, with_reason.targeted) == (REASON, None)
    assert (after_complaint.over_cap_reason, after_complaint.targeted) == (None, "complaint")


def test_a_campaign_beyond_the_cap_asks_for_the_reason_and_records_it(app, make, world, login):
    version = make.checklist()
    _plan_twice(make, world)
    client = login(world.supervisor)
    with clock.frozen(NEW_YEAR):
        page = client.get("/campaigns/new").get_data(as_text=True)
        assert "所选企业中有 1 家已达年度检查上限" in page and "超过年度上限仍需检查的理由" in page
        form = {
            "name": "五金企业专项检查",
            "type": "special",
            "start_date": "2030-03-01",
            "due_date": "2030-03-31",
            "enterprises": [str(world.ours.id), str(world.theirs.id)],
            "checklists": [str(version.id)],
            "inspectors": [str(world.inspector.id)],
        }
        refused = client.post("/campaigns/new", data=form)
        text = refused.get_data(as_text=True)
        assert refused.status_code == 422 and all(part in text for part in REFUSED), text
        assert len(_inspections_of(make, world.theirs.id)) == 0  # nothing half made
        allowed = client.post("/campaigns/new", data=dict(form, over_cap_reason=REASON))
        assert allowed.status_code == 302
    *_, planned = _inspections_of(make, world.ours.id)
    assert planned.campaign_id and planned.over_cap_reason == REASON
    (within,) = _inspections_of(make, world.theirs.id)
    assert within.over_cap_reason is None  # below its cap: nothing to record


def test_a_recurring_plan_beyond_the_cap_asks_for_the_reason_and_its_occurrences_record_it(
    app, make, world, login
):
    version = make.checklist()
    _plan_twice(make, world)
    client = login(world.inspector)
    with clock.frozen(NEW_YEAR):
        form = {
            "name": "五金企业月度检查",
            "recurrence": "monthly",
            "type": "routine",
            "day": "5",
            "days_before_holiday": "3",
            "lead_days": "7",
            "duration_days": "10",
            "industry": "五金",
            "risk": "",
            "zone": "",
            "checklists": [str(version.id)],
            "inspectors": [str(world.inspector.id)],
            "active": "y",
        }
        refused = client.post("/campaigns/recurring/new", data=form)
        text = refused.get_data(as_text=True)
        assert refused.status_code == 422 and all(part in text for part in REFUSED), text
        saved = client.post("/campaigns/recurring/new", data=dict(form, over_cap_reason=REASON))
        assert saved.status_code == 302
    with clock.frozen(datetime(2030, 1, 30, 6, 30, tzinfo=SHANGHAI)), app.app_context():
        assert recurring.plan_due(get_session()).inspections == 1
    *_, planned = _inspections_of(make, world.ours.id)
    assert planned.planned_date == date(2030, 2, 5) and planned.over_cap_reason == REASON


def test_next_months_proposals_at_the_cap_ask_for_the_reason_and_record_it(app, make, world, login):
    _plan_twice(make, world)
    client = login(world.supervisor)
    with clock.frozen(NEW_YEAR):
        page = client.get("/risk/plan").get_data(as_text=True)
        assert world.ours.name in page and "已达上限" in page
        form = {
            "enterprise_ids": [world.ours.id],
            "inspector_ids": [world.inspector.id],
        }
        refused = client.post("/risk/plan", data=form)
        text = refused.get_data(as_text=True)
        assert refused.status_code == 422 and all(part in text for part in REFUSED), text
        allowed = client.post("/risk/plan", data=dict(form, over_cap_reason=REASON))
        assert allowed.status_code == 302
    *_, planned = _inspections_of(make, world.ours.id)
    assert planned.planned_date.month == 2 and planned.over_cap_reason == REASON


def test_the_over_cap_warning_reads_as_a_sentence(app):
    details = {"count": 3, "cap": 2, "grade": "blue", "year": 2026}
    with app.test_request_context(headers={"Cookie": "locale=zh"}):
        text = warnings.summary("over_cap", details)
    assert text == (
        "2026年已检查 3 次，超过蓝色（低风险）企业的年度检查上限 2 次（国办发〔2024〕54号）"
    )
