"""Recurring inspections: monthly, quarterly and before-holiday plans become campaigns ahead of
time, once each, and the inspectors are told."""

from __future__ import annotations

import json
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from inspection import clock
from inspection.campaigns import recurring
from inspection.campaigns.models import Campaign
from inspection.campaigns.models import Holiday
from inspection.campaigns.models import RecurringPlan
from inspection.db import get_session
from inspection.inspections.models import Inspection
from inspection.notifications.models import Notification
from inspection.parks.models import Park

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _plan(**values) -> RecurringPlan:
    return RecurringPlan(name="p", created_by_id=1, **values)


def test_monthly_and_quarterly_dates():
    monthly = _plan(recurrence="monthly", day=10)
    assert recurring.occurrences(monthly, date(2026, 11, 20), date(2027, 2, 10), []) == [
        date(2026, 12, 10),
        date(2027, 1, 10),
        date(2027, 2, 10),
    ]
    quarterly = _plan(recurrence="quarterly", day=5)
    assert recurring.occurrences(quarterly, date(2026, 11, 20), date(2027, 12, 31), []) == [
        date(2027, 1, 5),
        date(2027, 4, 5),
        date(2027, 7, 5),
        date(2027, 10, 5),
    ]


def test_before_holiday_dates():
    plan = _plan(recurrence="before_holidays", days_before_holiday=3)
    holidays = [
        Holiday(name="元旦", start_date=date(2027, 1, 1), end_date=date(2027, 1, 1)),
        Holiday(name="春节", start_date=date(2027, 2, 6), end_date=date(2027, 2, 12)),
    ]
    assert recurring.occurrences(plan, date(2026, 12, 1), date(2027, 1, 31), holidays) == [
        date(2026, 12, 29)
    ]


def _save_plan(make, world, version_id, **values):
    park_id = make.park().id

    def work(s):
        from inspection.auth.models import User

        return recurring.save_plan(
            s,
            actor=s.get(User, world.inspector.id),
            park=s.get(Park, park_id),
            plan=None,
            values={
                "name": "危化品企业月度例行检查",
                "recurrence": "monthly",
                "type": "routine",
                "day": 5,
                "days_before_holiday": 3,
                "lead_days": 7,
                "duration_days": 10,
                "industry": "化工",
                "version_ids": [version_id],
                "inspector_ids": [world.inspector.id, world.inspector2.id],
                **values,
            },
        )

    return make._run(work)


def _plan_due(app):
    with app.app_context():
        return recurring.plan_due(get_session())


def test_a_monthly_plan_makes_its_campaign_a_week_ahead_once(app, make, world):
    version = make.checklist()
    plan = _save_plan(make, world, version.id)
    with clock.frozen(datetime(2026, 11, 27, 6, 30, tzinfo=SHANGHAI)):
        assert _plan_due(app).campaigns == 0  # 5 December is 8 days away
        clock.advance(timedelta(days=1))
        result = _plan_due(app)
        assert (result.campaigns, result.inspections) == (1, 1)  # the one chemical enterprise
        assert _plan_due(app).campaigns == 0  # and only once
    with make.session() as s:
        campaign = s.exec(select(Campaign)).one()
        assert (campaign.recurring_plan_id, campaign.occurrence) == (plan.id, date(2026, 12, 5))
        assert campaign.due_date == date(2026, 12, 15)
        inspection = s.exec(select(Inspection)).one()
        assert (inspection.enterprise_id, inspection.status) == (world.theirs.id, "planned")
        told = s.exec(select(Notification).where(Notification.kind == "inspections_planned")).all()
    assert sorted(n.recipient_id for n in told) == sorted([world.inspector.id, world.inspector2.id])
    assert json.loads(told[0].params)["count"] == 1


def test_a_plan_that_cannot_be_carried_out_says_why_and_leaves_nothing_half_made(app, make, world):
    version = make.checklist()
    _save_plan(make, world, version.id, industry="印刷")  # no printing company in the park
    with clock.frozen(datetime(2026, 11, 30, 6, 30, tzinfo=SHANGHAI)):
        result = _plan_due(app)
    assert result.problems == 1
    with make.session() as s:
        assert s.exec(select(Campaign)).all() == []
        plan = s.exec(select(RecurringPlan)).one()
    assert plan.last_error.startswith("2026-12-05:") and "企业" in plan.last_error


def test_inspectors_manage_plans_and_holidays_in_the_browser_forms(app, make, world, login):
    version = make.checklist()
    client = login(world.inspector)
    assert "定期检查计划" in client.get("/campaigns/recurring").get_data(as_text=True)
    form = {
        "name": "节前安全检查",
        "recurrence": "before_holidays",
        "type": "pre_holiday",
        "day": "1",
        "days_before_holiday": "3",
        "lead_days": "10",
        "duration_days": "2",
        "industry": "",
        "risk": "",
        "zone": "",
        "checklists": [str(version.id)],
        "active": "y",
    }
    missing = client.post("/campaigns/recurring/new", data=dict(form, checklists=[]))
    assert missing.status_code == 422
    assert "请为计划至少选择一份检查表" in missing.get_data(as_text=True)
    assert client.post("/campaigns/recurring/new", data=form).status_code == 302
    added = client.post(
        "/campaigns/holidays",
        data={"name": "元旦", "start_date": "2027-01-01", "end_date": ""},
    )
    assert added.status_code == 302
    again = client.post("/campaigns/holidays", data={"name": "元旦", "start_date": "2027-01-01"})
    assert again.status_code == 422 and "已在列表中" in again.get_data(as_text=True)
    with clock.frozen(datetime(2026, 12, 20, 9, 0, tzinfo=SHANGHAI)):
        page = client.get("/campaigns/recurring").get_data(as_text=True)
        assert "2026-12-29" in page or "2026年12月29日" in page
        done = client.post("/campaigns/recurring/plan-now", follow_redirects=True)
    assert "已生成 1 个专项行动，共 2 项检查" in done.get_data(as_text=True)
    with make.session() as s:
        plan = s.exec(select(RecurringPlan)).one()
        assert json.loads(plan.inspector_ids) == [world.inspector.id]
    assert login(world.ours_user).get("/campaigns/recurring").status_code == 403
