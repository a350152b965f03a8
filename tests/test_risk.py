"""Enterprise risk grades: each factor and rule on hand-built facts, grades moving in the
hazard's own transaction, drift found at night, repeat hazards, warnings on a controlled clock,
settings that make no sense, and the yearly inspection cap."""

from __future__ import annotations

import json
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.auth.scope import EVERYTHING
from inspection.auth.scope import Scope
from inspection.checklists.models import ChecklistItem
from inspection.db import get_session
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.hazards.models import Hazard
from inspection.hazards.recording import FoundHazard
from inspection.hazards.recording import record_hazard
from inspection.inspections import services as inspection_services
from inspection.inspections.models import Inspection
from inspection.notifications.models import Delivery
from inspection.notifications.models import Notification
from inspection.notifications.models import WebhookEndpoint
from inspection.risk import services
from inspection.risk import warnings
from inspection.risk.frequency import CapReached
from inspection.risk.models import EnterpriseRisk
from inspection.risk.models import RiskHistory
from inspection.risk.models import RiskSettingsChange
from inspection.risk.models import RiskWarning
from inspection.risk.queries import current_grades
from inspection.risk.scoring import DEFAULTS
from inspection.risk.scoring import Facts
from inspection.risk.scoring import grade
from tests.factories import checked

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def _points(result, code: str) -> int:
    return sum(f["points"] for f in result.factors if f["code"] == code)


# 1. The score, factor by factor, on hand-built facts.


@pytest.mark.parametrize(
    ("change", "code", "points"),
    [
        ({"flags": frozenset({"major_hazard_source"})}, "major_hazard_source", 15),
        ({"flags": frozenset({"hazardous_chemicals"})}, "hazardous_chemicals", 6),
        ({"flags": frozenset({"dust"})}, "dust", 6),
        ({"flags": frozenset({"ammonia_refrigeration"})}, "ammonia_refrigeration", 6),
        ({"flags": frozenset({"confined_space"})}, "confined_space", 4),
        ({"flags": frozenset({"hazardous_waste"})}, "hazardous_waste", 3),
        ({"industry": "化工", "sector": None}, "industry_chemical", 10),
        ({"scale": "large"}, "size", 4),
        ({"open_general": 3}, "open_general", 3),
        ({"open_general": 30}, "open_general", 10),
        ({"open_major": 1}, "open_major", 10),
        ({"overdue": 2}, "overdue", 4),
        ({"repeat": 2}, "repeat", 6),
        ({"listed": 1}, "listed", 10),
        ({"found_12m": 6, "inspections_12m": 2}, "findings", 6),
        ({"closed_12m": 4, "closed_late_12m": 2}, "late_closure", 5),
    ],
)
def test_each_factor_adds_its_points_and_shows_in_the_breakdown(change, code, points):
    base = Facts(industry="五金", sector="机械", scale="micro")  # 3 points: industry_gongmao
    before = grade(base, DEFAULTS)
    after = grade(Facts(**{**base.__dict__, **change}), DEFAULTS)
    assert _points(after, code) == points
    replaced = 3 if code.startswith("industry") else 0
    assert after.score - before.score == points - replaced


def test_the_score_maps_to_grades_at_the_thresholds():
    values = dict(DEFAULTS)
    facts = Facts(industry="五金", sector="机械", scale="micro")  # 3 points: 工贸 industry
    for open_general, expected in ((0, "blue"), (10, "blue")):
        assert (
            grade(Facts(**{**facts.__dict__, "open_general": open_general}), values).grade
            == expected
        )
    # 3 + 10 (open general, capped) + 20 (two majors) = 33: yellow; + overdue 10 → 43; + repeats.
    worse = Facts(**{**facts.__dict__, "open_general": 10, "open_major": 2})
    assert grade(worse, values).grade == "yellow"
    worse.overdue, worse.repeat, worse.found_12m, worse.inspections_12m = 5, 5, 10, 1
    assert grade(worse, values).score == 3 + 10 + 20 + 10 + 15 + 10
    assert grade(worse, values).grade == "orange"
    worse.listed = 2
    result = grade(worse, values)
    assert result.score == 88 and result.score_grade == "red"


