"""双随机: the annual plan's key enterprises (重点检查), and the one yearly cap rule in the draw."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.db import get_session
from inspection.draws import drawing
from inspection.draws.models import AdjustmentKind
from inspection.draws.models import DrawResult
from inspection.draws.models import DrawTask
from inspection.draws.models import KeyEnterprise
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.inspections.models import Inspection
from inspection.risk import services as risk_services

# The year the factory's tasks are of.
YEAR = clock.today().year


@pytest.fixture
def officers_and_item(make, world):
    """Three officers with accounts and a published item in the world's park."""
    return [make.officer() for _ in range(3)], make.draw_item()


def _grade(app, world, enterprise, grade):
    with app.app_context():
        s = get_session()
        risk_services.set_override(
            s,
            enterprise=s.get(Enterprise, enterprise.id),
            actor=s.get(User, world.supervisor.id),
            grade_=grade,
            reason="近一年发生较大事故",
        )
        s.commit()


def test_the_key_list_names_red_and_orange_enterprises_and_the_supervisors_choices(
    app, make, world, officers_and_item, login
):
    _officers, item = officers_and_item
    orange = make.enterprise("橙色风险化工有限公司")
    chosen = make.enterprise("监管选定五金有限公司")
    _grade(app, world, orange, "orange")
    make.draw_task(world.supervisor, [item], quotas={"*": "30%"}, drawn=False)
    client = login(world.supervisor)
    # A choice without a reason is refused, saying what to write.
    refused = client.post(
        "/draws/plan/key",
        data={"enterprise": str(chosen.id), "reason": " ", "year": str(YEAR)},
        follow_redirects=True,
    )
    assert "请说明" in refused.get_data(as_text=True)
    too_long = client.post(
        "/draws/plan/key",
        data={"enterprise": str(chosen.id), "reason": "举" * 201, "year": str(YEAR)},
        follow_redirects=True,
    )
    assert "理由有 201 个字" in too_long.get_data(as_text=True)
    client.post(
        "/draws/plan/key",
        data={
            "enterprise": str(chosen.id),
            "reason": "群众多次举报夜间违规作业",
            "year": str(YEAR),
        },
    )
    page = client.get(f"/draws/plan?year={YEAR}").get_data(as_text=True)
    assert "橙色风险化工有限公司" in page and "风险等级橙色" in page
    assert "监管选定五金有限公司" in page and "群众多次举报夜间违规作业" in page
    assert "每 91 天" in page and "每 365 天" in page
    rows = _export(client)
    plan_row = rows[1]
    assert item.legal_basis == plan_row[2] and "30%" in plan_row[3]
    assert "年度上限" in plan_row[6] and "蓝" in plan_row[6]
    assert "园区安全生产监督管理局" in plan_row[8]
    key_rows = {r[1]: r for r in rows[rows.index(["重点检查企业名单"]) + 2 :]}
    assert "风险等级橙色" in key_rows["橙色风险化工有限公司"][3]
    assert key_rows["橙色风险化工有限公司"][5] == "8"
    assert "群众多次举报夜间违规作业" in key_rows["监管选定五金有限公司"][3]
    assert key_rows["监管选定五金有限公司"][5] == "2"
    # Not every enterprise is key: the plain blue one of the park is not listed.
    assert world.ours.name not in key_rows
    # Taken off again, the supervisor's choice leaves the list.
    with make.session() as s:
        choice = s.exec(select(KeyEnterprise)).one()
    client.post(f"/draws/plan/key/{choice.id}/drop")
    assert "监管选定五金有限公司" not in {r[1] for r in _export(client) if len(r) > 1}
    assert "橙色风险化工有限公司" in {r[1] for r in _export(client) if len(r) > 1}


def _export(client) -> list[list[str]]:
    text = client.get(f"/draws/plan.csv?year={YEAR}").get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_only_a_supervisor_chooses_key_enterprises(app, make, world, officers_and_item, login):
    client = login(world.inspector)
    response = client.post(
        "/draws/plan/key", data={"enterprise": str(world.ours.id), "reason": "x", "year": str(YEAR)}
    )
    assert response.status_code == 403
    with make.session() as s:
        assert s.exec(select(KeyEnterprise)).first() is None


def test_an_enterprise_over_its_cap_since_the_freeze_is_refused_by_name(
    app, make, world, officers_and_item
):
    """The pool applied the risk feature's cap when frozen; one drawn that reached it since is
    refused when the draw becomes a campaign, named with its count and cap, until withdrawn."""
    officers, item = officers_and_item
    task = make.draw_task(world.supervisor, [item], quotas={"*": "100%"})
    document = json.loads(make.get(DrawTask, task.id).pool_document)
    assert document["left_out"] == {"yearly_cap_reached": 0}
    inspector = make.get(User, officers[0].user_id)
    for _ in range(2):  # world.ours is blue: its yearly cap is 2
        make.inspection(world.ours, inspector)
    with app.app_context():
        s = get_session()
        row, actor = s.get(DrawTask, task.id), s.get(User, world.supervisor.id)
        with pytest.raises(DomainError, match="年度检查上限") as refused:
            drawing.start_campaign(s, task=row, actor=actor)
        assert f"{world.ours.name}（本年 2 次，上限 2 次）" in str(refused.value.message)
        s.rollback()
        drawing.adjust(
            s,
            task=row,
            actor=actor,
            enterprise=s.get(Enterprise, world.ours.id),
            kind=AdjustmentKind.WITHDRAW_ENTERPRISE,
            reason="本年度已检查两次，达到年度检查上限",
        )
        campaign = drawing.start_campaign(s, task=row, actor=actor)
        s.commit()
        planned = s.exec(select(Inspection).where(Inspection.campaign_id == campaign.id)).all()
        drawn = s.exec(
            select(DrawResult).where(DrawResult.task_id == task.id, DrawResult.withdrawn.is_(False))
        ).all()
    assert len(planned) == len(drawn) >= 1
    # Within the cap, a drawn inspection needs no over-cap reason of its own.
    assert all(i.over_cap_reason is None for i in planned)
    assert world.ours.id not in {i.enterprise_id for i in planned}
