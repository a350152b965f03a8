"""The enterprise registry: credit codes, the list and its filters, and the import."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook
from sqlmodel import func
from sqlmodel import select

from inspection.enterprises import credit_code
from inspection.enterprises.models import Enterprise
from tests.factories import credit_code as valid_code

# Published example codes whose check characters are correct.
REAL_SHAPED = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("code", REAL_SHAPED)
def test_valid_codes_pass(code):
    assert credit_code.problem(code) is None


def test_check_character_is_computed_mod_31():
    assert credit_code.check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y4", "18 characters; this one has 17"),
        ("91350100M000100Y44", "check character"),
        ("91350100M0001OOY43", "O"),
        ("91350100M000100I43", "I"),
    ],
)
def test_wrong_codes_say_what_is_wrong(app, code, fragment):
    with app.test_request_context(headers={"Cookie": "locale=en"}):
        from flask import session

        session["locale"] = "en"
        message = credit_code.problem(code)
    assert message is not None and fragment in message


def test_codes_are_normalised(app):
    assert credit_code.problem(" 91350100m000100y43 ") is None


def _form(**values):
    data = {
        "name": "新登记五金有限公司",
        "credit_code": valid_code(900),
        "industry": "五金",
        "zone_id": "",
        "scale": "small",
        "discharge_permit": "none",
        "version": "",
    }
    data.update(values)
    return data


def test_admin_registers_an_enterprise(world, login, make):
    admin = login(world.admin)
    response = admin.post("/enterprises/new", data=_form(risk_dust="y"))
    assert response.status_code == 302
    with make.session() as s:
        enterprise = s.exec(select(Enterprise).where(Enterprise.name == "新登记五金有限公司")).one()
    assert enterprise.risk_dust and not enterprise.risk_confined_space


def test_wrong_credit_code_is_refused_and_nothing_is_stored(world, login, make):
    admin = login(world.admin)
    response = admin.post("/enterprises/new", data=_form(credit_code="91350100M000100Y44"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "校验码（最后一位）与前 17 位不符" in page
    assert 'value="新登记五金有限公司"' in page  # what was typed is kept
    with make.session() as s:
        count = s.exec(select(func.count()).select_from(Enterprise)).one()
    assert count == 2


def test_duplicate_credit_code_is_refused(world, login):
    admin = login(world.admin)
    response = admin.post("/enterprises/new", data=_form(credit_code=world.ours.credit_code))
    assert "已登记在其他企业名下" in response.get_data(as_text=True)


def test_stale_enterprise_edit_is_refused(world, login, make):
    admin = login(world.admin)
    url = f"/enterprises/{world.ours.id}/edit"
    ok = admin.post(
        url, data=_form(name="甲五金（改名）", credit_code=world.ours.credit_code, version="1")
    )
    assert ok.status_code == 302
    stale = admin.post(
        url, data=_form(name="甲五金（再改）", credit_code=world.ours.credit_code, version="1")
    )
    assert stale.status_code == 409
    assert make.get(Enterprise, world.ours.id).name == "甲五金（改名）"


def test_list_searches_filters_and_pages(world, login, make):
    for n in range(25):
        make.enterprise(f"批量木业{n:02d}有限公司", industry="木制品", risk_dust=n % 2 == 0)
    client = login(world.inspector)
    page = client.get("/enterprises/?industry=木制品").get_data(as_text=True)
    assert "第 1 / 2 页" in page and "共 25 条" in page
    assert "甲五金制品有限公司" not in page
    page = client.get("/enterprises/?q=批量木业07").get_data(as_text=True)
    assert "批量木业07有限公司" in page and "批量木业08有限公司" not in page
    page = client.get("/enterprises/?industry=木制品&risk=dust").get_data(as_text=True)
    assert "共 13 条" in page


@pytest.mark.parametrize(
    "query",
    [
        "zone=unknown",
        "zone=99999999999999999999",
        "page=1000000000000",
        "page=-3",
        "page=abc",
        "industry=<script>",
        "risk=nonsense",
        "q=' OR 1=1; DROP TABLE enterprise; --",
    ],
)
def test_nonsense_filters_never_break_the_list(world, login, query):
    response = login(world.inspector).get(f"/enterprises/?{query}")
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True).split("<main")[1]


def _csv(rows, header=None, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or ["企业名称", "统一社会信用代码", "行业", "区块", "涉粉尘", "规模"])
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _import(client, data: bytes, name: str = "enterprises.csv"):
    return client.post(
        "/enterprises/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _count(make) -> int:
    with make.session() as s:
        return s.exec(select(func.count()).select_from(Enterprise)).one()


def test_import_of_a_good_file(world, login, make):
    data = _csv(
        [
            ["导入一号木业有限公司", valid_code(501), "木制品", "新材料新装备产业园", "是", "小型"],
            ["导入二号印刷有限公司", valid_code(502), "印刷", "", "否", "中型"],
        ]
    )
    response = _import(login(world.admin), data)
    assert response.status_code == 302
    assert _count(make) == 4
    with make.session() as s:
        first = s.exec(select(Enterprise).where(Enterprise.name == "导入一号木业有限公司")).one()
    assert first.risk_dust and first.zone_id == world.zone.id and first.scale == "small"


def test_import_of_a_gbk_file(world, login, make):
    data = _csv(
        [["国标编码企业有限公司", valid_code(503), "五金", "", "否", "小型"]], encoding="gb18030"
    )
    assert _import(login(world.admin), data).status_code == 302
    assert _count(make) == 3


def test_import_reports_every_bad_row_and_imports_nothing(world, login, make):
    data = _csv(
        [
            ["好企业有限公司", valid_code(601), "五金", "", "否", "小型"],
            ["坏代码企业有限公司", "91350100M000100Y44", "五金", "", "否", "小型"],
            ["未知区块企业有限公司", valid_code(602), "五金", "月球园区", "否", "小型"],
            ["", valid_code(603), "火箭", "", "也许", "小型"],
            ["重复代码企业有限公司", valid_code(601), "五金", "", "否", "小型"],
            [world.ours.name, valid_code(604), "五金", "", "否", "小型"],
        ]
    )
    response = _import(login(world.admin), data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "未导入任何数据" in page
    problems = [
        (int(line), message)
        for line, message in re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td></tr>", page)
    ]
    for line, fragment in [
        (3, "校验码"),
        (4, "没有名为“月球园区”的区块"),
        (5, "请输入企业名称"),
        (5, "请从列表中选择行业"),
        (5, "“涉粉尘”应填“是”或“否”"),
        (6, "在第 2 行重复出现"),
        (7, "已登记"),
    ]:
        assert any(n == line and fragment in m for n, m in problems), (line, fragment, problems)
    assert not any(n == 2 for n, _m in problems)  # the good row has no problem
    assert _count(make) == 2


def test_import_of_an_excel_workbook(world, login, make):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["企业名称", "统一社会信用代码", "行业", "从业人数", "危化品"])
    sheet.append(["表格导入化工有限公司", valid_code(701), "化工", 120, "是"])
    out = io.BytesIO()
    workbook.save(out)
    assert _import(login(world.admin), out.getvalue(), "list.xlsx").status_code == 302
    with make.session() as s:
        enterprise = s.exec(select(Enterprise).where(Enterprise.employees == 120)).one()
    assert enterprise.risk_hazardous_chemicals


def test_import_refuses_unknown_columns_and_other_files(world, login, make):
    client = login(world.admin)
    response = _import(client, _csv([], header=["企业名称", "统一社会信用代码", "行业", "颜色"]))
    assert "无法识别的列“颜色”" in response.get_data(as_text=True)
    response = _import(client, b"not a spreadsheet", "list.pdf")
    assert "请选择 .csv 或 .xlsx 文件。" in response.get_data(as_text=True)
    response = _import(client, b"PK\x03\x04 broken", "list.xlsx")
    assert "无法读取该 Excel 文件" in response.get_data(as_text=True)
    assert _count(make) == 2


def test_import_template_is_importable(world, login, make):
    client = login(world.admin)
    template = client.get("/enterprises/import/template.csv").data
    assert _import(client, template).status_code == 302
    assert _count(make) == 3