@pytest.mark.parametrize(
    ("change", "rule", "least"),
    [
        ({"flags": frozenset({"major_hazard_source"})}, "rule_major_hazard_source", "orange"),
        ({"listed": 1}, "rule_listed_major", "red"),
        ({"overdue_major": 1}, "rule_overdue_major", "orange"),
        ({"override_grade": "red", "override_reason": "2026年发生死亡事故"}, "override", "red"),
    ],
)
def test_each_mandatory_rule_raises_the_grade_and_says_why(change, rule, least):
    facts = Facts(industry="其他", sector=None, scale="micro", **change)
    result = grade(facts, DEFAULTS)
    assert result.score_grade in ("blue", "yellow")
    assert result.grade == least
    assert [r["code"] for r in result.rules] == [rule]
    # A park that turns the rule off gets the score's grade back (the override stays a person's).
    if rule != "override":
        assert grade(facts, {**DEFAULTS, rule: ""}).grade == result.score_grade


# 2. In the hazard's transaction; drift at night.


def _grade_row(make, enterprise_id):
    with make.session() as s:
        return s.exec(
            select(EnterpriseRisk).where(EnterpriseRisk.enterprise_id == enterprise_id)
        ).first()


def test_a_grade_changes_in_the_same_transaction_as_the_hazard(app, make, world):
    inspection = make.inspection(world.ours, world.inspector)
    with app.app_context():
        session = get_session()
        hazard = record_hazard(
            session,
            inspection=session.get(Inspection, inspection.id),
            actor=session.get(User, world.inspector.id),
            found=FoundHazard(
                title="未设置防爆电气",
                level="major",
                category="electrical",
                basis="应急管理部令第10号 第十一条",
                photos=[checked()],
            ),
        )
        row = session.exec(
            select(EnterpriseRisk).where(EnterpriseRisk.enterprise_id == world.ours.id)
        ).one()
        assert _points_of(row, "open_major") == 10
        # Rolled back with the hazard: the grade never saw it.
        session.rollback()
    assert (
        _grade_row(make, world.ours.id) is None
        or _points_of(_grade_row(make, world.ours.id), "open_major") == 0
    )
    make.hazard(inspection, world.inspector, level="major", basis="应急管理部令第10号 第十一条")
    row = _grade_row(make, world.ours.id)
    assert _points_of(row, "open_major") == 10
    with make.session() as s:
        history = s.exec(
            select(RiskHistory).where(RiskHistory.enterprise_id == world.ours.id)
        ).all()
    assert history[-1].score == row.score and history[-1].cause.startswith("record YH-")
    assert hazard.id  # the rolled-back one had an id inside its transaction


def test_a_regrade_that_moves_nothing_writes_only_on_a_new_day(app, make, world):
    # The nightly drift check compares a grade with the facts of the day it was computed: a
    # regrade may skip its write only when the row already stands for today.
    with clock.frozen(START), app.app_context():
        session = get_session()
        services.recompute(session, cause="nightly")
        session.commit()
        before = _grade_row(make, world.ours.id).computed_at
        clock.advance(timedelta(hours=3))
        services.regrade(session, world.ours.id, cause="bench")
        session.commit()
        assert _grade_row(make, world.ours.id).computed_at == before
        clock.advance(timedelta(days=1))
        services.regrade(session, world.ours.id, cause="bench")
        session.commit()
        assert _grade_row(make, world.ours.id).computed_at == clock.now()
        assert services.recompute(session, cause="nightly").drift == []


def _points_of(row, code):
    return sum(f["points"] for f in json.loads(row.breakdown)["factors"] if f["code"] == code)


def test_the_nightly_recompute_finds_drift_made_behind_the_systems_back(app, make, world):
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector)
    with app.app_context():
        session = get_session()
        assert services.recompute(session, cause="nightly").drift == []
        session.commit()
        # Someone closes the hazard in the database directly: no event, no regrade.
        session.execute(
            text("UPDATE hazard SET state = 'closed', closed_at = :now"), {"now": clock.now()}
        )
        session.commit()
        outcome = services.recompute(session, cause="nightly")
        assert len(outcome.drift) == 1 and f"enterprise {world.ours.id}:" in outcome.drift[0]
        session.commit()
        # Corrected: the next night finds nothing.
        assert services.recompute(session, cause="nightly").drift == []
        # A grade row edited by hand is drift too.
        session.execute(text("UPDATE enterprise_risk SET score = 99, grade = 'red'"))
        session.commit()
        assert len(services.recompute(session, cause="nightly").drift) == 2


