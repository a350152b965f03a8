"""Supervision reports and ledgers: asked for on a page, built in the background with
progress, readable Chinese PDFs with charts and photos, and only for those who may see them."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from inspection import clock
from inspection.db import get_session
from inspection.hazards.models import Hazard
from inspection.reports import jobs
from inspection.reports.models import ReportJob
from tests.test_statistics import data  # noqa: F401  (the fixed data set)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils (pdftotext, pdffonts) is not installed"
)


def _build(app) -> int:
    with app.app_context():
        return jobs.run_queued(get_session())


def _job_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@needs_poppler
@pytest.mark.usefixtures("data")
def test_a_supervision_report_is_built_in_the_background_with_progress(
    app, world, login, make, tmp_path
):
    with make.session() as s:  # a user's markup in a title must print as text, not render
        hazard = s.exec(select(Hazard).where(Hazard.level == "major")).one()
        hazard.title = '<img src="file:///etc/passwd">储罐区报警器失效'
        s.commit()
    client = login(world.supervisor)
    with clock.frozen(NOW):
        job_id = _job_id(client.post("/reports/", data={"period": "2026-10"}))
        status = client.get(f"/reports/{job_id}/status").get_json()
        assert status["status"] == "queued" and status["download"] is None
        assert "等待调度程序" in client.get(f"/reports/{job_id}").get_data(as_text=True)
        assert _build(app) == 1
    status = client.get(f"/reports/{job_id}/status").get_json()
    assert status["status"] == "done" and status["progress"] == 100
    with client.get(status["download"]) as response:
        pdf = response.get_data()
    assert pdf.startswith(b"%PDF")
    text = _text(pdf, tmp_path)
    flat = re.sub(r"\s+", "", text)
    assert "安全环保隐患排查治理监管报告" in text and "2026年10月" in text
    assert "全园区共排查发现隐患3项" in flat
    assert '<imgsrc="file:///etc/passwd">储罐区报警器失效' in flat
    assert "乙化工有限公司" in flat  # in the overdue table and the major hazards
    path = tmp_path / "report.pdf"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "Noto-Sans-CJK-SC" in fonts and " yes " in fonts
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True)
    # The major hazard's photos as found and after rectification.
    assert len(images.stdout.strip().splitlines()) - 2 >= 2
    with make.session() as s:
        job = s.get(ReportJob, job_id)
    assert job.pages >= 3 and job.size_bytes == len(pdf)


@pytest.mark.usefixtures("data")
def test_ledgers_are_for_their_enterprise_only(app, world, login):
    ours = login(world.ours_user)
    job_id = _job_id(ours.post(f"/reports/ledger/{world.ours.id}"))
    assert ours.post(f"/reports/ledger/{world.theirs.id}").status_code == 404
    assert ours.post("/reports/", data={"period": "2026-10"}).status_code == 403
    with app.app_context():
        assert [job.kind for job in get_session().exec(select(ReportJob))] == ["ledger"]
    _build(app)
    with ours.get(f"/reports/{job_id}/download") as response:
        assert response.data.startswith(b"%PDF")
    theirs = login(world.theirs_user)
    assert theirs.get(f"/reports/{job_id}").status_code == 404
    assert theirs.get(f"/reports/{job_id}/download").status_code == 404
    assert "甲五金" not in theirs.get("/reports/").get_data(as_text=True)
    with login(world.supervisor).get(f"/reports/{job_id}/download") as response:
        assert response.status_code == 200


def test_a_report_that_cannot_be_built_says_why(app, world, login, make):
    client = login(world.supervisor)
    job_id = _job_id(client.post(f"/reports/ledger/{world.ours.id}"))
    with make.session() as s:
        job = s.get(ReportJob, job_id)
        job.enterprise_id = None  # the enterprise is gone
        s.commit()
    _build(app)
    status = client.get(f"/reports/{job_id}/status").get_json()
    assert status["status"] == "failed" and "不存在" in status["error"]
    assert client.get(f"/reports/{job_id}/download").status_code == 404


def test_bad_report_requests_are_refused_clearly(world, login):
    client = login(world.supervisor)
    page = client.post("/reports/", data={"period": "2090-01"}, follow_redirects=True)
    assert "该期间尚未开始" in page.get_data(as_text=True)
    page = client.post("/reports/", data={"period": "nonsense"}, follow_redirects=True)
    assert "不是有效的期间" in page.get_data(as_text=True)


def test_a_queued_report_left_waiting_says_the_scheduler_may_be_down(app, world, login):
    client = login(world.supervisor)
    job_id = _job_id(client.post("/reports/", data={"period": "2026-10"}))
    with clock.frozen(clock.now() + (datetime(2026, 1, 1, 0, 3) - datetime(2026, 1, 1))):
        assert client.get(f"/reports/{job_id}/status").get_json()["waiting_too_long"]
        assert re.search(r"report-job__waiting[^>]*>", client.get(f"/reports/{job_id}").text)


def test_a_stopping_scheduler_builds_no_further_report(app, world, login):
    ours, theirs = login(world.ours_user), login(world.theirs_user)
    first = _job_id(ours.post(f"/reports/ledger/{world.ours.id}"))
    second = _job_id(theirs.post(f"/reports/ledger/{world.theirs.id}"))
    asked = iter([False, True])  # the stop comes while the first one is being built
    with app.app_context():
        assert jobs.run_queued(get_session(), stop=lambda: next(asked)) == 1
    assert ours.get(f"/reports/{first}/status").get_json()["status"] == "done"
    assert theirs.get(f"/reports/{second}/status").get_json()["status"] == "queued"
    assert _build(app) == 1  # the next run (or the scheduler taking over) builds it
    assert theirs.get(f"/reports/{second}/status").get_json()["status"] == "done"
