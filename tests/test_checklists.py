"""Checklists: the standard library, the file checks, versions, answers raising hazards, scoring."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlmodel import func
from sqlmodel import select

from inspection.checklists import library as checklist_library
from inspection.checklists import loader
from inspection.checklists import queries as checklist_queries
from inspection.checklists import scoring
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistTemplate
from inspection.checklists.models import ChecklistVersion
from inspection.checklists.models import VersionStatus
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.inspections import answers
from inspection.inspections.models import Answer
from inspection.inspections.models import Inspection

LIBRARY_COUNTS = {
    "gongmao-major-2023": 64,
    "chemical-major-2017": 20,
    "fire-gb35181": 48,
    "dust-explosion-routine": 17,
    "confined-space-routine": 12,
    "hazardous-waste-assessment": 20,
    "discharge-permit-postcheck": 12,
    "storm-sewage-separation": 11,
    "chemical-park-risk-2023": 14,
}


def _counts(make):
    with make.session() as s:
        return tuple(
            s.exec(select(func.count()).select_from(model)).one()
            for model in (ChecklistTemplate, ChecklistVersion, ChecklistItem)
        )


def test_the_whole_library_loads_and_loading_again_changes_nothing(app, make):
    result = app.test_cli_runner().invoke(args=["checklists", "load-library"])
    assert result.exit_code == 0, result.output
    with make.session() as s:
        per_code = dict(
            s.exec(
                select(ChecklistTemplate.code, func.count(ChecklistItem.id))
                .join(ChecklistVersion, ChecklistVersion.template_id == ChecklistTemplate.id)
                .join(ChecklistItem, ChecklistItem.version_id == ChecklistVersion.id)
                .where(ChecklistVersion.retired.is_(False))
                .group_by(ChecklistTemplate.code)
            ).all()
        )
        retired = s.exec(
            select(ChecklistTemplate.code, ChecklistVersion.number, ChecklistVersion.standard)
            .join(ChecklistVersion, ChecklistVersion.template_id == ChecklistTemplate.id)
            .where(ChecklistVersion.retired.is_(True))
        ).all()
    assert per_code == LIBRARY_COUNTS
    # The 2017 fire standard is kept as a retired edition, loaded before the current one.
    assert [(code, number) for code, number, _standard in retired] == [("fire-gb35181", 1)]
    assert "GB 35181-2017" in retired[0][2]
    before = _counts(make)
    again = app.test_cli_runner().invoke(args=["checklists", "load-library"])
    assert again.exit_code == 0 and "unchanged" in again.output
    assert _counts(make) == before


def test_the_gongmao_standard_is_the_2023_order_not_the_repealed_list():
    text = (Path(loader.__file__).parents[2] / "checklists/gongmao-major-2023.yaml").read_text()
    assert "应急管理部令第10号" in text
    # Phrasings of the repealed 2017 list (安监总管四〔2017〕129号) must not be used.
    assert "20区未使用防爆电气设备设施" not in text
    assert "熏蒸杀虫作业前，未确认无关人员全部撤离仓库，且作业人员未配置防毒面具" not in text


FIVE_MISTAKES = """\
schema: 1
code: broken-list
title: 有五处错误的检查表
standard: 测试标准
kind: routine
sections:
  - code: s1
    title: 第一部分
    colour: red
    items:
      - code: i1
        text: 检查项一
        basis: 测试标准 第一条
      - code: i2
        text: 检查项二
      - code: i1
        text: 检查项三
        basis: 测试标准 第三条
  - code: s2
    title: 空的部分
    items: []
  - code: s3
    title: 第三部分
    items:
      - code: i4
        text: 检查项四
        basis: 测试标准 第四条
        category: kitchen