# 3. Repeat hazards.


def _closed_on_item(session, inspection_id, inspector_id, item_id):
    hazard = record_hazard(
        session,
        inspection=session.get(Inspection, inspection_id),
        actor=session.get(User, inspector_id),
        found=FoundHazard(
            title="配电箱前堆放杂物",
            level="general",
            category="electrical",
            location="一车间",
            item_id=item_id,
            photos=[checked()],
            fixed_on_spot=True,
            after_photos=[checked()],
        ),
    )
    session.commit()
    return hazard


def _found_on_item(session, inspection_id, inspector_id, item_id):
    hazard = record_hazard(
        session,
        inspection=session.get(Inspection, inspection_id),
        actor=session.get(User, inspector_id),
        found=FoundHazard(
            title="配电箱前又堆放杂物",
            level="general",
            category="electrical",
            location="一车间",
            item_id=item_id,
            photos=[checked()],
        ),
    )
    session.commit()
    return hazard


def _item(make, version, code="i2"):
    with make.session() as s:
        return s.exec(
            select(ChecklistItem).where(
                ChecklistItem.version_id == version.id, ChecklistItem.code == code
            )
        ).one()


@pytest.mark.parametrize(("months", "repeat"), [(11, True), (13, False)])
def test_an_item_failed_again_within_a_year_of_its_closure_is_a_repeat(
    app, make, world, months, repeat
):
    version = make.checklist()
    item = _item(make, version)
    with clock.frozen(START):
        first = make.inspection(world.ours, world.inspector, version_ids=[version.id])
        with app.app_context():
            earlier = _closed_on_item(get_session(), first.id, world.inspector.id, item.id)
    with clock.frozen(START + timedelta(days=30 * months + months // 2)):
        second = make.inspection(world.ours, world.inspector, version_ids=[version.id])
        with app.app_context():
            again = _found_on_item(get_session(), second.id, world.inspector.id, item.id)
        hazard = make.get(Hazard, again.id)
    assert (hazard.repeat_of_id == earlier.id) is repeat
    assert hazard.occurrence == (2 if repeat else 1)
    row = _grade_row(make, world.ours.id)
    assert _points_of(row, "repeat") == (3 if repeat else 0)


def test_a_third_occurrence_escalates_once_however_often_the_sweep_runs(app, make, world):
    version = make.checklist()
    item = _item(make, version)
    at = START
    with app.app_context():
        session = get_session()
        for _ in range(2):
            with clock.frozen(at):
                visit = make.inspection(world.ours, world.inspector, version_ids=[version.id])
                _closed_on_item(session, visit.id, world.inspector.id, item.id)
            at += timedelta(days=40)
        with clock.frozen(at):
            visit = make.inspection(world.ours, world.inspector, version_ids=[version.id])
            third = _found_on_item(session, visit.id, world.inspector.id, item.id)
            assert third.occurrence == 3
            for _ in range(2):
                warnings.sweep(session)
                session.commit()
    with make.session() as s:
        escalated = s.exec(
            select(Notification).where(
                Notification.kind == "repeat_escalated",
                Notification.recipient_id == world.supervisor.id,
            )
        ).all()
        kinds = sorted(w.kind for w in s.exec(select(RiskWarning)))
    assert len(escalated) == 1
    # The second occurrence is older than the sweep looks back; the third is warned of twice:
    # as a repeat, and as the escalated third finding.
    assert kinds.count("repeat_third") == 1 and kinds.count("repeat") == 1


def test_offline_sync_flags_repeats_too(app, make, world, login):
    version = make.checklist()
    item = _item(make, version)
    visit = make.inspection(world.ours, world.inspector, version_ids=[version.id])
    with app.app_context():
        earlier = _closed_on_item(get_session(), visit.id, world.inspector.id, item.id)
    client = login(world.inspector)
    token = client.get("/api/v1/session").json.get("csrf_token")
    record = {
        "kind": "hazard",
        "id": "6a4cbb0e-9d3c-4b8e-9b0e-1f7e8f5e2a11",
        "inspection": visit.id,
        "title": "配电箱前再次堆放杂物",
        "level": "general",
        "category": "electrical",
        "item": item.id,
    }
    response = client.post(
        "/api/v1/sync",
        json={"device": "pad-1", "records": [record]},
        headers={"X-CSRFToken": token} if token else {},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    with make.session() as s:
        synced = s.exec(select(Hazard).where(Hazard.uuid == record["id"])).one()
    assert synced.repeat_of_id == earlier.id and synced.occurrence == 2


# 4. Warnings, one by one, with the clock under control; each delivered once.


def _sweep_twice(app, today):
    with app.app_context():
        session = get_session()
        first = warnings.sweep(session, today)
        session.commit()
        second = warnings.sweep(session, today)
        session.commit()
    return first, second


def _warnings(make, kind):
    with make.session() as s:
        return list(s.exec(select(RiskWarning).where(RiskWarning.kind == kind)))


@pytest.fixture
def robots(make, world):
    """The park's DingTalk and WeCom group robots, subscribed to risk warnings."""
    with make.session() as s:
        for flavour in ("dingtalk", "wecom"):
            s.add(
                WebhookEndpoint(
                    park_id=world.ours.park_id,
                    name=f"安全群（{flavour}）",
                    flavour=flavour,
                    url=f"https://robot.example/{flavour}",
                    kinds=json.dumps(["risk_warning", "repeat_escalated"]),
                )
            )
        s.commit()


def _delivered_once(make, world, warning):
    """The warning reached the outbox once: one notification to the supervisor (in the app and
    its digest) and one delivery per group robot, however often the sweep ran."""
    with make.session() as s:
        told = [
            n
            for n in s.exec(
                select(Notification).where(Notification.recipient_id == world.supervisor.id)
            )
            if n.key.endswith(warning.key)
        ]
        robots = [
            d
            for d in s.exec(select(Delivery).where(Delivery.channel == "webhook"))
            if d.key.endswith(warning.key)
        ]
    assert len(told) == 1, [n.key for n in told]
    assert sorted(d.endpoint_id for d in robots) == sorted({d.endpoint_id for d in robots})
    assert len(robots) == 2, [d.key for d in robots]


def _told(make, world, kind="risk_warning"):
    with make.session() as s:
        return s.exec(
            select(Notification).where(
                Notification.kind == kind, Notification.recipient_id == world.supervisor.id
            )
        ).all()


def test_warning_grade_worsened(app, make, world, robots):
    with clock.frozen(START):
        visit = make.inspection(world.ours, world.inspector)
        for n in range(2):
            make.hazard(
                visit, world.inspector, level="major", basis="10号令 第十一条", title=f"重大{n}"
            )
        with app.app_context():
            session = get_session()
            services.set_override(
                session,
                enterprise=session.get(Enterprise, world.ours.id),
                actor=session.get(User, world.supervisor.id),
                grade_="red",
                reason="死亡事故",
            )
            session.commit()
        first, second = _sweep_twice(app, clock.today())
    (warning,) = [w for w in _warnings(make, "grade_worse") if json.loads(w.details)["to"] == "red"]
    assert warning.enterprise_id == world.ours.id
    assert second == 0 and len(_told(make, world)) == first
    _delivered_once(make, world, warning)


def test_warning_not_inspected_within_the_grades_interval(app, make, world, robots):
    with clock.frozen(START):
        make.inspection(world.ours, world.inspector)
    with clock.frozen(START + timedelta(days=364)):
        _sweep_twice(app, clock.today())
        assert not [w for w in _warnings(make, "not_inspected") if w.enterprise_id == world.ours.id]
    with clock.frozen(START + timedelta(days=367)):
        first, second = _sweep_twice(app, clock.today())
    ours = [w for w in _warnings(make, "not_inspected") if w.enterprise_id == world.ours.id]
    assert len(ours) == 1 and json.loads(ours[0].details)["grade"] == "blue"
    assert second == 0
    _delivered_once(make, world, ours[0])


def test_warning_major_hazard_near_its_deadline_without_a_plan(app, make, world, robots):
    with clock.frozen(START):
        visit = make.inspection(world.ours, world.inspector)
        hazard = make.hazard(
            visit,
            world.inspector,
            level="major",
            basis="10号令 第十一条",
            deadline=START.date() + timedelta(days=10),
        )
        make.issue(visit, world.inspector)
    with clock.frozen(START + timedelta(days=2)):
        _sweep_twice(app, clock.today())
    assert _warnings(make, "major_no_plan") == []
    with clock.frozen(START + timedelta(days=3)):
        first, second = _sweep_twice(app, clock.today())
    (warning,) = _warnings(make, "major_no_plan")
    assert warning.hazard_id == hazard.id and second == 0
    told = [n for n in _told(make, world) if "major_no_plan" in n.key]
    assert len(told) == 1
    _delivered_once(make, world, warning)


def test_warning_overdue_count_rising_three_months_running(app, make, world, robots):
    visit_day = datetime(2025, 11, 20, 9, tzinfo=SHANGHAI)
    for n, month in enumerate((11, 12, 1, 2)):
        year = 2025 if month > 6 else 2026
        with clock.frozen(visit_day.replace(year=year, month=month)):
            visit = make.inspection(world.ours, world.inspector)
            for k in range(n + 1 if n else 0):
                make.hazard(
                    visit,
                    world.inspector,
                    title=f"逾期{month}-{k}",
                    deadline=clock.today() + timedelta(days=5),
                )
    with clock.frozen(START):
        first, second = _sweep_twice(app, clock.today())
    (warning,) = [w for w in _warnings(make, "overdue_rising") if w.enterprise_id == world.ours.id]
    assert json.loads(warning.details)["counts"] == [0, 2, 5, 9]
    assert second == 0
    _delivered_once(make, world, warning)


def test_warning_over_the_yearly_cap(app, make, world, robots):
    with clock.frozen(START):
        for _ in range(3):
            make.inspection(world.ours, world.inspector)
        first, second = _sweep_twice(app, clock.today())
    (warning,) = [w for w in _warnings(make, "over_cap") if w.enterprise_id == world.ours.id]
    assert json.loads(warning.details) == {"cap": 2, "count": 3, "grade": "blue", "year": 2026}
    assert second == 0
    _delivered_once(make, world, warning)


def test_warning_repeat_hazard_is_sent_once_to_the_supervisors(app, make, world, robots):
    version = make.checklist()
    item = _item(make, version)
    with app.app_context():
        session = get_session()
        with clock.frozen(START):
            visit = make.inspection(world.ours, world.inspector, version_ids=[version.id])
            _closed_on_item(session, visit.id, world.inspector.id, item.id)
        with clock.frozen(START + timedelta(days=20)):
            visit = make.inspection(world.ours, world.inspector, version_ids=[version.id])
            _found_on_item(session, visit.id, world.inspector.id, item.id)
    with clock.frozen(START + timedelta(days=21)):
        first, second = _sweep_twice(app, clock.today())
    assert len(_warnings(make, "repeat")) == 1 and second == 0
    assert len([n for n in _told(make, world) if ":repeat:" in n.key]) == 1
    _delivered_once(make, world, _warnings(make, "repeat")[0])


def test_a_supervisor_acknowledges_and_handles_a_warning_kept_in_the_history(app, make, world):
    with clock.frozen(START):
        for _ in range(3):
            make.inspection(world.ours, world.inspector)
        _sweep_twice(app, clock.today())
    (warning,) = [w for w in _warnings(make, "over_cap") if w.enterprise_id == world.ours.id]
    with app.app_context():
        session = get_session()
        row = session.get(RiskWarning, warning.id)
        supervisor = session.get(User, world.supervisor.id)
        with pytest.raises(DomainError):
            warnings.handle(session, warning=row, actor=supervisor, note=" ", expected_version=1)
        warnings.acknowledge(
            session, warning=row, actor=supervisor, note="已阅", expected_version=1
        )
        warnings.handle(
            session, warning=row, actor=supervisor, note="已约谈，调整检查计划", expected_version=2
        )
        session.commit()
    done = make.get(RiskWarning, warning.id)
    assert (done.status, done.acknowledge_note, done.handle_note) == (
        "handled",
        "已阅",
        "已约谈，调整检查计划",
    )


# 5. Settings.


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"open_major": -1}, "open_major"),
        ({"threshold_orange": 80}, "threshold_orange"),
        ({"interval_red": 0}, "interval_red"),
        ({"cap_blue": 0}, "cap_blue"),
        ({"rule_listed_major": "purple"}, "rule_listed_major"),
    ],
)
def test_settings_that_make_no_sense_are_refused_naming_the_field(app, world, change, field):
    with app.app_context():
        session = get_session()
        with pytest.raises(services.SettingsRefused) as refused:
            services.update_settings(
                session,
                park_id=world.ours.park_id,
                actor=session.get(User, world.supervisor.id),
                values=change,
                reason="调整",
                expected_version=1,
            )
    assert list(refused.value.fields) == [field]
    assert field in refused.value.message


