"""The staff bar: a few menus in one row on a 1024×768 tablet, opened by touch and keyboard
(<details>, no framework), one open at a time, big enough to hit and clean under axe-core."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.test_accessibility import _problems

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("SCREENSHOTS") or tempfile.mkdtemp(prefix="nav-"))


@pytest.mark.parametrize(
    ("who", "english"), [("supervisor", False), ("inspector", False), ("supervisor", True)]
)
def test_the_bar_is_one_row(world, live_server, sign_in, who, english):
    page = sign_in(getattr(world, who))
    if english:
        page.get_by_role("button", name="English").tap()
        page.get_by_role("button", name="中文").wait_for()
    page.goto(f"{live_server}/hazards/")
    page.screenshot(path=str(SHOTS / f"nav-{who}{'-en' if english else ''}.png"))
    header = page.locator(".site-header").bounding_box()
    # One row (the brand, the menus and the tools), not ~220 px of a 768 px screen; English,
    # with its longer words, takes two rows at most.
    assert header["height"] <= (120 if english else 70), header
    assert page.locator(".site-nav details.nav-menu").count() >= 2


def test_the_menus_work_by_touch_and_keyboard(world, live_server, sign_in):
    page = sign_in(world.admin)
    page.goto(f"{live_server}/hazards/")
    page.screenshot(path=str(SHOTS / "nav-admin.png"))
    assert page.locator(".site-header").bounding_box()["height"] <= 70
    nav = page.locator(".site-nav")
    menus = nav.locator("details.nav-menu")
    assert 3 <= menus.count() <= 6
    # The current page's menu is marked, and its entry is the current page.
    current = nav.locator(".nav-menu--current")
    expect(current.locator("summary")).to_have_text("隐患")
    assert current.locator("a[aria-current=page]").get_attribute("href") == "/hazards/"

    # Touch: a tap opens a menu, a tap on another closes the first, a tap elsewhere closes all.
    admin_menu = menus.filter(has=page.locator("summary", has_text="管理"))
    admin_menu.locator("summary").tap()
    users = nav.get_by_role("link", name="用户")
    expect(users).to_be_visible()
    assert _problems(page, Axe(), "menu open") == []
    page.screenshot(path=str(SHOTS / "nav-open.png"))
    reports_menu = menus.filter(has=page.locator("summary", has_text="统计报表"))
    reports_menu.locator("summary").tap()
    expect(nav.get_by_role("link", name="监管总览")).to_be_visible()
    expect(users).to_be_hidden()
    page.locator("main h1").tap()
    expect(nav.get_by_role("link", name="监管总览")).to_be_hidden()

    # Keyboard: Enter opens, Tab reaches the entries, Escape closes back on the menu.
    summary = admin_menu.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(users).to_be_visible()
    page.keyboard.press("Tab")
    expect(admin_menu.locator("a").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(users).to_be_hidden()
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    users.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/admin/users/")
    expect(page.locator(".nav-menu--current summary")).to_have_text("管理")


def test_a_menu_of_one_entry_is_a_plain_link(world, live_server, sign_in):
    page = sign_in(world.ours_user)
    nav = page.locator(".site-nav")
    expect(nav.get_by_role("link", name="本企业")).to_be_visible()
    for menu in nav.locator("details.nav-menu").all():
        assert menu.locator("a").count() >= 2, menu.inner_html()
