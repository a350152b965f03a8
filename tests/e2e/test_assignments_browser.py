"""An assigned case on a 1024×768 touch screen, in Chinese: the enterprise acknowledges, plans
and submits with a photo; the inspector accepts and posts it (公示); the public page, without
JavaScript, passes axe; after the posting period the supervisor closes it (销号)."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from axe_playwright_python.sync_playwright import Axe
from sqlmodel import select

from inspection import clock
from inspection.assignments.models import AssignedCase
from tests.e2e.conftest import TABLET
from tests.e2e.test_accessibility import _problems
from tests.factories import image_bytes
from tests.test_assignments import import_form
from tests.test_assignments import sheet


def _step(page, title: str, fields: dict, files: dict | None = None):
    """Open a step's panel by its title, fill it in and submit it."""
    panel = page.locator("details.step", has=page.locator("summary", has_text=title))
    if panel.get_attribute("open") is None:
        panel.locator("summary").tap()
    form = panel.locator("form")
    for label, value in fields.items():
        form.get_by_label(label).fill(value)
    for label, payload in (files or {}).items():
        form.get_by_label(label).set_input_files(payload)
    form.get_by_role("button", name=title).tap()
    page.wait_for_load_state()


def test_an_assigned_case_goes_to_posting_and_closure_in_a_browser(
    world, make, login, live_server, sign_in, browser, tablet, tmp_path
):
    start = datetime(2026, 4, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with clock.frozen(start):
        staff = login(world.inspector)
        rows = [["JB-1", "雨水排口异味，疑似混排", world.ours.name, "", "2026-06-30", "", "是"]]
        response = staff.post(
            "/assignments/import", data=import_form(sheet(rows)), content_type="multipart/form-data"
        )
        assert response.status_code == 302
        with make.session() as s:
            case = s.exec(select(AssignedCase)).one()

        owner = sign_in(world.ours_user)
        owner.goto(f"{live_server}/assignments/")
        owner.get_by_role("link", name="JB-1").tap()
        owner.get_by_role("button", name="签收交办件").tap()
        owner.get_by_text("交办件已签收。").wait_for()
        _step(owner, "报送整改方案", {"整改措施": "封堵混接管道", "计划完成日期": "2026-05-31"})
        photo = tmp_path / "after.jpg"
        photo.write_bytes(image_bytes())
        _step(
            owner,
            "提请验收",
            {"整改完成情况": "混接已改正，联系人 13800138000"},
            {"佐证材料（照片、PDF、Word 或 Excel）": str(photo)},
        )
        owner.get_by_text("交办件已提请验收。").wait_for()
        assert "after.jpg" in owner.content()

        inspector = sign_in(world.inspector)
        inspector.goto(f"{live_server}/assignments/cases/{case.id}")
        _step(inspector, "记录验收", {"验收单位": "县生态环境分局"})
        _step(inspector, "公示", {"公示天数": "3"})
        inspector.get_by_text("交办件已进入公示。").wait_for()

        # The public page, without JavaScript: the case, the unit, no phone number.
        context = browser.new_context(java_script_enabled=False, **TABLET)
        public = context.new_page()
        public.goto(f"{live_server}/public/{world.ours.park_id}/postings")
        public.get_by_role("link", name="JB-1").tap()
        text = public.inner_text("main")
        assert world.ours.name in text and "县生态环境分局" in text
        assert "13800138000" not in text and "138****8000" in text
        case_url = public.url
        context.close()
        # axe itself is a script: it checks the same pages in a context with JavaScript.
        checked = tablet()
        problems = []
        for url in (case_url, f"{live_server}/public/{world.ours.park_id}/postings"):
            checked.goto(url)
            problems += _problems(checked, Axe(), url)
        assert not problems, "\n".join(problems)

    with clock.frozen(start + timedelta(days=4)):
        leader = sign_in(world.supervisor)
        leader.goto(f"{live_server}/assignments/cases/{case.id}")
        _step(leader, "销号", {})
        leader.get_by_text("交办件已销号。").wait_for()
        assert make.get(AssignedCase, case.id).state == "closed"
        leader.screenshot(path=str(tmp_path / "closed.png"), full_page=True)