def test_a_settings_change_is_recorded_and_regrades_everything_at_once(app, make, world):
    with app.app_context():
        session = get_session()
        services.recompute(session, cause="nightly")
        session.commit()
    assert _grade_row(make, world.theirs.id).grade == "blue"
    with app.app_context():
        session = get_session()
        change = services.update_settings(
            session,
            park_id=world.ours.park_id,
            actor=session.get(User, world.supervisor.id),
            values={"threshold_yellow": 5, "threshold_orange": 10, "threshold_red": 20},
            reason="县局要求从严分级",
            expected_version=1,
        )
        # Not committed yet, and yet every grade has moved in this transaction.
        moved = session.exec(
            select(EnterpriseRisk).where(EnterpriseRisk.enterprise_id == world.theirs.id)
        ).one()
        assert moved.grade != "blue"
        session.commit()
    saved = make.get(RiskSettingsChange, change.id)
    assert saved.reason == "县局要求从严分级" and saved.regraded >= 1
    assert json.loads(saved.after)["threshold_red"] == 20
    with make.session() as s:
        causes = [
            h.cause
            for h in s.exec(select(RiskHistory).where(RiskHistory.enterprise_id == world.theirs.id))
        ]
    assert causes[-1] == "settings: 县局要求从严分级"


# 6. The yearly cap.


