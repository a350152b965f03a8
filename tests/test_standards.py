"""The standards behind the checklists: editions, corrections, sources, and how findings are named.

Each correction found in the review of the library is pinned here, so it cannot quietly come back.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import func
from sqlmodel import select

from inspection import clock
from inspection import labels
from inspection.campaigns import services as campaign_services
from inspection.checklists import library as checklist_library
from inspection.checklists import loader
from inspection.checklists import queries as checklist_queries
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistTemplate
from inspection.checklists.models import ChecklistVersion
from inspection.enterprises.models import INDUSTRY_SECTORS
from inspection.enterprises.models import Enterprise
from inspection.hazards.export import _row_maker
from inspection.hazards.models import Hazard
from inspection.inspections.models import InspectionChecklist
from inspection.parks.models import Park

LIBRARY = Path(loader.__file__).resolve().parents[2] / "checklists"
README = LIBRARY.parent / "README.md"


def _items(app, name: str) -> dict[str, dict]:
    with app.test_request_context():
        definition = loader.parse_file(LIBRARY / name)
    return {item["code"]: item for s in definition["sections"] for item in s["items"]}


def _definition(app, name: str) -> dict:
    with app.test_request_context():
        return loader.parse_file(LIBRARY / name)


def _load(make, directory: Path = LIBRARY):
    with make.app.test_request_context():
        from inspection.db import get_session

        session = get_session()
        report = checklist_library.load_library(session, directory)
        assert not report.problems, report.problems
        session.commit()
        return report


def _fire_versions(make) -> list[ChecklistVersion]:
    with make.session() as s:
        return list(
            s.exec(
                select(ChecklistVersion)
                .join(ChecklistTemplate, ChecklistTemplate.id == ChecklistVersion.template_id)
                .where(ChecklistTemplate.code == "fire-gb35181")
                .order_by(ChecklistVersion.number)
            )
        )


def _counts(make) -> tuple[int, int]:
    with make.session() as s:
        return (
            s.exec(select(func.count()).select_from(ChecklistVersion)).one(),
            s.exec(select(func.count()).select_from(ChecklistItem)).one(),
        )


# --- GB 35181-2025 replaces 2017 -------------------------------------------------------------


def test_the_2025_fire_checklist_loads_as_the_current_version_and_a_second_load_changes_nothing(
    make,
):
    _load(make)
    first = _counts(make)
    versions = _fire_versions(make)
    assert [(v.number, v.retired) for v in versions] == [(1, True), (2, False)]
    old, new = versions
    assert old.standard == "GB 35181-2017《重大火灾隐患判定方法》"
    assert new.standard == "GB 35181-2025《重大火灾隐患判定规则》"
    assert new.effective_date == date(2025, 11, 1)
    with make.session() as s:
        assert checklist_queries.latest_published(s, new.template_id).id == new.id
        bases = s.exec(select(ChecklistItem.basis).where(ChecklistItem.version_id == new.id)).all()
    assert bases and all(b.startswith("GB 35181-2025 第") for b in bases)

    again = _load(make)
    assert all(not result.created for _name, result in again.results)
    assert _counts(make) == first


def test_an_inspection_started_on_the_2017_edition_keeps_it(world, make, login, tmp_path):
    # The library as it was before 2025: the 2017 file was the current edition.
    before = (LIBRARY / "fire-gb35181-2017.yaml").read_text(encoding="utf-8")
    (tmp_path / "fire-gb35181.yaml").write_text(
        before.replace("retired: true\n", ""), encoding="utf-8"
    )
    _load(make, tmp_path)
    (v2017,) = _fire_versions(make)
    assert not v2017.retired
    inspection = make.inspection(world.ours, world.inspector, version_ids=[v2017.id])

    _load(make)  # the 2025 library arrives
    versions = _fire_versions(make)
    assert [v.retired for v in versions] == [False, True, False]
    current = versions[-1]
    assert current.standard.startswith("GB 35181-2025")
    with make.session() as s:
        used = s.exec(
            select(InspectionChecklist.version_id).where(
                InspectionChecklist.inspection_id == inspection.id
            )
        ).all()
        offered = checklist_queries.offered_versions(s, s.get(Enterprise, world.ours.id))
    assert used == [v2017.id]
    assert current.id in {v.id for group in offered for v in group}
    assert not {v.id for v in versions[:-1]} & {v.id for group in offered for v in group}
    page = login(world.inspector).get(f"/inspections/{inspection.id}/checklists/{v2017.id}")
    assert "GB 35181-2017" in page.get_data(as_text=True)

    # A new inspection cannot take the old edition, even when its id is sent.
    other = make.inspection(world.ours, world.inspector)
    refused = login(world.inspector).post(
        f"/inspections/{other.id}/checklists",
        data={"version_id": str(v2017.id)},
        follow_redirects=True,
    )
    text = refused.get_data(as_text=True)
    assert "已不是现行版本" in text and "GB 35181-2025" in text
    with make.session() as s:
        assert not s.exec(
            select(InspectionChecklist).where(InspectionChecklist.inspection_id == other.id)
        ).all()


# --- The corrections -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["fire-gb35181-2017.yaml", "fire-gb35181.yaml"])
def test_7_1_2_has_its_second_limb_and_the_combined_count_rule_is_not_in_chapter_8(app, name):
    text = (LIBRARY / name).read_text(encoding="utf-8")
    assert "第8章" not in text
    item = _items(app, name)["c7-1-2"]
    assert item["text"].startswith("建筑之间的既有防火间距被占用")
    assert (
        "明火和散发火花地点与易燃易爆生产厂房、装置设备之间的防火间距小于国家工程建设消防技术标准的规定值"
        in item["text"]
    )


def test_the_2017_edition_puts_the_combined_count_rule_in_5_3(app):
    definition = _definition(app, "fire-gb35181-2017.yaml")
    assert "综合判定（第5.3条）" in definition["description"]
    assert "7.3.1～7.3.9和7.5、7.9.3" in definition["description"]
    assert definition["retired"] is True


def test_the_discharge_permit_items_cite_the_right_articles(app):
    items = _items(app, "discharge-permit-postcheck.yaml")
    assert items["pp-2"]["basis"] == "《排污许可管理条例》第十八条第二款"
    assert "排放口的位置和数量、污染物排放方式和排放去向" in items["pp-2"]["text"]
    assert items["pp-1"]["basis"] == "《排污许可管理条例》第二条、第十四条、第十五条"
    assert "60日前申请延续" in items["pp-1"]["text"]
    assert "重新申请取得排污许可证" in items["pp-1"]["text"]


def test_the_one_year_storage_limit_is_not_put_on_waste_producers(app):
    item = _items(app, "hazardous-waste-assessment.yaml")["hw8-5"]
    assert "一年" not in item["text"] and "一年" not in item["hazard_title"]
    assert "第八十一条第三款" in item["guidance"]
    assert "经营单位" in item["guidance"] and "不是产废单位" in item["guidance"]
    assert "第八十一条" not in item["basis"]


def test_dust_items_are_major_only_for_what_article_11_names(app):
    items = _items(app, "dust-explosion-routine.yaml")
    assert items["dust-8"]["text"] == "铝镁等金属粉尘、木质粉尘的干式除尘系统设置锁气卸灰装置。"
    assert items["dust-8"]["basis"] == "应急管理部令第10号 第十一条第（六）项"
    assert items["dust-9"]["text"] == "木制品加工企业与砂光机连接的风管设置火花探测消除装置。"
    assert items["dust-9"]["basis"] == "应急管理部令第10号 第十一条第（八）项"
    assert items["dust-8"]["major"] and items["dust-9"]["major"]
    # The rest of the old items is general.
    assert not items["dust-8b"]["major"] and "扬尘" in items["dust-8b"]["text"]
    assert not items["dust-9b"]["major"] and "测试" in items["dust-9b"]["text"]
    for item in items.values():
        if item["major"]:
            assert item["basis"].startswith("应急管理部令第10号 第十一条"), item["code"]


def test_the_gongmao_checklist_is_not_offered_to_chemical_enterprises(world, make, login):
    _load(make)
    chemical = make.enterprise("丙化工有限公司", industry="化工", risk_confined_space=True)
    metal = make.enterprise("丁五金有限公司", industry="五金", risk_confined_space=True)
    with make.session() as s:
        gongmao = s.exec(
            select(ChecklistVersion)
            .join(ChecklistTemplate, ChecklistTemplate.id == ChecklistVersion.template_id)
            .where(ChecklistTemplate.code == "gongmao-major-2023")
        ).one()
        offered = {
            e.id: {
                v.id
                for group in checklist_queries.offered_versions(s, s.get(Enterprise, e.id))
                for v in group
            }
            for e in (chemical, metal)
        }
        chemical_suited = {
            v.title
            for v in checklist_queries.offered_versions(s, s.get(Enterprise, chemical.id))[0]
        }
    assert gongmao.id not in offered[chemical.id]
    assert gongmao.id in offered[metal.id]
    assert any("化工和危险化学品" in title for title in chemical_suited)

    # Asked for anyway, it is refused with the reason and nothing is added.
    inspection = make.inspection(chemical, world.inspector)
    page = login(world.inspector).post(
        f"/inspections/{inspection.id}/checklists",
        data={"version_id": str(gongmao.id)},
        follow_redirects=True,
    )
    text = page.get_data(as_text=True)
    assert "不适用于丙化工有限公司" in text and "第二条" in text and "121号" in text
    with make.session() as s:
        assert not s.exec(
            select(InspectionChecklist).where(InspectionChecklist.inspection_id == inspection.id)
        ).all()
    with pytest.raises(Exception, match="121号"):
        make.inspection(chemical, world.inspector, version_ids=[gongmao.id])

    # A campaign over both leaves it off the chemical enterprise's inspection only.
    def plan(s):
        with make.app.test_request_context():
            return campaign_services.create_campaign(
                s,
                actor=s.get(type(world.inspector), world.inspector.id),
                park=s.get(Park, chemical.park_id),
                name="有限空间专项检查",
                type="special",
                description=None,
                start_date=clock.today(),
                due_date=clock.today(),
                enforcement=False,
                enterprise_ids=[chemical.id, metal.id],
                version_ids=[gongmao.id],
                inspector_ids=[],
            )

    campaign = make._run(plan)
    with make.session() as s:
        from inspection.inspections.models import Inspection

        used = {
            enterprise_id: version_id
            for enterprise_id, version_id in s.exec(
                select(Inspection.enterprise_id, InspectionChecklist.version_id)
                .join(
                    InspectionChecklist,
                    InspectionChecklist.inspection_id == Inspection.id,
                    isouter=True,
                )
                .where(Inspection.campaign_id == campaign.id)
            )
        }
    assert used == {chemical.id: None, metal.id: gongmao.id}


def test_biomedical_is_not_mapped_to_a_gongmao_sector(world, make):
    _load(make)
    assert INDUSTRY_SECTORS["生物医疗"] is None
    pharma = make.enterprise("戊生物医疗有限公司", industry="生物医疗")
    with make.session() as s:
        enterprise = s.get(Enterprise, pharma.id)
        assert enterprise.sector is None
        suited = {v.title for v in checklist_queries.offered_versions(s, enterprise)[0]}
    assert "工贸企业重大事故隐患判定标准" not in suited


def test_the_unofficial_50_m_rule_is_gone(app):
    item = _items(app, "gongmao-major-2023.yaml")["art4-1"]
    assert "50" not in item["guidance"] and "米" not in item["guidance"]


# --- What a GB 35181 finding is called --------------------------------------------------------


def test_gb_35181_findings_are_called_major_fire_hazards(world, make, login, app):
    with app.test_request_context():
        assert labels.level_label("major", "GB 35181-2025 第5章") == "重大火灾隐患"
        assert labels.level_label("major", "应急管理部令第10号 第三条第（二）项") == "重大事故隐患"
        assert labels.level_label("major", None) == "重大事故隐患"
        assert labels.level_label("general", "GB 35181-2025 第6章") == "一般隐患"
    inspection = make.inspection(world.ours, world.inspector)
    fire = make.hazard(
        inspection, world.inspector, level="major", basis="GB 35181-2025 第5章（沿用2017版第6.4条）"
    )
    other = make.hazard(
        inspection,
        world.inspector,
        title="特种作业人员无证上岗",
        level="major",
        basis="应急管理部令第10号 第三条第（二）项",
    )
    client = login(world.inspector)
    assert "重大火灾隐患" in client.get(f"/hazards/{fire.id}").get_data(as_text=True)
    other_page = client.get(f"/hazards/{other.id}").get_data(as_text=True)
    assert "重大事故隐患" in other_page and "重大火灾隐患" not in other_page
    with app.test_request_context(), make.session() as s:
        row = _row_maker(clock.today())
        assert "重大火灾隐患" in row(s.get(Hazard, fire.id), "甲五金制品有限公司")
        assert "重大事故隐患" in row(s.get(Hazard, other.id), "甲五金制品有限公司")


def test_the_fire_checklist_item_form_names_a_major_fire_hazard(world, make, login):
    _load(make)
    new = _fire_versions(make)[-1]
    inspection = make.inspection(world.ours, world.inspector, version_ids=[new.id])
    with make.session() as s:
        item = s.exec(
            select(ChecklistItem).where(
                ChecklistItem.version_id == new.id, ChecklistItem.code == "d6-4"
            )
        ).one()
    client = login(world.inspector)
    client.post(f"/inspections/{inspection.id}/answers/{item.id}", data={"result": "fail"})
    form = client.get(f"/inspections/{inspection.id}/hazards/new?item={item.id}")
    assert "不符合即依法判定为重大火灾隐患" in form.get_data(as_text=True)
    refused = client.post(
        f"/inspections/{inspection.id}/hazards/new?item={item.id}",
        data={"title": "甲类仓库设在地下室", "level": "general", "item_id": str(item.id)},
    )
    assert refused.status_code == 422
    assert "依法应判定为重大火灾隐患" in refused.get_data(as_text=True)


# --- Sources ---------------------------------------------------------------------------------


def test_every_library_item_states_the_source_it_was_checked_against(app):
    for path in sorted(LIBRARY.glob("*.yaml")):
        definition = _definition(app, path.name)
        kinds = {source["id"]: source["kind"] for source in definition["sources"]}
        assert kinds, path.name
        assert all(source["checked"] for source in definition["sources"]), path.name
        for section in definition["sections"]:
            for item in section["items"]:
                assert item["sources"], (path.name, item["code"])
                assert set(item["sources"]) <= set(kinds), (path.name, item["code"])
                if not item["needs_verification"]:
                    assert {kinds[i] for i in item["sources"]} & {"official", "reprint"}


def test_the_readme_gives_the_unverified_count_the_command_prints(app):
    result = app.test_cli_runner().invoke(args=["checklists", "unverified"])
    assert result.exit_code == 0, result.output
    total = re.search(r"current checklists: (\d+) of (\d+) items unverified", result.output)
    unverified, items = total.groups()
    statuses = checklist_library.library_status()
    current = [s for s in statuses if not s.retired]
    assert int(unverified) == sum(s.unverified for s in current) > 0
    assert int(items) == sum(s.items for s in current)
    readme = README.read_text(encoding="utf-8")
    assert f"{unverified} of the {items} items" in readme, "update the count in README.md"


SOURCED = """\
schema: 1
code: sourced
title: 有来源的检查表
standard: 测试标准
kind: routine
sources:
  - id: gazette
    title: 官方公报
    kind: official
    checked: 2026-12-03
  - id: notes
    title: 笔记
    kind: summary
  - id: blog
    title: 博客
    kind: gossip
