"""Assigned problems (交办件): importing a batch all or nothing, the closed loop through 公示 to
销号, objections that reopen, who sees what, the public page and the case file."""

from __future__ import annotations

import io
import re
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import select

from inspection import clock
from inspection.assignments.models import AssignedCase
from inspection.assignments.models import AssignmentBatch
from inspection.assignments.models import CaseEvent
from inspection.assignments.models import CaseState
from tests.factories import image_bytes

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADINGS = ["交办编号", "问题描述", "责任企业", "责任部门", "整改时限", "整改要求", "是否公示"]


def sheet(rows: list[list], headings: list[str] = HEADINGS) -> bytes:
    """An .xlsx file with these headings and rows."""
    workbook = Workbook()
    page = workbook.active
    page.append(headings)
    for row in rows:
        page.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def thirty_rows(world) -> list[list]:
    """30 cases: 12 for one enterprise, 8 for the other, 10 for the park's departments; the
    last five close without posting."""
    rows = []
    for n in range(1, 31):
        if n <= 12:
            responsible = [world.ours.name, ""]
        elif n <= 20:
            responsible = [world.theirs.credit_code, ""]
        else:
            responsible = ["", "园区建设局" if n % 2 else "园区生态环境办"]
        deadline = date(2026, 6, 30) if n % 3 else datetime(2026, 9, 30)
        rows.append(
            [
                f"DC-2026-{n:03d}",
                f"第{n}号交办问题：雨水排口异味",
                *responsible,
                deadline,
                "查明并整改",
                "否" if n > 25 else "是",
            ]
        )
    return rows


def import_form(data: bytes, **values) -> dict:
    return {
        "source": "inspection_team",
        "issuer": "省第二生态环境保护督察组",
        "name": "第一批交办件",
        "received_on": "2026-03-02",
        "deadline": "2026-06-30",
        "file": (io.BytesIO(data), "batch.xlsx"),
        **values,
    }


def do(client, case_id: int, step: str, make, **data):
    version = make.get(AssignedCase, case_id).version
    url = (
        f"/assignments/cases/{case_id}/{step}"
        if step != "acknowledge"
        else f"/assignments/cases/{case_id}/acknowledge"
    )
    response = client.post(
        url, data={"version": str(version), **data}, content_type="multipart/form-data"
    )
    assert response.status_code == 302, (step, response.get_data(as_text=True)[:2000])
    return response


