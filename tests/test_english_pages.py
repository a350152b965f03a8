"""Issue 18: the English pages of the inspection loop show no Chinese outside names and user
data, and their sentences use Western punctuation."""

from __future__ import annotations

import html
import re

import pytest
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Zone
from inspection.hazards.models import Hazard
from inspection.hazards.models import Notice
from inspection.parks.models import Park
from inspection.reports.models import ReportJob

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+")


def _text(page: str) -> str:
    """The words a reader sees: no scripts, styles or tags, entities decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def _user_data(make) -> list[str]:
    """Names and what users typed: allowed to be Chinese on an English page."""
    with make.session() as s:
        data = []
        for model, fields in (
            (Park, ("name", "authority", "notice_prefix")),
            (Zone, ("name",)),
            (Enterprise, ("name", "address", "contact_name")),
            (User, ("display_name",)),
            (Notice, ("number",)),
            (
                Hazard,
                (
                    "title",
                    "description",
                    "location",
                    "basis",
                    "required_measures",
                    "rectification_measures",
                    "responsible_person",
                    "review_comment",
                ),
            ),
        ):
            for row in s.exec(select(model)):
                data.extend(str(getattr(row, f)) for f in fields if getattr(row, f, None))
        from inspection.checklists.models import ChecklistItem
        from inspection.checklists.models import ChecklistSection
        from inspection.checklists.models import ChecklistVersion

        for row in s.exec(select(ChecklistVersion)):
            data.extend(v for v in (row.title, row.standard) if v)
        for row in s.exec(select(ChecklistSection)):
            data.append(row.title)
        for row in s.exec(select(ChecklistItem)):
            data.extend(v for v in (row.text, row.basis, row.hazard_title) if v)
    # The language switch names Chinese in Chinese; the logo is a mark, not a word.
    data.extend(["中文", ">安<"])
    return sorted(set(data), key=len, reverse=True)


def _foreign(page: str, allowed: list[str]) -> list[str]:
    text = _text(page.replace(">安<", "><"))
    for value in allowed:
        text = text.replace(value, " ")
    return CJK.findall(text)


@pytest.fixture
def english_loop(world, make):
    """The loop of issue 18 in English: a checklist, a major and a general hazard, the notice,
    a rejected and an accepted report."""
    with make.session() as s:
        for user in (world.inspector, world.inspector2, world.ours_user, world.supervisor):
            s.get(User, user.id).locale = "en"
        s.commit()
    version = make.checklist()
    inspection = make.inspection(world.ours, world.inspector)
    make.use_checklist(inspection, version, world.inspector)
    general = make.hazard(inspection, world.inspector)
    major = make.hazard(
        inspection, world.inspector, level="major", basis="应急管理部令第10号 第十一条"
    )
    notice = make.issue(inspection, world.inspector)
    make.acknowledge(notice, world.ours_user)
    make.submit(general, world.ours_user)
    with make.session() as s:
        # Asked for in Chinese: the stored title is Chinese; the English list must not show it.
        s.add(
            ReportJob(
                kind="supervision",
                park_id=world.ours.park_id,
                period=clock.today().strftime("%Y-%m"),
                title="监管报告（本月）",
                requested_by_id=world.supervisor.id,
            )
        )
        s.commit()
    return inspection, version, general, notice, major


def test_english_pages_show_no_chinese_outside_names_and_user_data(
    world, make, login, english_loop
):
    inspection, version, hazard, notice, major = english_loop
    allowed = _user_data(make)
    pages = [
        (
            world.inspector,
            [
                "/",
                "/inspections/",
                f"/inspections/{inspection.id}",
                f"/inspections/{inspection.id}/checklists/{version.id}",
                f"/inspections/{inspection.id}/hazards/new",
                f"/inspections/{inspection.id}/sign",
                f"/hazards/{hazard.id}",
                f"/notices/{notice.id}",
                "/hazards/",
                "/notifications",
                f"/enterprises/{world.ours.id}",
            ],
        ),
        (world.inspector2, [f"/hazards/{hazard.id}", "/notifications"]),
        (
            world.ours_user,
            ["/portal", f"/hazards/{hazard.id}", f"/hazards/{major.id}", f"/notices/{notice.id}"],
        ),
        (
            world.supervisor,
            ["/dashboard", "/reports/", "/hazards/", f"/hazards/{major.id}", "/enterprises/"],
        ),
    ]
    found = {}
    for user, urls in pages:
        client = login(user)
        for url in urls:
            answer = client.get(url, follow_redirects=True)
            assert answer.status_code == 200, url
            foreign = _foreign(answer.get_data(as_text=True), allowed)
            if foreign:
                found[f"{user.username} {url}"] = foreign
            if url == "/reports/":
                assert "Supervision report" in answer.get_data(as_text=True)
    assert not found, "\n".join(f"{url}: {' '.join(words)}" for url, words in found.items())
