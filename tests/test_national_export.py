"""The hazard record in the national 双重预防 format: every code mapped, the demo park's export
valid against the JSON Schema with every required field filled, staff only, the Excel columns,
photos under 5 MB, and a clear message for a period that cannot be read."""

from __future__ import annotations

import base64
import io
import json
from datetime import timedelta

import pytest
from jsonschema import Draft202012Validator
from openpyxl import load_workbook
from PIL import Image
from sqlmodel import select

from inspection import clock
from inspection.enterprises.models import Enterprise
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardState
from inspection.national import codes
from inspection.national import services
from inspection.national.attachments import LIMIT
from inspection.national.attachments import data_url
from inspection.national.workbook import columns
from inspection.parks.models import Park
from tests.factories import image_bytes

URLS = ("/national-export", "/national-export/hazards.json", "/national-export/hazards.xlsx")
# Which schema field each mapping table fills.
FIELD_OF = {
    id(codes.DANGER_LEVEL): "dangerLevel",
    id(codes.DANGER_SOURCE): "dangerSrc",
    id(codes.DANGER_STATE): "dangerState",
    id(codes.MANAGE_TYPE): "dangerManageType",
    id(codes.DANGER_TYPE): "hazardDangerType",
    id(codes.REGISTRANT): "hazardCategory",
    id(codes.ASPECT): "managementClassification",
    id(codes.OCCURRENCE): "occurrenceLink",
}


def _this_year() -> str:
    return str(clock.today().year)


def test_every_state_level_source_and_category_maps_to_a_code_the_schema_allows():
    properties = services.schema()["$defs"]["hiddenDangerInfo"]["properties"]
    for table, enumeration in codes.MAPPINGS:
        assert set(table) == {member.value for member in enumeration}, enumeration
        allowed = {str(code) for code in properties[FIELD_OF[id(table)]]["enum"]}
        assert set(table.values()) <= allowed, enumeration
    # The interface's internal states (−1 审核中, 6 已关闭) are never sent.
    assert set(codes.DANGER_STATE.values()) == {"0", "1", "9"}
    assert codes.DANGER_LEVEL["major"] == "1" and codes.DANGER_LEVEL["significant"] == "0"


def test_the_schema_file_is_itself_a_valid_schema_and_knows_the_required_fields():
    Draft202012Validator.check_schema(services.schema())
    required = services.required_fields()
    assert {"id", "companyCode", "dangerLevel", "dangerState", "liablePerson"} <= set(required)
    # Every column of the sheet is a field of the schema, photos left to the JSON.
    assert columns() == [
        name for name, _t in services.fields() if name not in ("attachments1", "attachments2")
    ]


