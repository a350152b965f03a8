"""The regulated rectification of a major hazard, walked in Chromium on a tablet in Chinese."""

from __future__ import annotations

import re
from datetime import timedelta

from inspection import clock
from tests.factories import image_bytes
from tests.factories import pdf_bytes


def _photo(name: str) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": image_bytes()}


def test_notice_plan_extension_rejection_acceptance_and_a_locked_closed_hazard(
    world, make, live_server, sign_in
):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(
        inspection,
        world.inspector,
        title="砂光机除尘风管未设置火花探测熄灭装置",
        level="major",
        basis="应急管理部令第10号 第十一条第（八）项",
    )

    # A supervisor confirms the major finding (研判) before its notice can go out.
    supervisor = sign_in(world.supervisor)
    supervisor.goto(f"{live_server}/hazards/{hazard.id}")
    supervisor.get_by_label("参加研判人员（每行一人）").fill("设备科 李工\n安全科 赵工")
    supervisor.get_by_role("radio", name="确认为重大事故隐患").tap()
    supervisor.get_by_role("button", name="记录研判结论").tap()
    supervisor.get_by_text(re.compile("已确认为重大事故隐患。")).wait_for()

    # The inspector issues the notice.
    inspector = sign_in(world.inspector)
    inspector.goto(f"{live_server}/inspections/{inspection.id}")
    inspector.get_by_role("button", name="下达整改通知书").tap()
    inspector.get_by_text(re.compile("整改通知书 .* 已下达给企业")).wait_for()

    # The enterprise acknowledges it and files the plan with every element of 16号令 第十五条.
    enterprise = sign_in(world.ours_user)
    enterprise.get_by_role("link", name=re.compile("整改〔")).tap()
    enterprise.get_by_role("button", name="签收本通知书").tap()
    enterprise.get_by_text(re.compile("已签收")).first.wait_for()
    enterprise.get_by_role("link", name="砂光机除尘风管未设置火花探测熄灭装置").tap()
    enterprise.wait_for_url(re.compile(r"/hazards/\d+$"))
    hazard_url = enterprise.url
    enterprise.get_by_label("治理的目标和任务").fill("消除砂光机除尘系统的火花引燃风险")
    enterprise.get_by_label("采取的方法和措施").fill(
        "在砂光机除尘风管加装火花探测熄灭装置并与风机联锁"
    )
    enterprise.get_by_label("资金（元）").fill("60000")
    enterprise.get_by_label("物资落实").fill("火花探测熄灭装置一套，联锁控制柜一台")
    enterprise.get_by_label("负责治理的机构").fill("设备部")
    enterprise.get_by_label("整改责任人").fill("生产部 王经理")
    enterprise.get_by_label("完成时限").fill(hazard.deadline.isoformat())
    enterprise.get_by_label("治理要求").fill("装置与风机联锁，调试合格并留存记录")
    enterprise.get_by_label("治理期间的安全措施").fill("装置到位前停用砂光工段，专人巡查")
    enterprise.locator("#plan-contingency_plan").fill("发生火情立即停机，启用灭火器并疏散人员")
    enterprise.locator("input[name=plan-document]").set_input_files(
        [{"name": "整改方案.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    enterprise.get_by_role("button", name="提交整改方案").tap()
    enterprise.get_by_text("整改方案已提交。").wait_for()

    # It asks for more time; the supervisor approves.
    wanted = hazard.deadline + timedelta(days=20)
    enterprise.get_by_text("申请延期").tap()
    enterprise.get_by_label("新的整改期限").fill(wanted.isoformat())
    enterprise.get_by_label("原因").fill("火花探测装置需定制，到货需三周")
    enterprise.get_by_role("button", name="提交申请").tap()
    enterprise.get_by_text("延期申请已提交。").wait_for()
    supervisor.goto(hazard_url)
    supervisor.get_by_role("radio", name="同意", exact=True).tap()
    supervisor.get_by_role("button", name="提交复查结论").tap()
    supervisor.get_by_text("已同意延期。").wait_for()
    assert supervisor.get_by_text(f"原期限 {hazard.deadline.isoformat()}").is_visible()

    # The evidence is rejected once by a second inspector, then accepted.
    def rectify(text: str) -> None:
        enterprise.goto(hazard_url)
        enterprise.locator("#submit-measures").fill(text)
        enterprise.locator("input[name=submit-photos]").set_input_files([_photo("整改后.jpg")])
        enterprise.locator(".uploads .upload--done").first.wait_for()  # uploaded as chosen
        enterprise.get_by_role("button", name="提交复查").tap()
        enterprise.get_by_text("整改情况已提交，等待复查。").wait_for()

    rectify("已加装火花探测装置")
    reviewer = sign_in(world.inspector2)
    reviewer.goto(hazard_url)
    reviewer.get_by_role("radio", name="不通过").tap()
    reviewer.get_by_label("复查意见").fill("装置未与风机联锁")
    reviewer.get_by_role("button", name="提交复查结论").tap()
    reviewer.get_by_text("复查不通过，已退回企业继续整改。").wait_for()
    rectify("已完成联锁调试，附调试记录")
    reviewer.goto(hazard_url)
    reviewer.get_by_role("radio", name="资料复查").tap()
    reviewer.get_by_role("radio", name="通过并销号").tap()
    reviewer.get_by_role("button", name="提交复查结论").tap()
    reviewer.get_by_text(re.compile(r"隐患 YH-.* 已销号。")).wait_for()

    # Closed: nobody is offered any change, anywhere.
    for page in (reviewer, supervisor, enterprise, inspector):
        page.goto(hazard_url)
        page.get_by_text("不能再修改").wait_for()
        forms = page.locator("main form").count()
        assert forms == 0, page.url
    assert clock.today() < wanted