"""


def test_a_file_with_five_mistakes_gives_five_messages_and_imports_nothing(app, make, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(FIVE_MISTAKES, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["checklists", "import", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("broken.yaml:")]
    assert len(lines) == 5, result.output
    expected = [
        (9, "未知字段“colour”", "删除"),
        (14, "没有判定依据", "basis"),
        (16, "编号 i1 重复使用", "第 11 行"),
        (21, "为空", "添加"),
        (28, "未知的隐患类型“kitchen”", "safety"),
    ]
    for line, (number, what, fix) in zip(sorted(lines, key=_line_no), expected, strict=True):
        assert line.startswith(f"broken.yaml:{number}: "), line
        assert what in line and fix in line, line
    assert "没有导入任何内容" in result.output or "Nothing was imported" in result.output
    assert _counts(make) == (0, 0, 0)


def _line_no(text: str) -> int:
    return int(text.split(":")[1])


def test_yaml_that_cannot_be_read_names_its_line(app):
    with app.test_request_context(), pytest.raises(loader.InvalidChecklist) as invalid:
        loader.parse("schema: 1\ncode: x\n  title: [unclosed\n", "bad.yaml")
    assert invalid.value.problems[0].file == "bad.yaml"
    assert invalid.value.problems[0].line in (2, 3)


def _load(make, code: str):
    with make.app.app_context():
        from inspection.db import get_session

        session = get_session()
        checklist_library.load_library(session)
        session.commit()
        template = session.exec(
            select(ChecklistTemplate).where(ChecklistTemplate.code == code)
        ).one()
        return checklist_queries.latest_published(session, template.id)


def _session(make):
    return make.session()


def test_export_then_import_changes_nothing(app, make, tmp_path):
    version = _load(make, "hazardous-waste-assessment")
    exported = app.test_cli_runner().invoke(
        args=["checklists", "export", "hazardous-waste-assessment"]
    )
    assert exported.exit_code == 0
    path = tmp_path / "again.yaml"
    path.write_text(exported.output, encoding="utf-8")
    again = app.test_cli_runner().invoke(args=["checklists", "import", str(path)])
    assert again.exit_code == 0 and "unchanged" in again.output, again.output
    assert version.number == 1


def _answer(make, inspection, item, user, result):
    with make.app.test_request_context(), make.session() as s:
        answer = answers.record_answer(
            s,
            inspection=s.get(Inspection, inspection.id),
            item=s.get(ChecklistItem, item.id),
            actor=s.get(type(user), user.id),
            result=result,
        )
        s.commit()
        return answer


def _use(make, inspection, version, user):
    with make.app.test_request_context(), make.session() as s:
        answers.add_checklist(
            s,
            inspection=s.get(Inspection, inspection.id),
            version=s.get(ChecklistVersion, version.id),
            actor=s.get(type(user), user.id),
        )
        s.commit()


def test_editing_a_published_template_makes_a_new_version_and_old_inspections_keep_v1(
    world, make, login
):
    v1 = _load(make, "confined-space-routine")
    inspection = make.inspection(world.ours, world.inspector)
    _use(make, inspection, v1, world.inspector)
    with make.session() as s:
        first_item = s.exec(
            select(ChecklistItem)
            .where(ChecklistItem.version_id == v1.id)
            .order_by(ChecklistItem.id)
        ).first()
    old_text = first_item.text
    _answer(make, inspection, first_item, world.inspector, "pass")

    # The admin edits the checklist: a draft copy, a changed wording, published as version 2.
    admin = login(world.admin)
    response = admin.post(f"/checklists/{v1.template_id}/draft")
    assert response.status_code == 302
    with make.session() as s:
        draft = s.exec(
            select(ChecklistVersion).where(ChecklistVersion.status == VersionStatus.DRAFT)
        ).one()
        draft_item = s.exec(
            select(ChecklistItem).where(
                ChecklistItem.version_id == draft.id, ChecklistItem.code == first_item.code
            )
        ).one()
    assert draft.number == 2
    form = _item_form(draft_item, text="（新措辞）" + old_text, version=draft.edit_version)
    assert admin.post(f"/checklists/items/{draft_item.id}/edit", data=form).status_code == 302
    assert admin.post(f"/checklists/versions/{draft.id}/publish").status_code == 302

    with make.session() as s:
        published = s.get(ChecklistVersion, draft.id)
        assert published.status == VersionStatus.PUBLISHED
        assert s.get(ChecklistItem, first_item.id).text == old_text  # version 1 untouched
    page = (
        login(world.inspector)
        .get(f"/inspections/{inspection.id}/checklists/{v1.id}")
        .get_data(as_text=True)
    )
    assert old_text[:20] in page and "（新措辞）" not in page
    # A published version refuses edits.
    refused = admin.post(f"/checklists/items/{draft_item.id}/edit", data=form)
    assert refused.status_code == 409
    assert "已发布，不能再修改" in refused.get_data(as_text=True)


def _item_form(item, **changes):
    form = {
        "code": item.code,
        "text": item.text,
        "guidance": item.guidance or "",
        "basis": item.basis,
        "answer_type": item.answer_type,
        "category": item.category,
        "hazard_title": item.hazard_title or "",
        "deadline_days": item.deadline_days or "",
        "choices": "",
        "fail_choices": "",
        "photo_on_fail": "y" if item.photo_on_fail else "",
        "major": "y" if item.major else "",
        "needs_verification": "y" if item.needs_verification else "",
        "sources": ", ".join(json.loads(item.sources)),
    }
    form.update({k: v for k, v in changes.items() if k != "version"})
    form["version"] = str(changes.get("version", 1))
    return {k: v for k, v in form.items() if v != ""}


def _major_item(make, code="gongmao-major-2023", item_code="art11-3"):
    version = _load(make, code)
    with make.session() as s:
        item = s.exec(
            select(ChecklistItem).where(
                ChecklistItem.version_id == version.id, ChecklistItem.code == item_code
            )
        ).one()
    return version, item


def test_failing_a_major_hazard_criterion_raises_a_major_hazard_with_its_basis(world, make, login):
    version, item = _major_item(make)
    inspection = make.inspection(world.ours, world.inspector)
    _use(make, inspection, version, world.inspector)
    client = login(world.inspector)
    response = client.post(
        f"/inspections/{inspection.id}/answers/{item.id}", data={"result": "fail"}
    )
    assert response.status_code == 302
    form = client.get(f"/inspections/{inspection.id}/hazards/new?item={item.id}")
    page = form.get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="level"[^>]*value="major"', page)
    assert "第十一条第（三）项" in page
    response = client.post(
        f"/inspections/{inspection.id}/hazards/new?item={item.id}",
        data={
            "title": item.hazard_title,
            "level": "major",
            "category": item.category,
            "basis": item.basis,
            "item_id": str(item.id),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    with make.session() as s:
        hazard = s.exec(select(Hazard)).one()
        answer = s.exec(select(Answer)).one()
    assert hazard.level == "major"
    assert hazard.basis == "应急管理部令第10号 第十一条第（三）项"
    assert hazard.checklist_item_id == item.id and hazard.answer_id == answer.id
    assert answer.result == "fail"


def test_overriding_a_criterion_needs_a_written_reason_kept_in_the_history(world, make, login):
    version, item = _major_item(make)
    inspection = make.inspection(world.ours, world.inspector)
    _use(make, inspection, version, world.inspector)
    client = login(world.inspector)
    data = {
        "title": "除尘系统",
        "level": "general",
        "category": "equipment",
        "item_id": str(item.id),
    }
    refused = client.post(f"/inspections/{inspection.id}/hazards/new?item={item.id}", data=data)
    assert refused.status_code == 422
    assert "属于重大事故隐患判定标准" in refused.get_data(as_text=True)
    with make.session() as s:
        assert s.exec(select(Hazard)).first() is None
    data["override_reason"] = "该除尘系统已拆除停用，仅剩残留管道"
    assert (
        client.post(
            f"/inspections/{inspection.id}/hazards/new?item={item.id}", data=data
        ).status_code
        == 302
    )
    with make.session() as s:
        hazard = s.exec(select(Hazard)).one()
        event = s.exec(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)).one()
    assert hazard.level == "general"
    assert event.comment == "该除尘系统已拆除停用，仅剩残留管道"
    assert json.loads(event.data)["level_override"] == {"from": "major", "to": "general"}


def test_numbers_and_choices_decide_pass_or_fail(app):
    item = ChecklistItem(
        version_id=1,
        section_id=1,
        position=1,
        code="n",
        text="t",
        basis="b",
        answer_type="number",
        number_min=0,
        number_max=9,
    )
    with app.test_request_context():
        assert answers.evaluate(item, result=None, number=9, choice=None, text=None) == "pass"
        assert answers.evaluate(item, result=None, number=10, choice=None, text=None) == "fail"
        assert answers.evaluate(item, result="na", number=None, choice=None, text=None) == "na"
        choice = ChecklistItem(
            version_id=1,
            section_id=1,
            position=1,
            code="c",
            text="t",
            basis="b",
            answer_type="choice",
            choices='["合格", "不合格"]',
            fail_choices='["不合格"]',
        )
        assert (
            answers.evaluate(choice, result=None, number=None, choice="不合格", text=None) == "fail"
        )
        with pytest.raises(DomainError):
            answers.evaluate(choice, result=None, number=None, choice="差不多", text=None)


def _assessment_in_use(world, make):
    """An inspection of `ours` using the hazardous-waste assessment: (inspection, version, its
    items in order)."""
    version = _load(make, "hazardous-waste-assessment")
    inspection = make.inspection(world.ours, world.inspector)
    _use(make, inspection, version, world.inspector)
    with make.session() as s:
        items = s.exec(
            select(ChecklistItem)
            .where(ChecklistItem.version_id == version.id)
            .order_by(ChecklistItem.position, ChecklistItem.id)
        ).all()
    return inspection, version, items


def test_scoring_removes_not_applicable_items_and_shows_the_band(world, make, login):
    inspection, version, items = _assessment_in_use(world, make)
    total = sum(item.points for item in items)
    assert total == 100
    not_applicable, failed = items[0], items[1]
    for item in items:
        result = "na" if item is not_applicable else "fail" if item is failed else "pass"
        _answer(make, inspection, item, world.inspector, result)
    possible = total - not_applicable.points
    earned = possible - failed.points
    percent = round(earned / possible * 100, 1)
    with make.session() as s:
        score = scoring.score(
            s.get(ChecklistVersion, version.id),
            items,
            {
                i.id: ("na" if i is not_applicable else "fail" if i is failed else "pass")
                for i in items
            },
        )
    assert (score.earned, score.possible, score.percent) == (earned, possible, percent)
    assert score.band == ("达标" if percent >= 90 else "基本达标")
    page = login(world.inspector).get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert f"{percent}" in page and score.band in page


def test_answers_given_at_once_follow_the_same_rules_as_one_by_one(world, make):
    """`record_answers` (a visit written up afterwards) writes what `record_answer` would:
    results evaluated by type, a changed answer's version moved on; an item of no checklist of
    the inspection or an actor off the team is refused and nothing is written."""
    inspection, _version, items = _assessment_in_use(world, make)
    other = _load(make, "confined-space-routine")
    with make.session() as s:
        stranger = s.exec(select(ChecklistItem).where(ChecklistItem.version_id == other.id)).first()
    _answer(make, inspection, items[0], world.inspector, "pass")

    def write(actor, given):
        with make.app.test_request_context(), make.session() as s:
            written = answers.record_answers(
                s,
                inspection=s.get(Inspection, inspection.id),
                actor=s.get(type(actor), actor.id),
                given=[answers.Given(s.get(ChecklistItem, i.id), result=r) for i, r in given],
            )
            s.commit()
            return [(a.item_id, a.result, a.version) for a in written]

    given = [(items[0], "fail"), (items[1], "na"), (items[2], "pass")]
    assert write(world.inspector, given) == [
        (items[0].id, "fail", 2),
        (items[1].id, "na", 1),
        (items[2].id, "pass", 1),
    ]
    # Given twice, an item is answered twice, as one by one would: the second changes the first.
    assert write(world.inspector, [(items[4], "pass"), (items[4], "fail")]) == [
        (items[4].id, "fail", 2),
        (items[4].id, "fail", 2),
    ]
    with pytest.raises(DomainError):
        write(world.inspector, [(items[3], "pass"), (stranger, "pass")])
    with pytest.raises(Forbidden):
        write(world.inspector2, [(items[3], "pass")])
    with pytest.raises(DomainError):
        write(world.inspector, [(items[3], None)])  # neither pass, fail nor not applicable
    with make.session() as s:
        kept = answers.answers_of(s, inspection.id)
    assert {item_id: a.result for item_id, a in kept.items()} == {
        items[0].id: "fail",
        items[1].id: "na",
        items[2].id: "pass",
        items[4].id: "fail",
    }
    with make.session() as s:
        assert s.get(Inspection, inspection.id).status == "in_progress"


def test_the_right_checklists_are_offered_at_an_enterprise(world, make):
    _load(make, "gongmao-major-2023")
    wood = make.enterprise("森木木业有限公司", industry="木制品", risk_dust=True)
    chemical = make.enterprise("化学化工有限公司", industry="化工", risk_hazardous_chemicals=True)
    with make.session() as s:
        suited_wood = {
            v.title for v in checklist_queries.offered_versions(s, s.get(type(wood), wood.id))[0]
        }
        suited_chem = {
            v.title
            for v in checklist_queries.offered_versions(s, s.get(type(chemical), chemical.id))[0]
        }
    assert "粉尘防爆日常检查" in " ".join(suited_wood)
    assert "工贸企业重大事故隐患判定标准" in suited_wood
    assert any("化工和危险化学品" in title for title in suited_chem)
    assert "工贸企业重大事故隐患判定标准" not in suited_chem
    assert not any("粉尘" in title for title in suited_chem)


def test_the_library_marks_items_still_to_be_checked_against_the_official_text(make):
    version = _load(make, "gongmao-major-2023")
    with make.session() as s:
        flagged = s.exec(
            select(func.count())
            .select_from(ChecklistItem)
            .where(
                ChecklistItem.version_id == version.id, ChecklistItem.needs_verification.is_(True)
            )
        ).one()
        verified = s.exec(
            select(ChecklistItem).where(
                ChecklistItem.version_id == version.id, ChecklistItem.code == "art3-1"
            )
        ).one()
    assert 0 < flagged < 64
    assert not verified.needs_verification
    assert re.search(r"第三条第（一）项", verified.basis)
