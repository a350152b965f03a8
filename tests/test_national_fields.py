"""What the hazard and the enterprise gained for the national 双重预防 record: the cause and
stage derived where the inspector need not say them, chosen on the form and the tablet where
they can, the organisation code checked, and the migration filling existing rows."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlmodel import select

from inspection import create_app
from inspection.enterprises import organisation_code
from inspection.enterprises.models import Enterprise
from inspection.hazards.causes import default_occurrence
from inspection.hazards.causes import default_reason
from inspection.hazards.models import Hazard
from inspection.migrate import upgrade_database
from tests.factories import credit_code as valid_code


def test_the_cause_and_stage_are_derived_from_the_kind_of_finding_and_its_basis():
    assert default_reason("thing", "GB 35181-2025 第5.1.2条") == (
        "物的不安全状态：未满足GB 35181-2025 第5.1.2条的要求"
    )
    assert default_reason(None, "第十一条") == "未满足第十一条的要求"
    assert default_reason("management", " ") == "管理上的缺陷"
    assert default_reason(None, None) is None
    assert default_occurrence("person", "fire") == "operation"
    assert default_occurrence("thing", "layout") == "design"
    assert default_occurrence("thing", "fire") is None


def _post_hazard(client, inspection, **values):
    data = {
        "title": "叉车在车间内超速行驶",
        "level": "general",
        "category": "safety",
        "aspect": "person",
        "basis": "《工贸企业粉尘防爆安全规定》第十条",
        **values,
    }
    return client.post(f"/inspections/{inspection.id}/hazards/new", data=data)


def test_the_web_form_derives_what_is_left_empty_and_keeps_what_is_chosen(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    client = login(world.inspector)
    assert _post_hazard(client, inspection).status_code == 302
    assert (
        _post_hazard(
            client,
            inspection,
            title="危化品仓库通风故障",
            aspect="thing",
            occurrence_link="storage",
            danger_reason="排风机皮带断裂未及时更换",
        ).status_code
        == 302
    )
    refused = _post_hazard(client, inspection, title="乱选环节", occurrence_link="teleport")
    assert refused.status_code == 422
    with make.session() as s:
        rows = {h.title: h for h in s.exec(select(Hazard))}
    derived = rows["叉车在车间内超速行驶"]
    assert derived.danger_reason == "人的不安全行为：未满足《工贸企业粉尘防爆安全规定》第十条的要求"
    assert derived.occurrence_link == "operation" and derived.registrant_duty == "other"
    chosen = rows["危化品仓库通风故障"]
    assert chosen.occurrence_link == "storage"
    assert chosen.danger_reason == "排风机皮带断裂未及时更换"
    assert "乱选环节" not in rows


def test_the_tablet_may_send_the_stage_and_the_package_offers_the_choices(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    client = login(world.inspector)
    package = client.get("/api/v1/field/package")
    assert [c["value"] for c in package.json["occurrence_links"]][:3] == [
        "design",
        "product_defect",
        "storage",
    ]
    record = {
        "kind": "hazard",
        "id": str(uuid.uuid4()),
        "inspection": inspection.id,
        "title": "检修作业未挂牌上锁",
        "level": "general",
        "category": "equipment",
        "occurrence_link": "repair",
    }
    response = client.post("/api/v1/sync", json={"device": "pad-1", "records": [record]})
    assert response.status_code == 200, response.json
    assert response.json["results"][0]["outcome"] == "accepted", response.json
    bad = {**record, "id": str(uuid.uuid4()), "occurrence_link": "teleport"}
    response = client.post("/api/v1/sync", json={"device": "pad-1", "records": [bad]})
    (result,) = response.json["results"]
    assert result["outcome"] == "rejected" and "occurrence_link" in str(response.json)
    with make.session() as s:
        hazard = s.exec(select(Hazard).where(Hazard.title == "检修作业未挂牌上锁")).one()
    assert hazard.occurrence_link == "repair"


def test_the_organisation_code_is_checked_and_taken_from_the_credit_code(world, login, make):
    body = "MA2CK7L0"
    assert organisation_code.problem(body + organisation_code.check_character(body)) is None
    assert organisation_code.problem("12345678X") is not None  # wrong check character
    assert "9" in organisation_code.problem("1234")
    admin = login(world.admin)
    form = {
        "name": "新登记五金有限公司",
        "credit_code": valid_code(900),
        "industry": "五金",
        "zone_id": "",
        "scale": "small",
        "discharge_permit": "none",
        "version": "",
    }
    right = organisation_code.check_character("MA000900")
    typo = "MA000900" + ("1" if right != "1" else "2")
    wrong = admin.post("/enterprises/new", data={**form, "company_code": typo})
    assert wrong.status_code in (200, 422)
    assert 'id="company_code-error"' in wrong.get_data(as_text=True)
    with make.session() as s:
        assert s.exec(select(Enterprise).where(Enterprise.name == form["name"])).first() is None
    assert admin.post("/enterprises/new", data=form).status_code == 302
    with make.session() as s:
        enterprise = s.exec(select(Enterprise).where(Enterprise.name == form["name"])).one()
    assert enterprise.company_code == valid_code(900)[8:17]


def test_the_migration_fills_the_new_fields_of_rows_already_there(new_database, tmp_path):
    from inspection.migrate import downgrade_database
    from tests.factories import Factory

    app = create_app(
        {"DATABASE_URL": new_database(), "SECRET_KEY": "x", "FILES_DIR": str(tmp_path)}
    )
    upgrade_database(app)
    make = Factory(app)
    world = make.world()
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector, level="major", basis="第十一条")
    downgrade_database(app, "f1d9e967b9de")
    engine = app.extensions["engine"]
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE hazard SET aspect = 'person' WHERE id = :id"), {"id": hazard.id}
        )
    upgrade_database(app)
    with make.session() as s:
        row = s.get(Hazard, hazard.id)
        enterprise = s.get(Enterprise, world.ours.id)
        assert row.registrant_duty == "other"
        assert row.danger_reason == "人的不安全行为：未满足第十一条的要求"
        assert row.occurrence_link == "operation"
        assert enterprise.company_code == enterprise.credit_code[8:17]
    engine.dispose()


def test_an_enterprise_whose_derived_code_fails_its_check_stays_editable(world, login, make):
    """Codes registered before the organisation code was checked: characters 9-17 of a valid
    credit code that fail GB 11714's check character. Saving the enterprise without touching
    the organisation code is not refused for it."""
    from inspection.enterprises.credit_code import check_character as credit_check

    body = "MA000901"
    wrong = "1" if organisation_code.check_character(body) != "1" else "2"
    first17 = f"91330824{body}{wrong}"
    code = first17 + credit_check(first17)
    admin = login(world.admin)
    form = {
        "name": "老登记五金有限公司",
        "credit_code": code,
        "industry": "五金",
        "zone_id": "",
        "scale": "small",
        "discharge_permit": "none",
        "version": "",
    }
    assert admin.post("/enterprises/new", data=form).status_code == 302
    with make.session() as s:
        enterprise = s.exec(select(Enterprise).where(Enterprise.name == form["name"])).one()
    assert enterprise.company_code == code[8:17]
