"""Browser fixtures: the app served on a free port, and Debian's Chromium driven by Playwright.

Never downloads a browser: Chromium comes from the system (`make test` installs Debian's
`chromium`). Outside CI a missing Chromium skips these tests with a message; in CI it fails.
"""

from __future__ import annotations

import os
import shutil

import pytest

# Lets a test route (and so cut) the requests a service worker makes itself; Playwright's
# offline switch alone does not reach them.
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
TABLET = {
    "viewport": {"width": 1024, "height": 768},
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}; install Debian's chromium (make test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def tablet(browser):
    """Open a new tablet-sized, touch, Chinese browser context per user."""
    contexts = []

    def open_context():
        context = browser.new_context(**TABLET)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def sign_in(live_server, tablet):
    """A logged-in tablet page for a user."""

    def sign_in_as(user, password: str = "password123"):
        page = tablet()
        page.goto(f"{live_server}/login")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").tap()
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    return sign_in_as
