"""扫码验真: the QR code on a printed document opens a public page with its number and status."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from inspection.verification import services as verifying

needs_tools = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
    reason="needs poppler-utils and zbar-tools (zbarimg)",
)


def qr_of(pdf: bytes, tmp_path) -> str:
    """The text of the QR code in a PDF, as a phone would read it."""
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", str(tmp_path / "doc.pdf"), str(tmp_path / "page")],
        check=True,
    )
    found = []
    for page in sorted(tmp_path.glob("page*.png")):
        decoded = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(page)], capture_output=True, text=True
        ).stdout.split()
        found += decoded
    assert len(found) == 1, found
    return found[0]


def _issued(world, make, app):
    """A notice issued to our enterprise, and its verification code."""
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector)
    notice = make.issue(inspection, world.inspector)
    with app.app_context():
        return notice, verifying.code_for(verifying.NOTICE, notice.id)


@needs_tools
def test_the_notice_qr_decodes_to_a_public_page_with_its_number_and_status(
    world, make, login, client, tmp_path, app
):
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector, title="安全出口被杂物堵塞")
    notice = make.issue(inspection, world.inspector)
    pdf = login(world.ours_user).get(f"/notices/{notice.id}/pdf").data
    url = qr_of(pdf, tmp_path)
    with app.app_context():
        code = verifying.code_for(verifying.NOTICE, notice.id)
        assert url == verifying.url_of(code)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "doc.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert code in text  # the short code is printed for those without a phone

    client.get("/logout")
    page = client.get("/" + url.split("://", 1)[1].split("/", 1)[1])
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert notice.number in body
    assert "待签收" in body or "Issued, awaiting acknowledgement" in body
    # Nothing else about the enterprise or its hazards is shown.
    assert world.ours.name not in body
    assert "安全出口被杂物堵塞" not in body


@needs_tools
def test_the_inspection_record_carries_a_verifiable_qr(world, make, login, tmp_path, app):
    inspection = make.inspection(world.ours, world.inspector)
    pdf = login(world.inspector).get(f"/inspections/{inspection.id}/record.pdf").data
    with app.app_context():
        expected = verifying.url_of(verifying.code_for(verifying.RECORD, inspection.id))
    assert qr_of(pdf, tmp_path) == expected


def test_an_unknown_or_altered_code_is_not_known(world, make, client, app):
    notice, code = _issued(world, make, app)
    with app.app_context():
        other = verifying.code_for(verifying.NOTICE, notice.id + 1000)
    body, seal = code.split("-")
    altered = [
        f"N{int(body[1:], 36) + 1:X}-{seal}",  # another row, same seal
        f"{body}-{'A' * len(seal)}",  # forged seal
        "R" + code[1:],  # another kind
        "nonsense",
        other,  # a genuine seal for a row that does not exist
    ]
    assert client.get(f"/v/{code}").status_code == 200
    for wrong in altered:
        page = client.get(f"/v/{wrong}")
        assert page.status_code == 404, wrong
        text = page.get_data(as_text=True)
        assert "not known" in text or "无法核实" in text or "不是本系统" in text, wrong
        assert notice.number not in text


def test_the_short_code_form_leads_to_the_page(world, make, client, app):
    notice, code = _issued(world, make, app)
    response = client.get(f"/verify?code={code.lower()}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/v/{code}")


@needs_tools
def test_the_case_file_carries_a_verifiable_qr_and_its_page_shows_the_case_number(
    world, make, login, client, tmp_path, app
):
    from tests.test_assignments import _imported

    staff, cases = _imported(world, login, make)
    case = cases["C-1"]
    pdf = staff.get(f"/assignments/cases/{case.id}/file.pdf").data
    with app.app_context():
        expected = verifying.url_of(verifying.code_for(verifying.CASE, case.id))
    assert qr_of(pdf, tmp_path) == expected
    page = client.get("/" + expected.split("://", 1)[1].split("/", 1)[1])
    assert page.status_code == 200
    assert "C-1" in page.get_data(as_text=True)
    assert "甲厂问题" not in page.get_data(as_text=True)


@needs_tools
def test_a_built_report_carries_a_verifiable_qr(world, make, login, tmp_path, app):
    from inspection.db import get_session
    from inspection.reports import jobs

    client = login(world.supervisor)
    response = client.post("/reports/", data={"period": "2026-10"})
    assert response.status_code == 302
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        assert jobs.run_queued(get_session()) == 1
        expected = verifying.url_of(verifying.code_for(verifying.REPORT, job_id))
    status = client.get(f"/reports/{job_id}/status").get_json()
    with client.get(status["download"]) as download:
        pdf = download.get_data()
    assert qr_of(pdf, tmp_path) == expected
