"""Checklists in the browser: the editor, and failing a major-hazard criterion on a tablet."""

from __future__ import annotations

import re

from sqlmodel import select

from inspection.hazards.models import Hazard
from tests.factories import image_bytes


def test_build_publish_and_see_it_offered_at_a_matching_enterprise(world, make, sign_in):
    make.enterprise("涂装五金有限公司", industry="五金", risk_dust=True)
    make.enterprise("不相关食品有限公司", industry="食品")
    admin = sign_in(world.admin)
    admin.locator(".site-nav summary", has_text="管理").tap()  # the bar's menu
    admin.locator(".site-nav").get_by_role("link", name="检查表").tap()
    admin.get_by_label("编码").fill("paint-shop")
    admin.get_by_label("检查表名称").fill("喷涂车间专项检查")
    admin.get_by_label("依据标准").fill("应急管理部令第10号")
    admin.get_by_role("button", name="创建并编辑").tap()

    # Where it applies: enterprises with explosible dust.
    admin.get_by_text("名称、依据标准和适用范围").tap()
    admin.get_by_role("checkbox", name="涉粉尘").check()
    admin.get_by_role("button", name="保存").first.tap()
    admin.get_by_text("修改已保存。").wait_for()

    admin.get_by_label("编码").fill("spray")
    admin.get_by_label("部分名称").fill("喷涂作业")
    admin.get_by_role("button", name="添加该部分").tap()
    admin.get_by_role("link", name="添加检查项").tap()
    admin.get_by_label("编码").fill("spray-1")
    admin.get_by_label("依据（标准及条款）").fill("应急管理部令第10号 第七条第（七）项")
    admin.get_by_label("检查内容").fill("涂装调漆间和喷漆室未规范设置可燃气体报警装置和通风设施的")
    admin.get_by_role("checkbox", name="重大隐患判定项：不符合即为重大事故隐患").check()
    admin.get_by_role("button", name="保存检查项").tap()
    admin.get_by_text("涂装调漆间和喷漆室").first.wait_for()
    admin.get_by_role("button", name="发布").tap()
    admin.get_by_text("第 1 版已发布，新的检查将使用该版本。").wait_for()

    # An inspector at the dusty metalworks is offered it among the suited lists.
    inspector = sign_in(world.inspector)
    inspector.get_by_role("link", name="发起检查").tap()
    inspector.get_by_label("企业").select_option(label="涂装五金有限公司")
    inspector.get_by_role("button", name="开始检查").tap()
    inspector.get_by_text("检查已开始。").wait_for()
    suited = inspector.locator(".add-checklist fieldset > label")
    assert "喷涂车间专项检查" in " ".join(suited.all_inner_texts())
    # ... and not at the food company, where it is only among the others.
    inspector.locator(".site-nav summary", has_text="检查").tap()
    inspector.get_by_role("link", name="我的检查").tap()
    inspector.get_by_role("link", name="发起检查").tap()
    inspector.get_by_label("企业").select_option(label="不相关食品有限公司")
    inspector.get_by_role("button", name="开始检查").tap()
    inspector.get_by_text("检查已开始。").wait_for()
    suited = inspector.locator(".add-checklist fieldset > label")
    assert "喷涂车间专项检查" not in " ".join(suited.all_inner_texts())


def test_failing_a_major_criterion_on_a_tablet_raises_a_major_hazard(world, make, sign_in):
    version = make.checklist()
    inspection = make.inspection(world.ours, world.inspector)
    assert version.number == 1
    page = sign_in(world.inspector)
    page.get_by_role("link", name=re.compile(world.ours.name)).tap()
    page.get_by_role("button", name="使用该检查表").tap()
    page.get_by_text("第一部分").first.wait_for()
    item = page.locator("[data-item]").first
    item.get_by_role("button", name="存在", exact=True).tap()
    item.get_by_role("link", name="登记隐患").wait_for()
    assert page.locator("[data-progress=answered]").inner_text() == "1"
    item.get_by_role("link", name="登记隐患").tap()

    assert page.get_by_role("radio", name="重大事故隐患").is_checked()
    assert page.get_by_label("判定依据（标准及条款）").input_value() == "测试标准 第一条第（一）项"
    page.locator("input[name=photos]").set_input_files(
        [{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": image_bytes()}]
    )
    # The photo goes up ahead of the form; saving before it is there is (rightly) refused.
    page.locator(".upload--done").first.wait_for()
    page.get_by_role("button", name="保存隐患").tap()
    page.get_by_text(re.compile(r"隐患 YH-\d{8}-\d{4} 已登记")).wait_for()
    page.get_by_role("link", name=re.compile(r"隐患 YH-")).first.tap()
    page.get_by_text("测试标准 第一条第（一）项").first.wait_for()
    assert page.locator(".badge--level-major").first.inner_text() == "重大事故隐患"
    with make.session() as s:
        hazard = s.exec(select(Hazard)).one()
    assert (hazard.level, hazard.basis) == ("major", "测试标准 第一条第（一）项")
    assert hazard.inspection_id == inspection.id
