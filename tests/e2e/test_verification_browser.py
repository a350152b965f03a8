"""扫码验真 on a tablet in Chinese, with no login: a known code shows the notice's number and
status, an altered one says the document is not known; both pass axe-core."""

from __future__ import annotations

import os
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from inspection.verification import services as verifying
from tests.e2e.test_accessibility import _problems

SHOTS = os.environ.get("VERIFY_SCREENSHOTS")


def test_the_verification_page_without_login(world, make, app, live_server, tablet):
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector)
    notice = make.issue(inspection, world.inspector)
    with app.app_context():
        code = verifying.code_for(verifying.NOTICE, notice.id)
    page, axe, problems = tablet(), Axe(), []
    for name, typed in (
        ("known", code),
        ("unknown", code[:-1] + ("B" if code.endswith("A") else "A")),
    ):
        page.goto(f"{live_server}/verify")
        page.get_by_label("二维码下方印有的验证码").fill(typed)
        page.get_by_role("button", name="验证").tap()
        page.wait_for_url("**/v/**")
        page.wait_for_load_state()
        text = page.content()
        if name == "known":
            assert notice.number in text and "已下达，待签收" in text
        else:
            assert "无法核实" in text and notice.number not in text
        problems += _problems(page, axe, name)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    assert not problems, problems
