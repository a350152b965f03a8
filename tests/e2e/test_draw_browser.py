"""A 双随机 task in the browser, at 1024×768 in Chinese: an item published, a task drafted, its
pool frozen, the draw, a result entered, reviewed and published, the public page showing it,
and the annual plan with a key enterprise named; every page passes axe-core and has big enough
touch targets."""

from __future__ import annotations

import os
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from inspection import clock
from inspection.draws.models import DrawResult
from inspection.draws.models import DrawTask
from tests.e2e.test_accessibility import _problems

# Set to a folder to keep a screenshot of every page (to look at them).
SHOTS = os.environ.get("DRAW_SCREENSHOTS")


def _look(page, axe, name: str, problems: list[str]) -> None:
    problems += _problems(page, axe, name)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_task_from_items_to_draw_to_published_results(world, make, live_server, sign_in):
    for n in range(5):
        make.enterprise(f"抽查{n}号五金有限公司")
    officers = [make.officer(name=f"执法员{n}") for n in range(3)]
    axe, problems = Axe(), []
    page = sign_in(world.supervisor)

    page.goto(f"{live_server}/draws/items/new")
    page.get_by_label("事项编号").fill("AQ-001")
    page.get_by_label("事项名称").fill("安全生产主体责任落实情况")
    page.get_by_label("法律依据（法律及条款）").fill("《中华人民共和国安全生产法》第二十一条")
    page.get_by_label("检查内容").fill("安全生产责任制的建立与落实")
    page.get_by_label("检查对象").fill("工贸企业")
    page.get_by_label("实施主体").fill("园区安全生产监督管理局")
    _look(page, axe, "item-form", problems)
    page.get_by_role("button", name="保存为草稿").tap()
    page.wait_for_url(f"{live_server}/draws/items")
    with page.expect_navigation():
        page.get_by_role("button", name="发布").tap()
    assert "草稿" not in page.locator("table").inner_text()
    _look(page, axe, "items", problems)

    page.goto(f"{live_server}/draws/tasks/new")
    page.get_by_label("任务名称").fill("2026年工贸企业双随机抽查")
    page.get_by_label("实施主体").fill("园区安全生产监督管理局")
    page.get_by_label("AQ-001", exact=False).check()
    page.get_by_label("抽取比例或数量", exact=False).fill("* = 50%")
    page.get_by_label("见证人", exact=False).fill("王监督, 纪检监察员, river-7731")
    _look(page, axe, "task-form", problems)
    page.get_by_role("button", name="起草任务").tap()
    page.wait_for_url(lambda url: "/draws/tasks/" in url and "/new" not in url)
    with page.expect_navigation():
        page.get_by_role("button", name="冻结抽取池并公布哈希").tap()
    task = make.get(DrawTask, int(page.url.rstrip("/").split("/")[-1]))
    assert task.pool_sha256 in page.content()
    page.get_by_label("公布的公开数值").fill("3342.15")
    with page.expect_navigation():
        page.get_by_role("button", name="抽取", exact=True).tap()
    task = make.get(DrawTask, task.id)
    assert task.seed in page.content()
    _look(page, axe, "task", problems)
    page.get_by_role("button", name="生成检查计划（专项行动）").tap()
    page.wait_for_url(lambda url: "/campaigns/" in url)

    with make.session() as s:
        from sqlmodel import select

        result = s.exec(select(DrawResult).where(DrawResult.task_id == task.id)).first()
    officer_page = sign_in(make.get(type(world.inspector), officers[0].user_id))
    officer_page.goto(f"{live_server}/draws/results/{result.id}")
    officer_page.get_by_label("发现一般隐患已责令改正").check()
    officer_page.get_by_label("检查日期").fill(clock.today().isoformat())
    officer_page.get_by_label("后续处置（公示）").fill("已责令限期整改")
    officer_page.get_by_label("内部备注（不公示）").fill("内部备注不公开")
    _look(officer_page, axe, "result", problems)
    with officer_page.expect_navigation():
        officer_page.get_by_role("button", name="录入结果").tap()

    page.goto(f"{live_server}/draws/results/{result.id}")
    with page.expect_navigation():
        page.get_by_role("button", name="提交审核意见").tap()
    with page.expect_navigation():
        page.get_by_role("button", name="公示结果").tap()
    assert make.get(DrawResult, result.id).state == "published"

    anonymous = page.context.browser.new_context(
        viewport={"width": 1024, "height": 768}, locale="zh-CN"
    ).new_page()
    anonymous.goto(f"{live_server}/public/draws/{task.id}")
    text = anonymous.content()
    assert "已责令限期整改" in text and task.pool_sha256 in text and "内部备注" not in text
    _look(anonymous, axe, "public", problems)

    # The annual plan: the task among its random tasks, and a key enterprise named with why.
    page.goto(f"{live_server}/draws/plan")
    page.get_by_label("企业", exact=True).select_option(label="抽查0号五金有限公司")
    page.get_by_label("列入重点检查的理由").fill("近一年发生过生产安全事故")
    with page.expect_navigation():
        page.get_by_role("button", name="列入重点名单").tap()
    key_list = page.locator("#key + .card").inner_text()
    assert "抽查0号五金有限公司" in key_list and "近一年发生过生产安全事故" in key_list
    assert "2026年工贸企业双随机抽查" in page.locator("table").first.inner_text()
    _look(page, axe, "plan", problems)
    for name, path in (
        ("officers", "/draws/officers"),
        ("directory", "/draws/directory"),
        ("index", "/draws/"),
    ):
        page.goto(live_server + path)
        _look(page, axe, name, problems)
    anonymous.context.close()
    assert not problems, "\n".join(problems)
