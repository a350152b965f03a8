"""Reminders and escalation: the rules, the sweep on a controllable clock, catching up, and
the admin page for the rules."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import select

from inspection import clock
from inspection.db import get_session
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.notifications.models import Notification
from inspection.reminders import sweep
from inspection.reminders.models import ReminderPolicy
from inspection.reminders.models import SweepState
from inspection.reminders.rules import Steps
from inspection.reminders.rules import deadlines_due
from inspection.reminders.rules import escalates
from inspection.reminders.rules import parse_days
from inspection.reminders.rules import rule_for
from inspection.reminders.rules import statistics_periods_due_within

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 08:00 in the park on Tuesday 1 December 2026.
START = datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI)
GENERAL = Steps(before=(3, 1), on_day=True, overdue_every=3, escalate_after=7)
MAJOR = Steps(before=(7, 3, 1), on_day=True, overdue_every=1, escalate_after=3)


@pytest.fixture
def frozen():
    with clock.frozen(START):
        yield


def _sweep(app) -> sweep.SweepResult:
    with app.app_context():
        result = sweep.run(get_session())
        get_session().commit()
        return result


def _next_day() -> None:
    clock.advance(timedelta(days=1))


def _notifications(make, **where) -> list[Notification]:
    with make.session() as s:
        stmt = select(Notification).order_by(Notification.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(Notification, name) == value)
        return list(s.exec(stmt))


def _issued_hazard(make, world, *, days: int, level: str = "general", basis=None):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(
        inspection,
        world.inspector,
        level=level,
        basis=basis,
        deadline=clock.today() + timedelta(days=days),
    )
    make.issue(inspection, world.inspector)
    return hazard


# --- the rules, as date arithmetic -------------------------------------------------------


def test_the_default_steps_fire_on_the_days_the_issue_names():
    deadline = date(2026, 12, 10)
    fired = {}
    for offset in range(-5, 20):
        day = deadline + timedelta(days=offset)
        rule = rule_for(day, deadline, GENERAL)
        if rule:
            fired[offset] = rule.rule
    assert fired == {
        -3: "before-3",
        -1: "before-1",
        0: "due",
        1: "overdue-1",
        4: "overdue-4",
        7: "overdue-7",
        10: "overdue-10",
        13: "overdue-13",
        16: "overdue-16",
        19: "overdue-19",
    }
    assert [o for o in range(30) if escalates(deadline + timedelta(o), deadline, GENERAL)] == [7]
    assert [o for o in range(30) if escalates(deadline + timedelta(o), deadline, MAJOR)] == [3]


@pytest.mark.parametrize("steps", [GENERAL, MAJOR, Steps((5,), False, 0, 0)])
def test_the_sweep_asks_for_exactly_the_deadlines_that_fire(steps):
    """deadlines_due() is what lets the sweep read only due hazards: it must list every
    deadline a rule fires for on the day, and no other."""
    day = date(2026, 12, 1)
    earliest = day - timedelta(days=400)
    wanted = set(deadlines_due(day, steps, earliest))
    for offset in range(-400, 30):
        deadline = day + timedelta(days=offset)
        fires = rule_for(day, deadline, steps) is not None or escalates(day, deadline, steps)
        assert fires == (deadline in wanted), (offset, fires)


def test_day_lists_are_parsed_strictly():
    assert parse_days("3, 1") == (3, 1)
    assert parse_days("1，7，3") == (7, 3, 1)
    assert parse_days("") == ()
    for wrong in ("3,x", "0", "400", "-1", "2.5"):
        with pytest.raises(ValueError):
            parse_days(wrong)


def test_statistics_reports_fall_due_on_the_fifteenth_and_on_31_january():
    periods = statistics_periods_due_within(date(2027, 1, 8), 30)
    assert [(p.code, p.due) for p in periods] == [
        ("2026Q4", date(2027, 1, 15)),
        ("2026", date(2027, 1, 31)),
    ]
    assert [(p.code, p.due) for p in statistics_periods_due_within(date(2027, 3, 20), 30)] == [
        ("2027Q1", date(2027, 4, 15))
    ]


# --- the sweep on a moving clock ------------------------------------------------------------


def test_a_hazard_due_in_three_days_gets_exactly_its_reminders_and_one_escalation(
    app, make, world, frozen
):
    hazard = _issued_hazard(make, world, days=3)
    seen = []
    for _day in range(16):  # from 3 days before the deadline to 12 days after
        _sweep(app)
        _sweep(app)  # running every sweep twice sends nothing more
        _next_day()
    mine = _notifications(make, recipient_id=world.ours_user.id, hazard_id=hazard.id)
    kinds = [(n.kind, json.loads(n.params).get("days")) for n in mine if n.kind != "notice_issued"]
    assert kinds == [
        ("deadline_near", 3),
        ("deadline_near", 1),
        ("due_today", 0),
        ("overdue", 1),
        ("overdue", 4),
        ("overdue", 7),
        ("overdue", 10),
    ]
    seen = _notifications(make, recipient_id=world.supervisor.id, kind="overdue_escalated")
    assert len(seen) == 1 and json.loads(seen[0].params)["days"] == 7
    inspector = _notifications(make, recipient_id=world.inspector.id, kind="overdue")
    assert len(inspector) == 4
    with make.session() as s:
        events = s.exec(
            select(HazardEvent).where(
                HazardEvent.hazard_id == hazard.id, HazardEvent.event == "escalate_overdue"
            )
        ).all()
    assert len(events) == 1 and events[0].actor_id is None
    assert json.loads(events[0].data) == {"deadline": str(hazard.deadline), "days_overdue": 7}


def test_major_hazards_get_the_stricter_steps(app, make, world, frozen):
    hazard = _issued_hazard(make, world, days=7, level="major", basis="GB 30871-2022 第5.1条")
    for _day in range(12):  # 7 days before to 4 days after the deadline
        _sweep(app)
        _next_day()
    mine = _notifications(make, recipient_id=world.ours_user.id, hazard_id=hazard.id)
    days = [(n.kind, json.loads(n.params)["days"]) for n in mine if n.kind != "notice_issued"]
    assert days == [
        ("deadline_near", 7),
        ("deadline_near", 3),
        ("deadline_near", 1),
        ("due_today", 0),
        ("overdue", 1),
        ("overdue", 2),
        ("overdue", 3),
        ("overdue", 4),
    ]
    # The inspector follows every step of a major hazard, and the supervisors hear on day 3.
    assert len(_notifications(make, recipient_id=world.inspector.id, hazard_id=hazard.id)) >= 8
    escalated = _notifications(make, recipient_id=world.supervisor.id, kind="overdue_escalated")
    assert [json.loads(n.params)["days"] for n in escalated] == [3]


def test_a_scheduler_down_for_two_days_catches_up_once(app, make, world, frozen):
    hazard = _issued_hazard(make, world, days=2)
    first = _sweep(app)
    assert first.days == [clock.today()]
    _next_day()
    _next_day()  # the scheduler is down on these two days
    _next_day()
    caught_up = _sweep(app)
    assert len(caught_up.days) == 3  # the two days missed, and today
    mine = _notifications(make, recipient_id=world.ours_user.id, hazard_id=hazard.id)
    kinds = [(n.kind, json.loads(n.params)["days"]) for n in mine if n.kind != "notice_issued"]
    assert kinds == [("deadline_near", 1), ("due_today", 0), ("overdue", 1)]
    again = _sweep(app)
    assert again.notifications == 0
    assert len(_notifications(make, recipient_id=world.ours_user.id, hazard_id=hazard.id)) == len(
        mine
    )
    with make.session() as s:
        assert s.get(SweepState, "reminders").last_day == clock.today()


def test_closed_submitted_and_unissued_hazards_are_not_reminded(app, make, world, frozen):
    inspection = make.inspection(world.ours, world.inspector)
    unissued = make.hazard(inspection, world.inspector, deadline=clock.today() + timedelta(days=1))
    submitted = _issued_hazard(make, world, days=1)
    notice_id = make.get(Hazard, submitted.id).notice_id
    from inspection.hazards.models import Notice

    make.acknowledge(make.get(Notice, notice_id), world.ours_user)
    make.submit(submitted, world.ours_user)
    result = _sweep(app)
    assert result.hazards_read == 0
    kinds = {n.kind for n in _notifications(make, hazard_id=unissued.id)}
    kinds |= {n.kind for n in _notifications(make, hazard_id=submitted.id)}
    assert not kinds & {"deadline_near", "due_today", "overdue"}


def test_the_sweep_reads_only_the_hazards_that_are_due(app, make, world, frozen):
    due = _issued_hazard(make, world, days=3)
    _issued_hazard(make, world, days=5)  # nothing fires on a deadline 5 days off
    _issued_hazard(make, world, days=2)
    result = _sweep(app)
    assert result.hazards_read == 1
    assert {n.hazard_id for n in _notifications(make, kind="deadline_near")} == {due.id}


def test_the_due_hazards_query_uses_the_partial_index_on_open_deadlines(app, make, world, frozen):
    _issued_hazard(make, world, days=3)
    with app.app_context():
        session = get_session()
        stmt = sweep.due_hazards_statement(1, "general", [date(2026, 12, 4), date(2026, 11, 30)])
        compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        if session.get_bind().dialect.name == "postgresql":
            # A park's table as it looks after a while: mostly closed hazards, statistics kept.
            columns = [c.name for c in Hazard.__table__.columns if c.name not in ("id", "uuid")]
            copied = ", ".join(
                {
                    "number": "number || '-' || n",
                    "state": "CASE WHEN n % 10 = 0 THEN 'found' ELSE 'closed' END",
                }.get(name, name)
                for name in columns
            )
            session.execute(
                text(
                    f"INSERT INTO hazard (uuid, {', '.join(columns)})"
                    f" SELECT gen_random_uuid()::text, {copied}"
                    " FROM hazard, generate_series(1, 3000) AS n"
                )
            )
            session.execute(text("ANALYZE hazard"))
            session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(session.execute(text(f"EXPLAIN {compiled}")).scalars())
        else:
            rows = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            plan = "\n".join(str(row[-1]) for row in rows)
        session.rollback()
    assert "ix_hazard_open_deadline" in plan, plan


def test_waiting_extension_requests_remind_whoever_decides(app, make, world, frozen):
    hazard = _issued_hazard(make, world, days=20)
    notice_id = make.get(Hazard, hazard.id).notice_id
    from inspection.hazards.models import Notice

    make.acknowledge(make.get(Notice, notice_id), world.ours_user)
    make.extension(hazard, world.ours_user)
    for _day in range(6):
        _sweep(app)
        _next_day()
    waiting = _notifications(make, recipient_id=world.supervisor.id, kind="extension_waiting")
    # Waiting 1, 3 and 5 days (every 2 days by default).
    assert [json.loads(n.params)["waiting"] for n in waiting] == [1, 3, 5]


def test_enterprises_are_reminded_of_their_statistics_reports(app, make, world):
    with clock.frozen(datetime(2027, 1, 8, 8, 0, tzinfo=SHANGHAI)):
        _sweep(app)
        _sweep(app)
    reminders = _notifications(make, kind="statistics_due")
    by_user = Counter(n.recipient_id for n in reminders)
    assert by_user == {world.ours_user.id: 1, world.theirs_user.id: 1}
    params = json.loads(reminders[0].params)
    assert params["period"] == "2026Q4" and params["due"] == "2027-01-15"
    from inspection.notifications.messages import render

    with app.test_request_context():
        subject, body = render(reminders[0])
    assert "2026年第4季度" in subject and "2027-01-15" in subject


def test_the_rules_follow_the_parks_settings(app, make, world, frozen):
    with make.session() as s:
        from inspection.parks.models import Park

        park = s.exec(select(Park)).first()
        s.add(ReminderPolicy(park_id=park.id, before_days="5", on_day=False, escalate_after=0))
        s.commit()
    hazard = _issued_hazard(make, world, days=5)
    for _day in range(10):
        _sweep(app)
        _next_day()
    mine = _notifications(make, recipient_id=world.ours_user.id, hazard_id=hazard.id)
    assert [(n.kind, json.loads(n.params)["days"]) for n in mine if n.kind != "notice_issued"] == [
        ("deadline_near", 5),
        ("overdue", 1),
        ("overdue", 4),
    ]
    assert not _notifications(make, kind="overdue_escalated")


# --- the admin page -------------------------------------------------------------------------


def test_admins_change_the_rules_and_wrong_values_are_named(app, make, world, login):
    client = login(world.admin)
    page = client.get("/admin/reminders/")
    assert page.status_code == 200 and "提醒规则" in page.get_data(as_text=True)
    form = {
        "before_days": "5, 2",
        "on_day": "y",
        "overdue_every": "2",
        "escalate_after": "5",
        "major_before_days": "7,3,1",
        "major_overdue_every": "1",
        "major_escalate_after": "3",
        "statistics_before_days": "7,1",
        "extension_every": "2",
        "digest_hour": "9",
        "version": "1",
    }
    wrong = client.post("/admin/reminders/", data=dict(form, before_days="3,x"))
    assert wrong.status_code == 422
    assert "“x”不是 1 到 365 之间的天数" in wrong.get_data(as_text=True)
    saved = client.post("/admin/reminders/", data=form)
    assert saved.status_code == 302
    with make.session() as s:
        policy = s.exec(select(ReminderPolicy)).one()
        assert (policy.before_days, policy.overdue_every, policy.digest_hour) == ("5,2", 2, 9)
    stale = client.post("/admin/reminders/", data=dict(form, version="1", digest_hour="10"))
    assert stale.status_code == 409
    assert login(world.inspector).get("/admin/reminders/").status_code == 403


# --- assigned cases (交办件) follow the same rules -----------------------------------------


def _assigned_cases(make, world, *, days: int):
    """A batch imported by the inspector with one case for our enterprise and one for the park
    itself (a department), both due in `days` days, and one already submitted."""
    from inspection.assignments.models import AssignedCase
    from inspection.assignments.models import AssignmentBatch
    from inspection.assignments.models import CaseState

    deadline = clock.today() + timedelta(days=days)
    with make.session() as s:
        batch = AssignmentBatch(
            park_id=world.ours.park_id,
            source="inspection_team",
            issuer="省第二生态环境保护督察组",
            name="第一批",
            received_on=clock.today(),
            deadline=deadline,
            created_by_id=world.inspector.id,
        )
        s.add(batch)
        s.flush()
        cases = [
            AssignedCase(
                park_id=batch.park_id,
                batch_id=batch.id,
                source=batch.source,
                number=number,
                problem=problem,
                enterprise_id=enterprise_id,
                department=department,
                deadline=deadline,
                state=state,
            )
            for number, problem, enterprise_id, department, state in (
                ("DC-1", "雨水排口异味", world.ours.id, None, CaseState.ACKNOWLEDGED),
                ("DC-2", "雨污管网混接", None, "园区建设局", CaseState.RECTIFYING),
                ("DC-3", "已提交验收的问题", world.ours.id, None, CaseState.SUBMITTED),
            )
        ]
        s.add_all(cases)
        s.commit()
        return [c.id for c in cases]


def test_assigned_cases_get_the_hazard_rules_once_through_the_outbox(
    app, make, world, frozen, login
):
    """A case owed by an enterprise reminds the enterprise, then the importing staff member
    too once overdue; the park's own case reminds that staff member; the supervisors hear once,
    on the day a general hazard's escalation falls; the history notes it; a submitted case is
    not reminded; sweeping twice a day and catching up send nothing twice, through the
    notifications and the outbox alike."""
    from inspection.assignments.models import CaseEvent
    from inspection.notifications.models import Delivery
    from inspection.notifications.models import WebhookEndpoint

    kinds = ["case_deadline_near", "case_due_today", "case_overdue", "case_overdue_escalated"]
    with make.session() as s:
        s.add(
            WebhookEndpoint(
                park_id=world.ours.park_id,
                name="安环办群",
                url="http://127.0.0.1:9/hook",
                kinds=json.dumps(kinds),
            )
        )
        s.commit()
    ours_case, park_case, submitted = _assigned_cases(make, world, days=3)
    for day in range(16):  # from 3 days before the deadline to 12 days after
        if day in (3, 4):  # the scheduler is down on the due day and the next; it catches up
            _next_day()
            continue
        _sweep(app)
        _sweep(app)
        _next_day()

    def seen(user, case_id):
        return [
            (n.kind, json.loads(n.params)["days"])
            for n in _notifications(make, recipient_id=user.id)
            if n.link == f"/assignments/cases/{case_id}" and n.kind != "case_overdue_escalated"
        ]

    expected = [
        ("case_deadline_near", 3),
        ("case_deadline_near", 1),
        ("case_due_today", 0),
        ("case_overdue", 1),
        ("case_overdue", 4),
        ("case_overdue", 7),
        ("case_overdue", 10),
    ]
    assert seen(world.ours_user, ours_case) == expected
    assert seen(world.inspector, ours_case) == expected[3:]  # the follow-up, once overdue
    assert seen(world.inspector, park_case) == expected  # the park's own case: staff owe it
    assert seen(world.ours_user, park_case) == []
    assert not [n for n in _notifications(make) if n.link == f"/assignments/cases/{submitted}"]
    for user in (world.supervisor, world.inspector):
        escalated = _notifications(make, kind="case_overdue_escalated", recipient_id=user.id)
        assert sorted((n.link, json.loads(n.params)["days"]) for n in escalated) == [
            (f"/assignments/cases/{ours_case}", 7),
            (f"/assignments/cases/{park_case}", 7),
        ]
    body = _notifications(make, kind="case_overdue", recipient_id=world.ours_user.id)[0]
    assert json.loads(body.params)["responsible"] == world.ours.name
    with make.session() as s:
        events = s.exec(select(CaseEvent).where(CaseEvent.event == "escalate_overdue")).all()
        assert sorted(e.case_id for e in events) == sorted([ours_case, park_case])
        assert all(e.actor_id is None for e in events)
        assert {json.loads(e.data)["days_overdue"] for e in events} == {7}
        deliveries = s.exec(select(Delivery).where(Delivery.kind.in_(kinds))).all()
    # One webhook delivery per message: 7 reminders for each case, one escalation each.
    assert Counter(d.kind for d in deliveries) == {
        "case_deadline_near": 4,
        "case_due_today": 2,
        "case_overdue": 8,
        "case_overdue_escalated": 2,
    }
    assert len({d.key for d in deliveries}) == len(deliveries)
    # The case's history shows the escalation, as a hazard's does.
    page = login(world.supervisor).get(f"/assignments/cases/{ours_case}").get_data(as_text=True)
    assert "逾期上报分管领导" in page