sections:
  - code: s1
    title: 第一部分
    items:
      - code: i1
        text: 检查项一
        basis: 测试标准 第一条
        source: gazette
      - code: i2
        text: 检查项二
        basis: 测试标准 第二条
        source: notes
      - code: i3
        text: 检查项三
        basis: 测试标准 第三条
        source: minutes
        needs_verification: true
      - code: i4
        text: 检查项四
        basis: 测试标准 第四条
        needs_verification: true
"""


def test_source_mistakes_are_named_with_their_line(app):
    with app.test_request_context(), pytest.raises(loader.InvalidChecklist) as invalid:
        loader.parse(SOURCED, "sourced.yaml")
    messages = sorted((p.line, p.message) for p in invalid.value.problems)
    assert len(messages) == 4, messages
    (kind_line, kind), (checked_line, checked), (unknown_line, unknown), (none_line, none) = (
        messages
    )
    assert kind_line == 16 and "未知的来源类型“gossip”" in kind
    assert checked_line == 28 and "i2" in checked and "needs_verification: true" in checked
    assert unknown_line == 32 and "“minutes”" in unknown and "gazette" in unknown
    assert none_line == 34 and "i4" in none and "没有写明来源" in none


def test_not_for_needs_a_reason_and_known_names(app):
    text = SOURCED.split("sources:")[0] + (
        "not_for:\n  industries: [炼金]\nsections:\n  - code: s1\n    title: 一\n    items:\n"
        "      - code: i1\n        text: 项\n        basis: 依据\n"
    )
    with app.test_request_context(), pytest.raises(loader.InvalidChecklist) as invalid:
        loader.parse(text, "bad.yaml")
    messages = " ".join(p.message for p in invalid.value.problems)
    assert "reason" in messages and "炼金" in messages


def test_an_item_added_in_the_editor_needs_a_source_before_it_is_published(world, make, login):
    _load(make)
    admin = login(world.admin)
    with make.session() as s:
        template = s.exec(
            select(ChecklistTemplate).where(ChecklistTemplate.code == "confined-space-routine")
        ).one()
    assert admin.post(f"/checklists/{template.id}/draft").status_code == 302
    with make.session() as s:
        draft = checklist_queries.draft_of(s, template.id)
        section = checklist_queries.sections_of(s, draft.id)[0]
    item = {
        "code": "cs-99",
        "text": "有限空间出入口设置防坠落措施。",
        "basis": "应急管理部令第13号",
        "answer_type": "pass_fail",
        "category": "safety",
        "version": str(draft.edit_version),
    }
    added = admin.post(f"/checklists/sections/{section.id}/items/new", data=item)
    assert added.status_code == 302, added.get_data(as_text=True)[-1500:]
    refused = admin.post(f"/checklists/versions/{draft.id}/publish")
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "cs-99" in text and "没有写明来源" in text and "research-notes" in text

    with make.session() as s:
        new = s.exec(
            select(ChecklistItem).where(
                ChecklistItem.version_id == draft.id, ChecklistItem.code == "cs-99"
            )
        ).one()
        edit_version = s.get(ChecklistVersion, draft.id).edit_version
    item.update(version=str(edit_version), sources="research-notes", needs_verification="y")
    assert admin.post(f"/checklists/items/{new.id}/edit", data=item).status_code == 302
    assert admin.post(f"/checklists/versions/{draft.id}/publish").status_code == 302
    with make.session() as s:
        assert s.get(ChecklistItem, new.id).sources == '["research-notes"]'
