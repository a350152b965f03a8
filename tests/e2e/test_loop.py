"""The first closed loop, walked in Chromium on a 1024×768 touch screen in Chinese."""

from __future__ import annotations

import re

from tests.factories import image_bytes


def _photo(name: str) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": image_bytes()}


def _closure_rate(page, live_server) -> str:
    page.goto(f"{live_server}/dashboard")
    return page.locator('[data-figure="closure-rate"]').inner_text().strip()


def test_log_rectify_reject_resubmit_accept(world, make, live_server, sign_in):
    inspection = make.inspection(world.ours, world.inspector)
    supervisor = sign_in(world.supervisor)
    assert _closure_rate(supervisor, live_server) == "—"

    # The inspector logs a hazard with a photo from "My inspections".
    inspector = sign_in(world.inspector)
    inspector.get_by_role("link", name=re.compile(world.ours.name)).tap()
    inspector.get_by_role("link", name="登记隐患").tap()
    inspector.get_by_label("隐患名称").fill("消防通道堆放木料")
    inspector.get_by_label("隐患部位").fill("成品仓库")
    inspector.get_by_role("radio", name="重大事故隐患").tap()
    inspector.get_by_role("radio", name="一般隐患").tap()
    inspector.locator("input[name=photos]").set_input_files([_photo("通道.jpg")])
    inspector.locator(".upload--done").first.wait_for()
    inspector.get_by_role("button", name="保存隐患").tap()
    inspector.get_by_text(re.compile(r"隐患 YH-\d{8}-\d{4} 已登记")).wait_for()
    inspector.get_by_role("button", name="下达整改通知书").tap()
    inspector.get_by_text(re.compile("整改通知书 .* 已下达给企业")).wait_for()
    assert inspection.id
    assert _closure_rate(supervisor, live_server) == "0.0%"

    # The enterprise acknowledges the notice and rectifies with an after-photo.
    enterprise = sign_in(world.ours_user)
    enterprise.get_by_role("link", name=re.compile("整改〔")).tap()
    enterprise.get_by_role("button", name="签收本通知书").tap()
    enterprise.get_by_text(re.compile("已签收")).first.wait_for()
    enterprise.get_by_role("link", name="消防通道堆放木料").tap()

    def rectify(text: str) -> None:
        enterprise.locator("#submit-measures").fill(text)
        enterprise.locator("input[name=submit-photos]").set_input_files([_photo("整改后.jpg")])
        enterprise.locator(".uploads .upload--done").first.wait_for()  # uploaded as chosen
        enterprise.get_by_role("button", name="提交复查").tap()
        enterprise.get_by_text("整改情况已提交，等待复查。").wait_for()

    rectify("木料已移至仓库货架")
    enterprise.wait_for_url(re.compile(r"/hazards/\d+$"))
    hazard_url = enterprise.url

    # A second inspector re-inspects (the finder may not, by the park's rule) and rejects once.
    inspector = sign_in(world.inspector2)
    inspector.goto(hazard_url)
    inspector.get_by_role("radio", name="不通过").tap()
    inspector.get_by_label("复查意见").fill("通道仍有少量木料")
    inspector.get_by_role("button", name="提交复查结论").tap()
    inspector.get_by_text("复查不通过，已退回企业继续整改。").wait_for()

    # The enterprise resubmits; the re-inspector accepts.
    enterprise.goto(hazard_url)
    enterprise.get_by_text("通道仍有少量木料").first.wait_for()
    rectify("木料已全部清走，地面划线")
    inspector.goto(hazard_url)
    inspector.get_by_role("radio", name="通过并销号").tap()
    inspector.get_by_role("button", name="提交复查结论").tap()
    inspector.get_by_text(re.compile(r"隐患 YH-.* 已销号。")).wait_for()
    assert inspector.get_by_text("不能再修改").is_visible()
    assert inspector.get_by_role("button", name="提交复查结论").count() == 0

    assert _closure_rate(supervisor, live_server) == "100.0%"
    history = inspector.locator(".timeline__item")
    assert history.count() == 7
