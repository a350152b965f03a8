"""The first closed loop over HTTP: log, issue, acknowledge, submit, reject, resubmit, accept."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlmodel import select

from inspection import clock
from inspection.evidence.models import Photo
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.hazards.models import Notice
from tests.factories import image_bytes
from tests.factories import prefixed


def _photos(*names):
    return [(io.BytesIO(image_bytes()), name) for name in names]


def _figure(page: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', page)
    assert match, name
    return match.group(1).strip()


def _hazard(make, hazard_id) -> Hazard:
    return make.get(Hazard, hazard_id)


def test_the_whole_loop_moves_the_closure_rate(world, login, make):
    inspector = login(world.inspector)
    supervisor = login(world.supervisor)
    enterprise = login(world.ours_user)

    # The inspector starts an inspection and logs a hazard with a photo.
    response = inspector.post(
        "/inspections/new",
        data={
            "enterprise_id": str(world.ours.id),
            "type": "routine",
            "planned_date": clock.today().isoformat(),
            "co_inspectors": [str(world.inspector2.id)],
        },
    )
    assert response.status_code == 302
    inspection_id = int(response.headers["Location"].rsplit("/", 1)[1])
    response = inspector.post(
        f"/inspections/{inspection_id}/hazards/new",
        data={
            "title": "安全出口被杂物堵塞",
            "level": "general",
            "category": "fire",
            "location": "二号车间北门",
            "photos": _photos("exit.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with make.session() as s:
        hazard = s.exec(select(Hazard)).one()
    assert hazard.state == "found" and hazard.number.startswith("YH-")

    dashboard = supervisor.get("/dashboard").get_data(as_text=True)
    assert _figure(dashboard, "found") == "1" and _figure(dashboard, "closed") == "0"
    assert _figure(dashboard, "closure-rate") == "0.0%"

    # Not yet visible to the enterprise.
    assert enterprise.get(f"/hazards/{hazard.id}").status_code == 404

    # Issuing makes a numbered notice.
    response = inspector.post(f"/inspections/{inspection_id}/issue")
    assert response.status_code == 302
    with make.session() as s:
        notice = s.exec(select(Notice)).one()
    assert notice.number == f"测开安环整改〔{clock.local(clock.now()).year}〕1号"
    assert "安全出口被杂物堵塞" in enterprise.get("/portal").get_data(as_text=True)

    # The enterprise acknowledges and submits with an after-photo.
    assert enterprise.post(f"/notices/{notice.id}/acknowledge").status_code == 302
    response = enterprise.post(
        f"/hazards/{hazard.id}/submit",
        data=prefixed(
            "submit",
            {
                "measures": "已清理杂物，划定禁止堆放区",
                "responsible_person": "王五",
                "funding_yuan": "500",
                "version": str(_hazard(make, hazard.id).version),
                "photos": _photos("after.jpg"),
            },
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert _hazard(make, hazard.id).state == "submitted"

    # A second inspector re-inspects (the finder may not) and rejects once, with a reason; a
    # deadline posted with it is ignored: a rejection keeps the deadline.
    reviewer = login(world.inspector2)
    new_deadline = clock.today() + timedelta(days=7)
    deadline = _hazard(make, hazard.id).deadline
    response = reviewer.post(
        f"/hazards/{hazard.id}/review",
        data=prefixed(
            "review",
            {
                "decision": "reject",
                "comment": "通道仍有纸箱",
                "new_deadline": new_deadline.isoformat(),
                "version": str(_hazard(make, hazard.id).version),
            },
        ),
    )
    assert response.status_code == 302
    rejected = _hazard(make, hazard.id)
    assert rejected.state == "rectifying"
    assert rejected.deadline == deadline != new_deadline

    # The enterprise resubmits; the re-inspector accepts.
    response = enterprise.post(
        f"/hazards/{hazard.id}/submit",
        data=prefixed(
            "submit",
            {
                "measures": "纸箱已全部清走",
                "version": str(rejected.version),
                "photos": _photos("after2.jpg"),
            },
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    response = reviewer.post(
        f"/hazards/{hazard.id}/review",
        data=prefixed(
            "review",
            {
                "decision": "accept",
                "comment": "复查合格",
                "version": str(_hazard(make, hazard.id).version),
            },
        ),
    )
    assert response.status_code == 302
    closed = _hazard(make, hazard.id)
    assert closed.state == "closed" and closed.closed_by_id == world.inspector2.id

    dashboard = supervisor.get("/dashboard").get_data(as_text=True)
    assert _figure(dashboard, "closed") == "1"
    assert _figure(dashboard, "closure-rate") == "100.0%"

    with make.session() as s:
        events = s.exec(
            select(HazardEvent).where(HazardEvent.hazard_id == hazard.id).order_by(HazardEvent.seq)
        ).all()
        kinds = sorted(p.kind for p in s.exec(select(Photo)).all())
    assert [(e.event, e.from_state, e.to_state) for e in events] == [
        ("record", None, "found"),
        ("issue", "found", "issued"),
        ("acknowledge", "issued", "acknowledged"),
        ("submit", "acknowledged", "submitted"),
        ("reject", "submitted", "rectifying"),
        ("submit", "rectifying", "submitted"),
        ("accept", "submitted", "closed"),
    ]
    assert [e.actor_id for e in events] == [
        world.inspector.id,
        world.inspector.id,
        world.ours_user.id,
        world.ours_user.id,
        world.inspector2.id,
        world.ours_user.id,
        world.inspector2.id,
    ]
    assert events[4].comment == "通道仍有纸箱"
    assert kinds == ["after", "after", "before"]

    # The closed hazard offers no action and refuses any.
    page = reviewer.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "不能再修改" in page and "/review" not in page and "/void" not in page


def _submitted(world, make):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    notice = make.issue(inspection, world.inspector)
    make.acknowledge(notice, world.ours_user)
    return make.submit(hazard, world.ours_user)


def _unchanged(make, hazard):
    with make.session() as s:
        current = s.get(Hazard, hazard.id)
        events = len(s.exec(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)).all())
    return current.state, current.version, events


def test_accepting_a_closed_hazard_is_refused(world, login, make):
    hazard = _submitted(world, make)
    inspector = login(world.inspector2)
    version = str(_hazard(make, hazard.id).version)
    inspector.post(
        f"/hazards/{hazard.id}/review",
        data=prefixed("review", {"decision": "accept", "version": version}),
    )
    before = _unchanged(make, hazard)
    response = inspector.post(
        f"/hazards/{hazard.id}/review",
        data=prefixed("review", {"decision": "accept", "version": str(before[1])}),
    )
    assert response.status_code == 409
    assert (
        f"隐患 {hazard.number} 当前状态为“已销号”，不能执行“复查通过并销号”"
        in response.get_data(as_text=True)
    )
    assert _unchanged(make, hazard) == before


def test_enterprise_cannot_accept_its_own_rectification(world, login, make):
    hazard = _submitted(world, make)
    before = _unchanged(make, hazard)
    response = login(world.ours_user).post(
        f"/hazards/{hazard.id}/review",
        data=prefixed("review", {"decision": "accept", "version": str(before[1])}),
    )
    assert response.status_code == 403
    assert "您无权访问此页面" in response.get_data(as_text=True)
    assert _unchanged(make, hazard) == before


def test_a_stale_decision_is_refused(world, login, make):
    hazard = _submitted(world, make)
    stale_version = str(_hazard(make, hazard.id).version)
    first = login(world.inspector2).post(
        f"/hazards/{hazard.id}/review",
        data=prefixed(
            "review", {"decision": "reject", "comment": "不合格", "version": stale_version}
        ),
    )
    assert first.status_code == 302
    before = _unchanged(make, hazard)
    second = login(make.user("inspector", "inspector3")).post(
        f"/hazards/{hazard.id}/review",
        data=prefixed("review", {"decision": "accept", "version": stale_version}),
    )
    assert second.status_code == 409
    assert "其他人已修改了这条记录" in second.get_data(as_text=True)
    assert _unchanged(make, hazard) == before


def test_rejecting_needs_a_reason(world, login, make):
    hazard = _submitted(world, make)
    before = _unchanged(make, hazard)
    response = login(world.inspector2).post(
        f"/hazards/{hazard.id}/review",
        data=prefixed("review", {"decision": "reject", "comment": "", "version": str(before[1])}),
    )
    assert response.status_code == 400
    assert "请填写理由" in response.get_data(as_text=True)
    assert _unchanged(make, hazard) == before


def test_submission_needs_an_after_photo(world, login, make):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    before = _unchanged(make, hazard)
    response = login(world.ours_user).post(
        f"/hazards/{hazard.id}/submit",
        data=prefixed("submit", {"measures": "已整改", "version": str(before[1])}),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "请至少上传一张整改后的照片" in response.get_data(as_text=True)
    assert _unchanged(make, hazard) == before


def test_a_major_hazard_needs_its_basis(world, login, make):
    inspection = make.inspection(world.ours, world.inspector)
    response = login(world.inspector).post(
        f"/inspections/{inspection.id}/hazards/new",
        data={
            "title": "粉尘爆炸危险场所内设休息室",
            "level": "major",
            "category": "layout",
        },
    )
    assert response.status_code == 422
    assert "重大事故隐患必须填写判定依据" in response.get_data(as_text=True)
    with make.session() as s:
        assert s.exec(select(Hazard)).first() is None


def test_fix_on_the_spot_closes_with_an_after_photo(world, login, make):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    response = login(world.inspector).post(
        f"/hazards/{hazard.id}/fix-on-spot",
        data=prefixed(
            "fix",
            {
                "comment": "现场已移除杂物",
                "version": "1",
                "photos": _photos("fixed.jpg"),
            },
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    fixed = _hazard(make, hazard.id)
    assert fixed.state == "closed" and fixed.handling == "on_spot"


def test_only_the_team_logs_hazards(world, login, make):
    inspection = make.inspection(world.ours, world.inspector)
    response = login(world.inspector2).post(
        f"/inspections/{inspection.id}/hazards/new",
        data={"title": "x", "level": "general", "category": "safety"},
    )
    assert response.status_code == 422
    assert "您不是本次检查的检查组成员" in response.get_data(as_text=True)


def test_enforcement_inspection_needs_two_officers_and_no_third_party(world, login, make):
    from inspection.auth.models import Role

    expert = make.user(Role.INSPECTOR, "expert", third_party=True, organisation="某安全服务公司")
    client = login(world.inspector)
    alone = client.post(
        "/inspections/new",
        data={
            "enterprise_id": str(world.ours.id),
            "type": "routine",
            "enforcement": "y",
            "planned_date": clock.today().isoformat(),
        },
    )
    assert "执法检查至少需要两名执法人员" in alone.get_data(as_text=True)
    with_expert = client.post(
        "/inspections/new",
        data={
            "enterprise_id": str(world.ours.id),
            "type": "routine",
            "enforcement": "y",
            "planned_date": clock.today().isoformat(),
            "co_inspectors": [str(world.inspector2.id), str(expert.id)],
        },
    )
    assert "第三方服务机构人员可以排查隐患，但不能参与执法检查" in with_expert.get_data(
        as_text=True
    )
    ok = client.post(
        "/inspections/new",
        data={
            "enterprise_id": str(world.ours.id),
            "type": "routine",
            "enforcement": "y",
            "planned_date": clock.today().isoformat(),
            "co_inspectors": [str(world.inspector2.id)],
        },
    )
    assert ok.status_code == 302


def test_notice_numbers_are_consecutive_per_year(world, make):
    numbers = []
    for _ in range(3):
        inspection = make.inspection(world.ours, world.inspector)
        make.hazard(inspection, world.inspector)
        numbers.append(make.issue(inspection, world.inspector).seq)
    assert numbers == [1, 2, 3]


def test_my_inspections_today(world, login, make):
    make.inspection(world.ours, world.inspector)
    page = login(world.inspector).get("/inspections/").get_data(as_text=True)
    assert "今日检查" in page and world.ours.name in page
    other = login(world.inspector2).get("/inspections/").get_data(as_text=True)
    assert world.ours.name not in other
