"""The notice says the right thing: GB/T 9704 numbers, the law that fits the findings, and the
kind of document that fits who issued it. Read from the PDF with pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from sqlmodel import select

from inspection import clock
from inspection.hazards.models import Hazard
from inspection.hazards.models import Notice
from inspection.verification import services as verifying

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


def pdf_text(client, notice: Notice) -> str:
    response = client.get(f"/notices/{notice.id}/pdf")
    assert response.mimetype == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=response.data, capture_output=True, check=True
    ).stdout.decode()
    return "".join(text.split())


def test_notice_numbers_follow_gb_t_9704(world, make, login):
    client = login(world.ours_user)
    year = clock.local(clock.now()).year
    numbers = []
    for _round in range(2):
        inspection = make.inspection(world.ours, world.inspector)
        make.hazard(inspection, world.inspector)
        numbers.append(make.issue(inspection, world.inspector))
    assert [n.number for n in numbers] == [
        f"测开安环整改〔{year}〕1号",
        f"测开安环整改〔{year}〕2号",
    ]
    text = pdf_text(client, numbers[1])
    assert f"测开安环整改〔{year}〕2号" in text
    assert not re.search(r"〕第\d+号|〕0\d+号", text)


def _set(make, model, row_id: int, **values) -> None:
    with make.session() as s:
        row = s.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)
        s.add(row)
        s.commit()


def test_an_environmental_finding_cites_the_environmental_law(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(
        inspection, world.inspector, title="危废贮存库未设防渗", basis="GB 18597-2023 6.1"
    )
    _set(make, Hazard, hazard.id, category="environment")
    text = pdf_text(login(world.ours_user), make.issue(inspection, world.inspector))
    assert "《中华人民共和国环境保护法》" in text
    assert "《中华人民共和国固体废物污染环境防治法》" in text
    assert "安全生产法" not in text
    assert "隐患整改通知书" in text and "责令" in text
    assert "行政复议" not in text  # not an enforcement inspection


def test_a_safety_finding_cites_the_work_safety_law(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector)
    text = pdf_text(login(world.ours_user), make.issue(inspection, world.inspector))
    assert "《中华人民共和国安全生产法》" in text
    assert "环境保护法" not in text and "消防法" not in text


def test_a_third_party_finding_is_an_advice_with_no_order_and_no_appeal(world, make, login):
    from inspection.auth.models import User

    _set(make, User, world.inspector.id, third_party=True)
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector)
    text = pdf_text(login(world.ours_user), make.issue(inspection, world.inspector))
    assert "隐患告知书" in text
    assert "隐患整改通知书" not in text
    with make.session() as s:
        notice = s.exec(select(Notice)).one()
    with make.app.app_context():
        code = verifying.code_for(verifying.NOTICE, notice.id)
    assert "隐患告知书" in login(world.ours_user).get(f"/v/{code}").get_data(as_text=True)
    assert "责令" not in text
    assert "行政复议" not in text and "行政诉讼" not in text


def test_an_enforcement_notice_states_the_right_of_appeal_and_its_time_limits(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    _set(make, type(inspection), inspection.id, enforcement=True)
    make.hazard(inspection, world.inspector)
    text = pdf_text(login(world.ours_user), make.issue(inspection, world.inspector))
    assert "责令限期整改指令书" in text
    assert "六十日内" in text and "行政复议" in text
    assert "六个月内" in text and "行政诉讼" in text


def test_a_gb_35181_finding_is_a_major_fire_hazard_under_the_fire_law(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(
        inspection,
        world.inspector,
        title="疏散楼梯被封堵",
        level="major",
        basis="GB 35181-2025 5.1.1",
    )
    text = pdf_text(login(world.ours_user), make.issue(inspection, world.inspector))
    assert "重大火灾隐患" in text
    assert "重大事故隐患" not in text.split("隐患等级")[-1].split("对重大")[0]
    assert "《中华人民共和国消防法》" in text
    with make.session() as s:
        assert s.exec(select(Notice)).one()
