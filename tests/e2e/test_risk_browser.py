"""A supervisor handles a warning on a 1024×768 tablet in Chinese; the risk pages pass axe."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from sqlmodel import select

from inspection import clock
from inspection.db import get_session
from inspection.risk import services
from inspection.risk import warnings
from inspection.risk.models import RiskWarning
from tests.e2e.test_accessibility import _problems


def test_a_supervisor_acknowledges_and_handles_a_warning(app, world, make, live_server, sign_in):
    for _ in range(3):
        make.inspection(world.ours, world.inspector)
    with app.app_context():
        session = get_session()
        services.recompute(session, cause="nightly")
        warnings.sweep(session)
        session.commit()

    page = sign_in(world.supervisor)
    page.locator(".site-nav summary", has_text="隐患").tap()
    page.get_by_role("link", name="预警").tap()
    page.wait_for_url(re.compile(r"/risk/warnings"))
    card = page.locator("li.warning", has_text=world.ours.name).filter(
        has_text="超过年度检查次数上限"
    )
    # What the warning is about, in a sentence.
    year = clock.today().year
    card.get_by_text(f"{year}年已检查 3 次，超过蓝色（低风险）企业的年度检查上限 2 次").wait_for()
    card.get_by_label("备注").fill("已核实，第三次为复查整改情况")
    card.get_by_role("button", name="签收").tap()
    page.get_by_text("预警已更新。").wait_for()
    page.get_by_label("状态").select_option("acknowledged")
    page.get_by_role("button", name="筛选").tap()
    card = page.locator("li.warning", has_text=world.ours.name).filter(
        has_text="超过年度检查次数上限"
    )
    card.get_by_label("备注").fill("已调整下半年检查计划，不再安排计划内检查")
    card.get_by_role("button", name="已处置").tap()
    page.get_by_text("预警已更新。").wait_for()
    page.get_by_label("状态").select_option("all")
    page.get_by_role("button", name="筛选").tap()
    page.get_by_text("已调整下半年检查计划，不再安排计划内检查").wait_for()
    page.screenshot(path="/tmp/risk-warnings-1024.png", full_page=True)
    with make.session() as s:
        (handled,) = [
            w
            for w in s.exec(select(RiskWarning).where(RiskWarning.kind == "over_cap"))
            if w.enterprise_id == world.ours.id
        ]
    assert handled.status == "handled"
    assert handled.acknowledge_note == "已核实，第三次为复查整改情况"

    axe = Axe()
    problems = []
    for path in (
        "/risk/warnings?status=all",
        "/risk/settings",
        "/risk/plan",
        f"/risk/enterprises/{world.ours.id}",
        f"/enterprises/{world.ours.id}",
        "/enterprises/?sort=grade",
        "/dashboard",
        "/campaigns/new",  # the enterprise at its cap is listed, with the reason to give
        "/campaigns/recurring/new",
    ):
        page.goto(live_server + path)
        problems += _problems(page, axe, path)
        if path.startswith("/risk/enterprises"):
            page.screenshot(path="/tmp/risk-enterprise-1024.png", full_page=True)
    assert not problems, "\n".join(problems)
