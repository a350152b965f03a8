"""The risk pages: the warnings page, settings refused field by field, an enterprise's grade in
its portal and nobody else's, the list by grade, the dashboard and the month's proposals."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.db import get_session
from inspection.inspections.models import Inspection
from inspection.risk import services
from inspection.risk import warnings
from inspection.risk.models import EnterpriseRisk
from inspection.risk.models import RiskWarning

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _grade_all(app):
    with app.app_context():
        session = get_session()
        services.recompute(session, cause="nightly")
        session.commit()


def _csrf(client, url):
    page = client.get(url).get_data(as_text=True)
    marker = 'name="csrf_token" type="hidden" value="'
    if marker not in page:
        marker = 'name="csrf_token" value="'
    return page.split(marker, 1)[1].split('"', 1)[0]


def test_a_supervisor_handles_a_warning_on_the_page(app, make, world, login):
    with clock.frozen(START):
        for _ in range(3):
            make.inspection(world.ours, world.inspector)
        with app.app_context():
            warnings.sweep(get_session())
            get_session().commit()
        client = login(world.supervisor)
        page = client.get("/risk/warnings")
        assert page.status_code == 200 and world.ours.name in page.get_data(as_text=True)
        (warning,) = [w for w in _all(make, RiskWarning) if w.kind == "over_cap"]
        token = _csrf(client, "/risk/warnings")
        answer = client.post(
            f"/risk/warnings/{warning.id}/handle",
            data={"csrf_token": token, "version": warning.version, "note": "已调整检查计划"},
        )
        assert answer.status_code == 302
    assert make.get(RiskWarning, warning.id).handle_note == "已调整检查计划"
    # Inspectors and enterprises do not see the page; another park's supervisor gets 404.
    assert login(world.inspector).get("/risk/warnings").status_code == 403
    other = make.park("另一园区", "另一")
    stranger = make.user(Role.SUPERVISOR, "stranger", park=other)
    client = login(stranger)
    assert client.post(f"/risk/warnings/{warning.id}/acknowledge", data={}).status_code in (
        400,
        404,
    )


def _all(make, model):
    with make.session() as s:
        return list(s.exec(select(model)))


def test_settings_that_make_no_sense_are_refused_on_the_page_naming_the_field(
    app, make, world, login
):
    client = login(world.supervisor)
    client.set_cookie("locale", "en")
    page = client.get("/risk/settings")
    assert page.status_code == 200
    token = _csrf(client, "/risk/settings")
    from inspection.risk.scoring import DEFAULTS

    data = {**{k: v for k, v in DEFAULTS.items()}, "csrf_token": token, "version": 1}
    data.update({"open_major": -5, "interval_red": 0, "reason": "试"})
    answer = client.post("/risk/settings", data=data)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Must not be negative." in text and "Must be at least 1." in text
    data.update({"open_major": 12, "interval_red": 30})
    assert client.post("/risk/settings", data=data).status_code == 302


def test_an_enterprise_sees_its_own_grade_and_breakdown_and_nothing_of_others(
    app, make, world, login
):
    _grade_all(app)
    own = make.user(Role.ENTERPRISE, "own", enterprise=world.ours)
    client = login(own)
    portal = client.get("/portal").get_data(as_text=True)
    assert f"/risk/enterprises/{world.ours.id}" in portal
    assert client.get(f"/risk/enterprises/{world.ours.id}").status_code == 200
    assert client.get(f"/risk/enterprises/{world.theirs.id}").status_code == 404
    assert client.post(f"/risk/enterprises/{world.ours.id}/override").status_code == 403


def test_the_enterprise_list_filters_and_sorts_by_grade_and_the_dashboard_counts(
    app, make, world, login
):
    _grade_all(app)
    with app.app_context():
        session = get_session()
        row = session.exec(
            select(EnterpriseRisk).where(EnterpriseRisk.enterprise_id == world.theirs.id)
        ).one()
        row.grade = "red"
        session.commit()
    client = login(world.supervisor)
    red = client.get("/enterprises/?grade=red").get_data(as_text=True)
    assert world.theirs.name in red and world.ours.name not in red
    ordered = client.get("/enterprises/?sort=grade").get_data(as_text=True)
    assert ordered.index(world.theirs.name) < ordered.index(world.ours.name)
    assert client.get("/dashboard").status_code == 200


def test_the_months_proposals_are_confirmed_into_planned_inspections(app, make, world, login):
    # Never inspected, registered a year ago: due by its yearly (blue) interval.
    later = clock.now() + timedelta(days=380)
    with clock.frozen(later):
        _grade_all(app)
        client = login(world.supervisor)
        page = client.get("/risk/plan")
        assert page.status_code == 200 and world.ours.name in page.get_data(as_text=True)
        token = _csrf(client, "/risk/plan")
        answer = client.post(
            "/risk/plan",
            data={
                "csrf_token": token,
                "enterprise_ids": [world.ours.id],
                "inspector_ids": [world.inspector.id],
            },
        )
        assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    planned = [i for i in _all(make, Inspection) if i.enterprise_id == world.ours.id]
    assert len(planned) == 1 and planned[0].status == "planned"
    assert planned[0].planned_date.month == (clock.local(later).month % 12) + 1