def demo_export_holds(client, make) -> None:
    """The demo park's export validates against the schema with every required field filled
    (called by the demo test in tests/test_demo.py, so the demo is loaded once for both), with
    `client` logged in as the 青溪 park's supervisor."""
    with make.session() as s:
        park = s.exec(select(Park).where(Park.name == "青溪经济开发区")).one()
        s.expunge_all()
    response = client.get(f"/national-export/hazards.json?period={_this_year()}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    records = json.loads(response.get_data(as_text=True))
    validator = Draft202012Validator(
        services.schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{e.json_path}: {e.message[:120]}" for e in validator.iter_errors(records)]
    assert errors == []
    required = services.required_fields()
    for values in records:
        assert all(values.get(name) not in (None, "") for name in required), values["id"]
    with make.session() as s:
        start = clock.start_of_local_day(clock.today().replace(month=1, day=1))
        ours = s.exec(select(Hazard).where(Hazard.park_id == park.id)).all()
        expected = {h.uuid for h in ours if h.found_at >= start or h.updated_at >= start}
        elsewhere = {h.uuid for h in s.exec(select(Hazard).where(Hazard.park_id != park.id))}
        codes_of_park = {
            e.company_code for e in s.exec(select(Enterprise).where(Enterprise.park_id == park.id))
        }
    got = {values["id"] for values in records}
    assert got == expected and not got & elsewhere
    assert {values["companyCode"] for values in records} <= codes_of_park
    states = {values["dangerState"] for values in records}
    assert states == {"0", "1", "9"}
    accepted = [v for v in records if v["dangerState"] == "9"]
    assert all(v["checkAcceptPerson"] and v["checkAcceptTime"] for v in accepted)
    assert any(v["deleted"] == "1" for v in records)  # the voided demo hazard
    photos = [v["attachments1"] for v in records if "attachments1" in v]
    assert photos and all(len(url) < LIMIT for url in photos)
    # The page says the same: nothing is missing.
    page = client.get(f"/national-export?period={_this_year()}").get_data(as_text=True)
    assert f"{len(records)}" in page and "national-export/hazards.xlsx" in page


def test_excel_sheet_has_the_interfaces_columns_and_one_row_per_hazard(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector, title="配电箱未上锁")
    make.hazard(inspection, world.inspector, level="major", basis="第十一条第（三）项")
    response = login(world.supervisor).get(
        f"/national-export/hazards.xlsx?period={clock.today():%Y-%m}"
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook["sec_hidden_danger_info"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == columns()
    assert "dangerName" in rows[0] and "hazardCategory" in rows[0]
    assert "attachments1" not in rows[0]
    assert len(rows) == 3
    by_name = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    first = next(r for r in by_name if r["id"] == hazard.uuid)
    assert first["dangerName"] == "配电箱未上锁"
    assert first["dangerLevel"] == "0" and first["dangerState"] == "0"
    assert first["companyCode"] == world.ours.credit_code[8:17]
    assert {r["dangerLevel"] for r in by_name} == {"0", "1"}
    legend = [row[0] for row in workbook["字段说明"].iter_rows(min_row=2, values_only=True)]
    assert legend == columns()


def test_an_enterprise_user_gets_nothing_of_the_export(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector, title="甲厂自己的隐患")
    make.issue(inspection, world.inspector)
    client = login(world.ours_user)
    for url in URLS:
        response = client.get(f"{url}?period={_this_year()}")
        assert response.status_code == 403, url
        assert "甲厂自己的隐患" not in response.get_data(as_text=True)


def test_another_parks_staff_see_none_of_its_hazards(make, login):
    two = make.two_parks()
    inspection = make.inspection(two.b_enterprise, two.b_inspector)
    b_hazard = make.hazard(inspection, two.b_inspector, title="丙厂的隐患")
    response = login(two.supervisor).get(f"/national-export/hazards.json?period={_this_year()}")
    assert response.status_code == 200
    assert json.loads(response.get_data(as_text=True)) == []
    records = json.loads(
        login(two.b_supervisor)
        .get(f"/national-export/hazards.json?period={_this_year()}")
        .get_data(as_text=True)
    )
    assert [r["id"] for r in records] == [b_hazard.uuid]


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ("2026-13", "2026-13"),
        ("last year", "LAST YEAR"),
        ("", "2026Q3"),
        ("2999", "2999"),
    ],
)
def test_a_period_that_cannot_be_read_gets_a_clear_message(world, login, period, says):
    client = login(world.supervisor)
    for url in URLS[1:]:
        response = client.get(url, query_string={"period": period})
        body = response.get_data(as_text=True)
        assert response.status_code == 400, (url, period)
        assert response.mimetype == "text/html"
        assert says in body and 'aria-invalid="true"' in body
    page = client.get(URLS[0], query_string={"period": period})
    # An empty period on the page itself just shows the filter.
    assert page.status_code == (200 if period == "" else 400)


def test_a_large_photo_is_re_encoded_under_5_mb_as_a_valid_jpeg():
    large = image_bytes("JPEG", size=(3200, 2400), noise=True)
    assert len(base64.b64encode(large)) > LIMIT  # too large as it is
    url = data_url(large, "image/jpeg")
    assert len(url) < LIMIT
    head, _comma, payload = url.partition(",")
    assert head == "data:image/jpeg;base64"
    data = base64.b64decode(payload, validate=True)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        image.verify()
    # A small JPEG goes as it is; a WebP is re-encoded as a JPEG.
    small = image_bytes("JPEG")
    assert data_url(small, "image/jpeg") == "data:image/jpeg;base64," + base64.b64encode(
        small
    ).decode("ascii")
    assert data_url(image_bytes("WEBP"), "image/webp").startswith("data:image/jpeg;base64,")


def test_a_closed_hazard_carries_who_accepted_it_and_a_voided_one_is_sent_deleted(
    world, make, login
):
    inspection = make.inspection(world.ours, world.inspector)
    kept = make.hazard(inspection, world.inspector, title="消防通道堵塞")
    voided = make.hazard(inspection, world.inspector, title="误录")
    with make.session() as s:
        row = s.get(Hazard, kept.id)
        row.state, row.closed_at = HazardState.CLOSED, clock.now()
        row.reviewed_by_id, row.reviewed_at = world.inspector.id, clock.now()
        s.get(Hazard, voided.id).state = HazardState.VOIDED
        s.commit()
    client = login(world.supervisor)
    # Nobody named as responsible yet, and the enterprise has no principal on file: the page
    # names the records and the field they lack before anything is sent.
    page = client.get(f"/national-export?period={_this_year()}").get_data(as_text=True)
    assert kept.number in page and voided.number in page and "liablePerson" in page
    with make.session() as s:
        s.get(Enterprise, world.ours.id).legal_representative = "王建华"
        s.commit()
    page = client.get(f"/national-export?period={_this_year()}").get_data(as_text=True)
    assert kept.number not in page and "liablePerson" not in page
    records = json.loads(
        client.get(f"/national-export/hazards.json?period={_this_year()}").get_data(as_text=True)
    )
    by_id = {r["id"]: r for r in records}
    assert by_id[kept.uuid]["dangerState"] == "9"
    assert by_id[kept.uuid]["checkAcceptPerson"] == world.inspector.display_name
    assert by_id[voided.uuid]["deleted"] == "1"
    assert by_id[kept.uuid]["liablePerson"] == "王建华"
    Draft202012Validator(services.schema()).validate(records)


def test_a_hazard_outside_the_period_is_not_exported(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    old = make.hazard(inspection, world.inspector)
    long_ago = clock.now() - timedelta(days=800)
    with make.session() as s:
        row = s.get(Hazard, old.id)
        row.found_at = row.created_at = row.updated_at = long_ago
        s.commit()
    records = json.loads(
        login(world.supervisor)
        .get(f"/national-export/hazards.json?period={_this_year()}")
        .get_data(as_text=True)
    )
    assert records == []
