"""The notice says the right thing: GB/T 9704 numbers, the law that fits the findings, and the
kind of document that fits who issued it. Read from the PDF with pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from inspection import clock
from inspection.hazards.models import Notice

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