def test_planning_beyond_the_cap_needs_a_reason_naming_the_cap_and_the_count(app, make, world):
    with clock.frozen(START):
        for _ in range(2):
            make.inspection(world.ours, world.inspector)
        with app.app_context():
            session = get_session()

            def start(**extra):
                return inspection_services.create_inspection(
                    session,
                    enterprise=session.get(Enterprise, world.ours.id),
                    actor=session.get(User, world.inspector.id),
                    type="routine",
                    planned_date=clock.today(),
                    **extra,
                )

            with pytest.raises(CapReached) as refused:
                start()
            assert "2" in refused.value.message and "54号" in refused.value.message
            session.rollback()
            allowed = start(over_cap_reason="群众反映夜间违规生产，需再次检查")
            assert allowed.over_cap_reason == "群众反映夜间违规生产，需再次检查"
            # Targeted inspections after a complaint or warning are outside the cap.
            targeted = start(targeted="warning")
            assert targeted.targeted == "warning" and targeted.over_cap_reason is None
            session.commit()


def test_current_grades_answers_within_the_scope_only(app, make, world):
    other_park = make.park("另一园区", "另一")
    elsewhere = make.enterprise("丙公司", park=other_park)
    with app.app_context():
        session = get_session()
        ids = [world.ours.id, world.theirs.id, elsewhere.id]
        assert set(current_grades(session, EVERYTHING, ids)) == set(ids)
        mine = current_grades(session, Scope(park_id=world.ours.park_id), ids)
        assert set(mine) == {world.ours.id, world.theirs.id}
        assert set(mine.values()) <= {"red", "orange", "yellow", "blue"}
