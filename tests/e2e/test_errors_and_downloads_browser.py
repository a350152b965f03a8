"""At 1024×768, in Chinese and in English: a 404 page, a 403 page and an export download. The
Chinese pages show no English, and the download keeps its Chinese name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inspection.auth.models import Role

ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# What may stay Latin in a Chinese page: formats and the product's own abbreviations.
# The language switch names English in English, as every site does.
ALLOWED = {"CSV", "Excel", "PDF", "API", "English"}


def _english_words(page) -> list[str]:
    text = page.locator("body").inner_text()
    return [w for w in ENGLISH_WORD.findall(text) if w not in ALLOWED]


def _switch_to_english(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="English").tap()
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_error_pages_and_an_export_download(
    language, world, make, live_server, sign_in, tmp_path: Path
):
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector, title="配电箱未上锁")
    user = make.user(Role.ENTERPRISE, "qiye", enterprise=world.ours, display_name="刘安全")
    page = sign_in(user)
    if language == "en":
        _switch_to_english(page)

    answer = page.goto(f"{live_server}/no-such-page")
    assert answer.status == 404
    page.screenshot(path=str(tmp_path / f"404-{language}.png"))
    heading = page.locator("h1").inner_text()
    answer = page.goto(f"{live_server}/admin/users/")
    assert answer.status == 403
    page.screenshot(path=str(tmp_path / f"403-{language}.png"))
    forbidden = page.locator("h1").inner_text()
    if language == "zh":
        assert heading == "页面不存在" and forbidden == "无权访问"
        page.goto(f"{live_server}/no-such-page")
        assert _english_words(page) == []
        page.goto(f"{live_server}/admin/users/")
        assert _english_words(page) == []
    else:
        assert heading == "Page not found" and forbidden == "No access"

    page.goto(f"{live_server}/hazards/")
    with page.expect_download() as download_info:
        page.locator("a[href*='export.xlsx']").first.tap()
    download = download_info.value
    name = download.suggested_filename
    if language == "zh":
        assert name.startswith("隐患台账-") and name.endswith(".xlsx")
        assert _english_words(page) == []
    else:
        assert name.startswith("Hazard ledger-") and name.endswith(".xlsx")
    download.save_as(tmp_path / name)
    assert (tmp_path / name).read_bytes()[:2] == b"PK"
