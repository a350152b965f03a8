"""A whole inspection on a 1024×768 touch screen: 20 items, two hazards, three photos, signed,
and its record downloaded as a PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from inspection.checklists import loader
from inspection.checklists.library import import_definition
from inspection.db import get_session
from tests.factories import image_bytes

LIBRARY = Path(__file__).resolve().parents[2] / "checklists"


def _load_chemical_standard(app):
    with app.test_request_context():
        session = get_session()
        import_definition(session, loader.parse_file(LIBRARY / "chemical-major-2017.yaml"))
        session.commit()


def _sign(page, canvas) -> None:
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 150)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 35, box["y"] + 150 - (step % 3) * 40)
    page.mouse.up()


def _photo(name: str, size=(4000, 3000)) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": image_bytes(size=size)}


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (make test)")
def test_a_full_inspection_signed_with_its_record_pdf(
    app, world, make, live_server, sign_in, tmp_path
):
    _load_chemical_standard(app)
    chemical = make.enterprise("丙精细化工有限公司", industry="化工", risk_hazardous_chemicals=True)
    make.inspection(chemical, world.inspector)
    page = sign_in(world.inspector)
    page.get_by_role("link", name=re.compile("丙精细化工有限公司")).tap()
    page.get_by_role("radio", name=re.compile("化工和危险化学品")).check()
    page.get_by_role("button", name="使用该检查表").tap()

    answered = 0
    failed_items = []
    while True:
        page.locator("[data-item]").first.wait_for()
        for item in page.locator("[data-item]").all():
            fail = answered in (1, 12)
            item.get_by_role("button", name="存在" if fail else "不存在", exact=True).tap()
            expected = str(answered + 1)
            page.wait_for_function(
                "n => document.querySelector('[data-progress=answered]').textContent === n",
                arg=expected,
            )
            if fail:
                failed_items.append(item.get_attribute("data-item"))
            answered += 1
        following = page.locator(".pager a.button--primary")
        if "返回检查" in following.inner_text():
            break
        following.tap()
        page.wait_for_load_state()
    assert answered == 20 and len(failed_items) == 2

    titles = []
    for number, item_id in enumerate(failed_items):
        page.goto(f"{live_server}/inspections/1/hazards/new?item={item_id}")
        assert page.get_by_role("radio", name="重大事故隐患").is_checked()
        photos = [_photo(f"现场{number}{n}.jpg") for n in range(2 - number)]
        page.locator("input[name=photos]").set_input_files(photos)
        page.locator(".upload--done").nth(len(photos) - 1).wait_for()
        titles.append(page.get_by_label("隐患名称").input_value())
        page.get_by_role("button", name="保存隐患").tap()
        page.get_by_text(re.compile(r"隐患 YH-\d{8}-\d{4} 已登记")).wait_for()

    # Sign and lock.
    page.goto(f"{live_server}/inspections/1")
    page.get_by_role("link", name="结束检查：签名确认").tap()
    _sign(page, page.locator("canvas").first)
    page.get_by_role("button", name="保存签名").first.tap()
    page.get_by_role("img", name=f"{world.inspector.display_name} 的签名").wait_for()
    page.get_by_label("企业代表姓名").fill("丙厂 安全员")
    _sign(page, page.locator("canvas").first)
    page.get_by_role("button", name="保存签名").tap()
    page.get_by_role("img", name="丙厂 安全员 的签名").wait_for()
    page.get_by_role("button", name="完成检查并锁定记录").tap()
    page.get_by_text("检查已完成，检查记录已锁定。").wait_for()

    response = page.request.get(f"{live_server}/inspections/1/record.pdf")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    path = tmp_path / "record.pdf"
    path.write_bytes(response.body())
    text = "".join(
        subprocess.run(
            ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "丙精细化工有限公司" in text
    for title in titles:
        assert "".join(title.split()) in text, title
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert any("CJK" in line and " yes " in line for line in fonts.splitlines()), fonts
    with make.session() as s:
        from sqlmodel import select

        from inspection.evidence.models import Photo

        photos = s.exec(select(Photo).where(Photo.hazard_id.is_not(None))).all()
    assert len(photos) == 3
    # The browser shrank each 12-megapixel photo to at most 2048 pixels on the long side.
    assert all(max(p.width, p.height) <= 2048 for p in photos)