def test_a_batch_of_thirty_is_imported_and_every_case_closed_one_after_an_objection(
    world, login, make
):
    staff = login(world.inspector)
    response = staff.post(
        "/assignments/import",
        data=import_form(sheet(thirty_rows(world))),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with make.session() as s:
        cases = s.exec(select(AssignedCase).order_by(AssignedCase.number)).all()
        assert len(cases) == 30
        assert sum(c.enterprise_id == world.ours.id for c in cases) == 12
        assert sum(c.enterprise_id == world.theirs.id for c in cases) == 8
        assert sum(c.of_park for c in cases) == 10
        assert {c.department for c in cases if c.of_park} == {"园区建设局", "园区生态环境办"}
        assert cases[2].deadline == date(2026, 9, 30)
        assert sum(not c.needs_posting for c in cases) == 5
        ids = {c.number: (c.id, c.enterprise_id) for c in cases}

    users = {
        world.ours.id: login(world.ours_user),
        world.theirs.id: login(world.theirs_user),
        None: staff,
    }
    supervisor = login(world.supervisor)
    evidence = ("after.jpg",)
    with clock.frozen(datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI)):
        for _number, (case_id, enterprise_id) in ids.items():
            owner = users[enterprise_id]
            do(owner, case_id, "acknowledge", make)
            do(owner, case_id, "plan", make, text="封堵混接管道", on="2026-05-31")
            do(owner, case_id, "report", make, text="已完成排查", percent="50")
            do(
                owner,
                case_id,
                "submit",
                make,
                text="混接已改正，联系人 13800138000",
                file=(io.BytesIO(image_bytes()), evidence[0]),
            )
            do(staff, case_id, "accept", make, body="县生态环境分局", on="2026-04-01")
            if make.get(AssignedCase, case_id).needs_posting:
                do(staff, case_id, "post", make, on="2026-04-01", percent="7")
            else:
                do(supervisor, case_id, "close", make)

    objected = ids["DC-2026-001"][0]
    with clock.frozen(datetime(2026, 4, 3, 9, 0, tzinfo=SHANGHAI)):
        do(staff, objected, "object", make, text="群众反映仍有异味", on="2026-04-03")
        assert make.get(AssignedCase, objected).state == CaseState.RECTIFYING
        # Closing while still posted is refused.
        case_id = ids["DC-2026-002"][0]
        response = supervisor.post(
            f"/assignments/cases/{case_id}/close",
            data={"version": str(make.get(AssignedCase, case_id).version)},
        )
        assert response.status_code == 422
        assert "公示" in response.get_data(as_text=True) or "posted" in response.get_data(
            as_text=True
        )

    with clock.frozen(datetime(2026, 4, 9, 9, 0, tzinfo=SHANGHAI)):
        for _number, (case_id, _enterprise) in ids.items():
            if make.get(AssignedCase, case_id).state == CaseState.POSTING:
                do(supervisor, case_id, "close", make)
        owner = users[world.ours.id]
        do(owner, objected, "submit", make, text="重新整改完毕")
        do(staff, objected, "accept", make, body="县生态环境分局")
        do(staff, objected, "post", make, percent="3")
    with clock.frozen(datetime(2026, 4, 13, 9, 0, tzinfo=SHANGHAI)):
        do(supervisor, objected, "close", make)

    with make.session() as s:
        states = [c.state for c in s.exec(select(AssignedCase))]
        assert states.count(CaseState.CLOSED) == 30
        reopen = s.exec(
            select(CaseEvent).where(CaseEvent.case_id == objected, CaseEvent.event == "object")
        ).one()
        assert reopen.to_state == CaseState.RECTIFYING

    # The figures page counts what was counted here by hand: 30 received, 30 closed, 0 open.
    figures = supervisor.get("/programme/figures?period=2026").get_data(as_text=True)
    row = re.search(r'<tr data-source="inspection_team">(.*?)</tr>', figures, re.S).group(1)
    assert re.findall(r">(\d+)</a>", row) == ["30", "30", "0"]
    assert "30</a> 件" in figures  # the sentence: 共接收交办问题 30 件，完成整改销号 30 件
    # The case file holds every step; the history of the objected case shows both rounds.
    response = staff.get(f"/assignments/cases/{objected}/file.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_a_broken_sheet_is_refused_row_by_row_and_nothing_is_imported(world, login, make):
    staff = login(world.inspector)
    rows = [
        ["A-1", "问题一", world.ours.name, "", "2026-06-30", "", "是"],
        ["A-2", "问题二", "不存在的企业有限公司", "", "2026-06-30", "", "是"],
        ["A-3", "问题三", "", "园区建设局", "2026-13-45", "", "是"],
        ["A-4", "", world.ours.name, "", "", "", "也许"],
    ]
    response = staff.post(
        "/assignments/import", data=import_form(sheet(rows)), content_type="multipart/form-data"
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    problems = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", body)
    by_cell = {(row, column) for row, column, _message in problems}
    assert ("3", "责任企业") in by_cell
    assert ("4", "整改时限") in by_cell
    assert ("5", "问题描述") in by_cell and ("5", "是否公示") in by_cell
    assert not any(row == "2" for row, _c, _m in problems)
    assert "不存在的企业有限公司" in body

    missing = sheet(
        [["B-1", "问题", world.ours.name, "2026-06-30"]],
        ["交办编号", "问题描述", "责任企业", "整改时限"],
    )
    response = staff.post(
        "/assignments/import", data=import_form(missing), content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "责任部门" in response.get_data(as_text=True)
    with make.session() as s:
        assert s.exec(select(AssignedCase)).all() == []
        assert s.exec(select(AssignmentBatch)).all() == []


def _imported(world, login, make):
    staff = login(world.inspector)
    rows = [
        ["C-1", "甲厂问题", world.ours.name, "", "2026-06-30", "", "是"],
        ["C-2", "乙厂问题", world.theirs.name, "", "2026-06-30", "", "是"],
        ["C-3", "园区管网问题", "", "园区建设局", "2026-06-30", "", "是"],
    ]
    response = staff.post(
        "/assignments/import", data=import_form(sheet(rows)), content_type="multipart/form-data"
    )
    assert response.status_code == 302
    with make.session() as s:
        return staff, {c.number: c for c in s.exec(select(AssignedCase))}


def test_an_enterprise_sees_its_own_cases_only(world, login, make):
    _staff, cases = _imported(world, login, make)
    ours = login(world.ours_user)
    listing = ours.get("/assignments/").get_data(as_text=True)
    assert "C-1" in listing and "C-2" not in listing and "C-3" not in listing
    assert ours.get(f"/assignments/cases/{cases['C-1'].id}").status_code == 200
    assert ours.get(f"/assignments/cases/{cases['C-2'].id}").status_code == 404
    assert ours.get(f"/assignments/cases/{cases['C-3'].id}").status_code == 404
    assert ours.get(f"/assignments/cases/{cases['C-3'].id}/file.pdf").status_code == 404
    assert ours.get("/assignments/batches").status_code == 403
    response = ours.post(f"/assignments/cases/{cases['C-2'].id}/acknowledge", data={"version": "1"})
    assert response.status_code == 404
    assert make.get(AssignedCase, cases["C-2"].id).state == CaseState.ASSIGNED
    # The park's own case is acknowledged by its staff, not by an enterprise.
    assert (
        ours.post(
            f"/assignments/cases/{cases['C-3'].id}/acknowledge", data={"version": "1"}
        ).status_code
        == 404
    )


def test_the_public_page_shows_only_what_is_posted_without_phone_numbers(
    world, login, make, client
):
    staff, cases = _imported(world, login, make)
    owner = login(world.ours_user)
    case_id = cases["C-1"].id
    other = make.get(AssignedCase, cases["C-2"].id)
    assert client.get(f"/public/postings/{other.public_token}").status_code == 404
    do(owner, case_id, "acknowledge", make)
    do(owner, case_id, "plan", make, text="方案", on="2026-05-31")
    do(
        owner,
        case_id,
        "submit",
        make,
        text="已整改，联系电话13800138000",
        file=(io.BytesIO(image_bytes()), "a.jpg"),
    )
    do(staff, case_id, "accept", make, body="县生态环境分局")
    do(staff, case_id, "post", make)
    token = make.get(AssignedCase, case_id).public_token
    page = client.get(f"/public/postings/{token}").get_data(as_text=True)
    assert "甲厂问题" in page and world.ours.name in page and "县生态环境分局" in page
    assert "13800138000" not in page and "138****8000" in page
    assert world.ours_user.display_name not in page and world.inspector.display_name not in page
    listing = client.get(f"/public/{world.ours.park_id}/postings").get_data(as_text=True)
    assert "C-1" in listing and "C-2" not in listing and "C-3" not in listing
    assert "<script" not in page


@pytest.mark.parametrize("step", ["accept", "close"])
def test_steps_refuse_the_wrong_role(world, login, make, step):
    _staff, cases = _imported(world, login, make)
    ours = login(world.ours_user)
    response = ours.post(
        f"/assignments/cases/{cases['C-1'].id}/{step}", data={"version": "1", "body": "x"}
    )
    assert response.status_code in (403, 409)
    assert make.get(AssignedCase, cases["C-1"].id).state == CaseState.ASSIGNED


def test_the_template_is_a_sheet_the_import_accepts_back(world, login, make):
    staff = login(world.inspector)
    data = staff.get("/assignments/template.xlsx").data
    workbook = load_workbook(io.BytesIO(data))
    page = workbook.active
    assert [cell.value for cell in page[1]] == HEADINGS
    page["C2"] = world.ours.name  # the example row names an enterprise of the demo, not ours
    filled = io.BytesIO()
    workbook.save(filled)
    response = staff.post(
        "/assignments/import",
        data=import_form(filled.getvalue()),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with make.session() as s:
        cases = {c.number: c for c in s.exec(select(AssignedCase))}
    assert set(cases) == {"D2026-001", "D2026-002"}
    assert cases["D2026-001"].enterprise_id == world.ours.id
    assert cases["D2026-002"].enterprise_id is None


def test_an_altered_case_history_is_named_by_audit_verify(app, world, login, make):
    _staff, cases = _imported(world, login, make)
    with make.session() as s:
        event = s.exec(select(CaseEvent).where(CaseEvent.case_id == cases["C-2"].id)).one()
        s.execute(text("UPDATE case_event SET comment = '改过' WHERE id = :id"), {"id": event.id})
        s.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert (
        f"case event {event.id} (assigned case {cases['C-2'].id}, step 1): content altered"
        in result.output
    )


def test_the_year_counts_batches_received_on_its_own_local_days(world, login, make):
    """A batch received on 31 December is last year's, one received on 1 January this year's
    (the period's bounds are the park's local days, not UTC instants)."""
    staff = login(world.inspector)
    for number, received in (("Y-1", "2025-12-31"), ("Y-2", "2026-01-01"), ("Y-3", "2026-12-31")):
        rows = [[number, "问题", world.ours.name, "", "2027-06-30", "", "是"]]
        response = staff.post(
            "/assignments/import",
            data=import_form(sheet(rows), received_on=received, name=f"批次{number}"),
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    supervisor = login(world.supervisor)
    for period, expected in (("2025", ["1", "0", "3"]), ("2026", ["2", "0", "3"])):
        page = supervisor.get(f"/programme/figures?period={period}").get_data(as_text=True)
        row = re.search(r'<tr data-source="inspection_team">(.*?)</tr>', page, re.S).group(1)
        assert re.findall(r">(\d+)</a>", row) == expected, period
