"""The rectification workflow beyond the first loop: plans, extensions, supervision, bulk work,
notifications, the notice PDF and the exportable history."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta

import pytest
from sqlmodel import select

from inspection import clock
from inspection.evidence.models import Document
from inspection.hazards.models import ExtensionRequest
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.notifications.models import Notification
from inspection.parks.models import Park
from inspection.storage import content
from tests.factories import image_bytes
from tests.factories import pdf_bytes
from tests.factories import prefixed


def _major(world, make):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(
        inspection,
        world.inspector,
        title="砂光机除尘风管未设火花探测",
        level="major",
        basis="应急管理部令第10号 第十一条第（八）项",
    )
    notice = make.issue(inspection, world.inspector)
    make.acknowledge(notice, world.ours_user)
    return make.get(Hazard, hazard.id)


def _snapshot(make, hazard_id):
    with make.session() as s:
        hazard = s.get(Hazard, hazard_id)
        events = len(s.exec(select(HazardEvent).where(HazardEvent.hazard_id == hazard_id)).all())
        return hazard.state, hazard.version, hazard.deadline, events


def _plan_form(hazard, **changes):
    form = {
        "goals": "消除砂光工序粉尘爆炸隐患",
        "measures": "加装火花探测熄灭装置并联锁",
        "funding_yuan": "50000",
        "materials": "火花探测熄灭装置一套",
        "organization": "设备部",
        "responsible_person": "张三",
        "planned_completion": hazard.deadline.isoformat(),
        "requirements": "按GB 15577安装并验收",
        "safety_measures": "整改期间停用砂光机，设置警戒区",
        "contingency_plan": "整改完成前停用砂光机",
        "version": str(hazard.version),
        "document": (io.BytesIO(pdf_bytes()), "整改方案.pdf"),
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_a_major_hazard_plan_needs_every_element_of_16_ling_article_15(world, make, login):
    hazard = _major(world, make)
    client = login(world.ours_user)
    before = _snapshot(make, hazard.id)
    response = client.post(
        f"/hazards/{hazard.id}/plan",
        data=prefixed(
            "plan",
            _plan_form(hazard, goals=None, materials=None, contingency_plan=None, document=None),
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "第十五条" in page and "目标和任务" in page and "经费和物资" in page
    assert "安全措施和应急预案" in page and "方案文件" in page
    assert _snapshot(make, hazard.id) == before
    # Submitting the rectification is refused until the plan is filed.
    refused = client.post(
        f"/hazards/{hazard.id}/submit",
        data=prefixed(
            "submit",
            {
                "measures": "已整改",
                "version": str(hazard.version),
                "photos": [(io.BytesIO(image_bytes()), "after.jpg")],
            },
        ),
        content_type="multipart/form-data",
    )
    assert refused.status_code in (200, 400)
    assert "第十五条" in refused.get_data(as_text=True)
    assert _snapshot(make, hazard.id) == before
    ok = client.post(
        f"/hazards/{hazard.id}/plan",
        data=prefixed("plan", _plan_form(hazard)),
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    assert make.get(Hazard, hazard.id).state == "rectifying"


def test_a_fake_plan_document_is_refused(world, make, login):
    hazard = _major(world, make)
    response = login(world.ours_user).post(
        f"/hazards/{hazard.id}/plan",
        data=prefixed(
            "plan", _plan_form(hazard, document=(io.BytesIO(b"MZ\x90\x00 not a pdf"), "方案.pdf"))
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "不是 PDF、Word、Excel 文件或照片" in response.get_data(as_text=True)
    assert make.get(Hazard, hazard.id).state == "acknowledged"


def test_the_plan_document_is_served_only_to_those_who_see_the_hazard(world, make, login):
    hazard = _major(world, make)
    plan = make.plan(hazard, world.ours_user)
    url = f"/documents/{plan.document_id}"
    for user, status in ((world.ours_user, 200), (world.inspector, 200), (world.theirs_user, 404)):
        response = login(user).get(url)
        assert response.status_code == status
        response.close()


def test_extension_requested_and_approved_keeps_the_original_deadline(world, make, login):
    hazard = _major(world, make)
    original = hazard.deadline
    wanted = original + timedelta(days=30)
    client = login(world.ours_user)
    response = client.post(
        f"/hazards/{hazard.id}/extension",
        data=prefixed(
            "extension",
            {
                "requested_deadline": wanted.isoformat(),
                "reason": "设备到货延迟",
                "version": str(hazard.version),
            },
        ),
    )
    assert response.status_code == 302
    with make.session() as s:
        request = s.exec(select(ExtensionRequest)).one()
        asked = s.exec(select(Notification).where(Notification.kind == "extension_requested")).all()
    assert [n.recipient_id for n in asked] == [world.supervisor.id]
    # The inspector may not decide in this park (supervisors do, by default).
    refused = login(world.inspector).post(
        f"/extensions/{request.id}/decision", data=prefixed("decision", {"decision": "approve"})
    )
    assert refused.status_code == 403
    assert "本园区的延期由监管领导审批" in refused.get_data(as_text=True)
    approved = login(world.supervisor).post(
        f"/extensions/{request.id}/decision", data=prefixed("decision", {"decision": "approve"})
    )
    assert approved.status_code == 302
    decided = make.get(Hazard, hazard.id)
    assert decided.deadline == wanted and decided.original_deadline == original
    assert make.get(ExtensionRequest, request.id).status == "approved"


def test_the_park_can_let_inspectors_decide_extensions(world, make, login):
    with make.session() as s:
        park = s.exec(select(Park)).one()
        park.extension_approver = "inspector"
        s.commit()
    hazard = _major(world, make)
    request = make.extension(hazard, world.ours_user)
    assert (
        login(world.supervisor)
        .post(
            f"/extensions/{request.id}/decision", data=prefixed("decision", {"decision": "approve"})
        )
        .status_code
        == 403
    )
    response = login(world.inspector).post(
        f"/extensions/{request.id}/decision",
        data=prefixed("decision", {"decision": "refuse", "comment": "无正当理由"}),
    )
    assert response.status_code == 302
    assert make.get(ExtensionRequest, request.id).status == "refused"
    assert make.get(Hazard, hazard.id).deadline == hazard.deadline


def test_an_extension_after_the_deadline_is_refused(world, make, login):
    hazard = _major(world, make)
    late = clock.now() + timedelta(days=70)
    with clock.frozen(late):
        response = login(world.ours_user).post(
            f"/hazards/{hazard.id}/extension",
            data=prefixed(
                "extension",
                {
                    "requested_deadline": (late.date() + timedelta(days=30)).isoformat(),
                    "reason": "来不及",
                    "version": str(hazard.version),
                },
            ),
        )
    assert response.status_code == 400
    assert "延期须在整改期限" in response.get_data(as_text=True)


def test_a_listed_major_hazard_closes_only_when_a_supervisor_approves_removal(world, make, login):
    hazard = _major(world, make)
    supervisor = login(world.supervisor)
    response = supervisor.post(
        f"/hazards/{hazard.id}/list",
        data=prefixed(
            "list",
            {
                "level": "county",
                "body": "县安全生产委员会",
                "stop_production": "y",
                "version": str(hazard.version),
            },
        ),
    )
    assert response.status_code == 302
    make.plan(hazard, world.ours_user)
    make.submit(make.get(Hazard, hazard.id), world.ours_user)
    reviewer = login(world.inspector2)
    current = make.get(Hazard, hazard.id)
    # Rectified under a production stop: acceptance needs the evaluation report (第十八条).
    before = _snapshot(make, hazard.id)
    refused = reviewer.post(
        f"/hazards/{hazard.id}/review",
        data=prefixed("review", {"decision": "accept", "version": str(current.version)}),
    )
    assert refused.status_code == 400 and "第十八条" in refused.get_data(as_text=True)
    assert _snapshot(make, hazard.id) == before
    assert (
        reviewer.post(
            f"/hazards/{hazard.id}/review",
            data={
                **prefixed("review", {"decision": "accept", "version": str(current.version)}),
                "review-evaluation": (io.BytesIO(pdf_bytes()), "评估报告.pdf"),
            },
            content_type="multipart/form-data",
        ).status_code
        == 302
    )
    accepted = make.get(Hazard, hazard.id)
    assert accepted.state == "accepted" and accepted.closed_at is None
    with make.session() as s:
        kinds = s.exec(select(Document.kind).where(Document.hazard_id == hazard.id)).all()
    assert "evaluation" in kinds
    assert "/delist" not in reviewer.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    # Production stopped: removal from the list waits for the 复产 review.
    page = supervisor.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "/resumption" in page and "/delist" not in page
    before = _snapshot(make, hazard.id)
    refused = supervisor.post(
        f"/hazards/{hazard.id}/delist",
        data=prefixed("delist", {"version": str(accepted.version)}),
    )
    assert refused.status_code in (409, 422) and "第二十三条" in refused.get_data(as_text=True)
    assert _snapshot(make, hazard.id) == before
    assert (
        supervisor.post(
            f"/hazards/{hazard.id}/resumption",
            data=prefixed(
                "resumption",
                {"comment": "现场审查合格，同意复产", "version": str(accepted.version)},
            ),
        ).status_code
        == 302
    )
    resumed = make.get(Hazard, hazard.id)
    assert resumed.resumption_approved_at is not None and resumed.state == "accepted"
    assert (
        supervisor.post(
            f"/hazards/{hazard.id}/delist",
            data=prefixed("delist", {"version": str(resumed.version)}),
        ).status_code
        == 302
    )
    closed = make.get(Hazard, hazard.id)
    assert closed.state == "closed" and closed.delisted_at is not None
    register = supervisor.get("/major-hazards").get_data(as_text=True)
    assert hazard.number in register and "县安全生产委员会" in register


def test_a_refusal_goes_to_enforcement_with_its_reason_and_a_supervisor_can_resume(
    world, make, login
):
    hazard = _major(world, make)
    inspector, supervisor = login(world.inspector), login(world.supervisor)
    # A reason is required; without one nothing changes.
    before = _snapshot(make, hazard.id)
    response = inspector.post(
        f"/hazards/{hazard.id}/refuse", data=prefixed("refuse", {"version": str(hazard.version)})
    )
    assert response.status_code == 422 and _snapshot(make, hazard.id) == before
    response = inspector.post(
        f"/hazards/{hazard.id}/refuse",
        data=prefixed("refuse", {"reason": "企业拒不整改", "version": str(hazard.version)}),
    )
    assert response.status_code == 302
    escalated = make.get(Hazard, hazard.id)
    assert escalated.state == "escalated"
    # A stale form is refused with a conflict; the inspector may not resume.
    stale = prefixed("resume", {"reason": "企业承诺整改", "version": str(hazard.version)})
    assert supervisor.post(f"/hazards/{hazard.id}/resume", data=stale).status_code == 409
    fresh = prefixed("resume", {"reason": "企业承诺整改", "version": str(escalated.version)})
    assert inspector.post(f"/hazards/{hazard.id}/resume", data=fresh).status_code == 403
    assert make.get(Hazard, hazard.id).state == "escalated"
    assert supervisor.post(f"/hazards/{hazard.id}/resume", data=fresh).status_code == 302
    assert make.get(Hazard, hazard.id).state == "rectifying"
    with make.session() as s:
        comments = [
            e.comment
            for e in s.exec(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id))
            if e.event in ("refuse", "resume")
        ]
    assert comments == ["企业拒不整改", "企业承诺整改"]


def test_the_finder_may_not_re_inspect_unless_the_park_allows_it(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    make.submit(hazard, world.ours_user)
    current = make.get(Hazard, hazard.id)
    response = login(world.inspector).post(
        f"/hazards/{hazard.id}/review",
        data=prefixed("review", {"decision": "accept", "version": str(current.version)}),
    )
    assert response.status_code == 403
    assert "按本园区规定须由其他检查员复查" in response.get_data(as_text=True)
    with make.session() as s:
        s.exec(select(Park)).one().reviewer_must_differ = False
        s.commit()
    response = login(world.inspector).post(
        f"/hazards/{hazard.id}/review",
        data=prefixed("review", {"decision": "accept", "version": str(current.version)}),
    )
    assert response.status_code == 302


def test_ticking_hazards_for_bulk_work_is_a_mode_of_the_list(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector)
    inspector = login(world.inspector)
    plain = inspector.get("/hazards/?state=found").get_data(as_text=True)
    assert 'name="hazard"' not in plain and 'id="bulk-form"' not in plain
    assert "bulk=1#bulk" in plain  # the way into it
    ticking = inspector.get("/hazards/?state=found&bulk=1").get_data(as_text=True)
    assert 'name="hazard"' in ticking and 'id="bulk-form"' in ticking
    assert "state=found" in ticking.split('id="bulk-form"')[1].split(">")[0]  # keeps the filter
    enterprise = login(world.ours_user).get("/hazards/?bulk=1").get_data(as_text=True)
    assert 'id="bulk-form"' not in enterprise and "bulk=1#bulk" not in enterprise


def test_bulk_actions_report_what_changed_and_what_was_refused(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    open_one = make.hazard(inspection, world.inspector, title="待提醒一")
    open_two = make.hazard(inspection, world.inspector, title="待提醒二")
    make.issue(inspection, world.inspector)
    other = make.inspection(world.ours, world.inspector)
    waiting = make.hazard(other, world.inspector, title="尚未下达")
    client = login(world.inspector)
    ids = [str(h.id) for h in (open_one, open_two, waiting)]
    response = client.post(
        "/hazards/bulk", data={"action": "remind", "scope": "selected", "hazard": ids}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "已处理 2 项隐患" in page and "1 项隐患未处理" in page
    assert waiting.number in page and "不能执行“提醒企业”" in page
    with make.session() as s:
        reminders = s.exec(select(Notification).where(Notification.kind == "reminder")).all()
    assert {n.hazard_id for n in reminders} == {open_one.id, open_two.id}
    # Reminding again the same day changes nothing and says why.
    again = client.post(
        "/hazards/bulk", data={"action": "remind", "scope": "selected", "hazard": ids[:2]}
    ).get_data(as_text=True)
    assert "今天已就该隐患提醒过企业" in again


def test_bulk_extend_applies_to_all_that_match_the_filter(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    hazards = [make.hazard(inspection, world.inspector, title=f"批量{n}") for n in range(3)]
    make.issue(inspection, world.inspector)
    new = clock.today() + timedelta(days=90)
    response = login(world.supervisor).post(
        f"/hazards/bulk?enterprise={world.ours.id}&state=issued",
        data={
            "action": "extend",
            "scope": "all",
            "new_deadline": new.isoformat(),
            "reason": "汛期停工",
        },
    )
    assert "已处理 3 项隐患" in response.get_data(as_text=True)
    for hazard in hazards:
        changed = make.get(Hazard, hazard.id)
        assert changed.deadline == new and changed.original_deadline == hazard.deadline


def test_bulk_export_streams_a_csv_with_chinese_headings(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector, title="导出用隐患")
    with login(world.inspector).post(
        "/hazards/bulk", data={"action": "export", "scope": "selected", "hazard": [str(hazard.id)]}
    ) as response:
        text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert text.startswith("\ufeff编号,企业,隐患名称")
    assert hazard.number in text and "导出用隐患" in text


def test_notifications_are_written_with_the_change_and_read_in_the_centre(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector)
    notice = make.issue(inspection, world.inspector)
    client = login(world.ours_user)
    page = client.get("/notifications").get_data(as_text=True)
    assert f"整改通知书 {notice.number}" in page
    assert "消息：1 条未读" in client.get("/portal").get_data(as_text=True)
    with make.session() as s:
        notification = s.exec(select(Notification)).one()
    response = client.post(f"/notifications/{notification.id}/open")
    assert response.headers["Location"] == f"/notices/{notice.id}"
    assert make.get(Notification, notification.id).read_at is not None
    # Someone else's notification cannot be opened.
    assert (
        login(world.theirs_user).post(f"/notifications/{notification.id}/open").status_code == 404
    )


def test_a_refused_change_writes_no_notification(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector)
    make.issue(inspection, world.inspector)
    response = login(world.inspector).post(f"/inspections/{inspection.id}/issue")
    assert response.status_code == 302  # nothing left to issue: refused with a message
    with make.session() as s:
        assert len(s.exec(select(Notification)).all()) == 1


def test_the_history_exports_with_its_hashes(world, make, login):
    hazard = _major(world, make)
    response = login(world.ours_user).get(f"/hazards/{hazard.id}/history.csv")
    text = response.get_data(as_text=True)
    lines = text.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("步骤,时间,操作")
    assert len(lines) == 5  # recorded, confirmed (研判), issued, acknowledged
    with make.session() as s:
        last = s.exec(
            select(HazardEvent)
            .where(HazardEvent.hazard_id == hazard.id)
            .order_by(HazardEvent.seq.desc())
        ).first()
    assert last.hash in lines[-1]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (make test)")
def test_the_notice_pdf_has_the_number_enterprise_hazards_deadlines_and_cjk_fonts(
    world, make, login, tmp_path
):
    inspection = make.inspection(world.ours, world.inspector)
    first = make.hazard(inspection, world.inspector, title="安全出口被杂物堵塞")
    second = make.hazard(
        inspection,
        world.inspector,
        title="砂光机未设火花探测",
        level="major",
        basis="应急管理部令第10号 第十一条第（八）项",
    )
    notice = make.issue(inspection, world.inspector)
    response = login(world.ours_user).get(f"/notices/{notice.id}/pdf")
    assert response.mimetype == "application/pdf"
    path = tmp_path / "notice.pdf"
    path.write_bytes(response.data)
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    squeezed = "".join(text.split())
    for expected in (
        notice.number,
        world.ours.name,
        first.title,
        second.title,
        first.deadline.isoformat(),
        second.deadline.isoformat(),
        "应急管理部令第10号第十一条第（八）项",
        "隐患整改通知书",
        "第1页/共1页",
    ):
        assert "".join(expected.split()) in squeezed, expected
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts


def test_the_pdf_fetcher_refuses_local_files_and_the_network(app):
    from inspection.reports.fetcher import DocumentFetcher

    with app.app_context():
        fetcher = DocumentFetcher(app.static_folder, content(), {"trend": "<svg/>"})
    for url in (
        "file:///etc/passwd",
        "http://example.com/x.png",
        "https://10.0.0.1/",
        "static:../../../../etc/passwd",
        "chart:../../etc/passwd",
        "chart:zone",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("static:css/report.css").read().startswith(b"/*")
    assert fetcher.fetch("chart:trend").read() == b"<svg/>"
