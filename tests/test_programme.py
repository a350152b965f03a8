"""The park's programme: listed enterprises and 摘牌 by level, campaign outcomes and their PDF,
the chemical park's grade and projects, and the year in figures."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from inspection.auth.models import Role
from inspection.campaigns.models import Campaign
from inspection.checklists import library
from inspection.checklists import loader
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardState
from inspection.inspections.models import Inspection
from inspection.programme.models import CampaignOutcome
from inspection.programme.models import EnterpriseListing
from inspection.programme.models import ParkAssessment
from inspection.programme.models import ParkProject
from tests.factories import pdf_bytes

LIBRARY = Path(__file__).resolve().parent.parent / "checklists"


def _listed(make, login, world, level: str, region):
    """A county (or other level) listing of `ours` covering one open hazard."""
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector, title="除尘器未接地")
    make.issue(inspection, world.inspector)
    leader = login(world.supervisor)
    response = leader.post(
        "/programme/listings/new",
        data={
            "enterprise": str(world.ours.id),
            "level": level,
            "body": "县安全生产委员会",
            "reason": "粉尘涉爆隐患长期未整改",
            "listed_on": "2026-03-01",
            "deadline": "2026-06-30",
            "hazards": [str(hazard.id)],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with make.session() as s:
        listing = s.exec(select(EnterpriseListing)).one()
    return listing, hazard, leader


def test_a_county_listing_is_removed_only_when_closed_and_only_by_the_bureau(world, make, login):
    region = make.region()
    bureau = make.user(Role.SUPERVISOR, "bureau", region=region)
    listing, hazard, park_leader = _listed(make, login, world, "county", region)
    county = login(bureau)
    # Open item: refused, still listed.
    county.post(
        f"/programme/listings/{listing.id}/delist",
        data={"version": "1", "comment": "县安委办〔2026〕3号"},
    )
    assert make.get(EnterpriseListing, listing.id).listed
    with make.session() as s:
        row = s.get(Hazard, hazard.id)
        row.state = HazardState.CLOSED
        s.commit()
    # A park-level supervisor may not remove a county listing.
    page = park_leader.post(
        f"/programme/listings/{listing.id}/delist",
        data={"version": "1", "comment": "x"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert make.get(EnterpriseListing, listing.id).listed
    assert "县" in page or "county" in page
    county.post(
        f"/programme/listings/{listing.id}/delist",
        data={"version": "1", "comment": "县安委办〔2026〕3号"},
    )
    assert not make.get(EnterpriseListing, listing.id).listed
    figures = county.get("/programme/figures?period=2026", headers={}).get_data(as_text=True)
    # The bureau sees the region; the county row counts one removed listing.
    row = re.search(r'<tr data-level="county">(.*?)</tr>', figures, re.S).group(1)
    assert re.findall(r">(\d+)<", row)[:3] == ["1", "1", "0"]


def _campaign_of_twelve(make, world):
    enterprises = [
        make.enterprise(f"木制品{n:02d}有限公司", industry="木制品", zone_id=world.zone.id)
        for n in range(12)
    ]
    with make.session() as s:
        campaign = Campaign(
            park_id=world.ours.park_id,
            name="木制品企业专项整治",
            start_date=date(2026, 1, 1),
            due_date=date(2026, 11, 30),
            created_by_id=world.inspector.id,
        )
        s.add(campaign)
        s.flush()
        for enterprise in enterprises:
            s.add(
                Inspection(
                    park_id=enterprise.park_id,
                    enterprise_id=enterprise.id,
                    campaign_id=campaign.id,
                    type="special",
                    status="planned",
                    planned_date=date(2026, 3, 1),
                    due_date=date(2026, 11, 30),
                    created_by_id=world.inspector.id,
                )
            )
        s.commit()
        return campaign.id, [e.id for e in enterprises]


OUTCOMES = (
    ["closed_down"] * 3
    + ["rectified"] * 4
    + ["relocated_in_county"] * 2
    + ["relocated_out"]
    + ["kept"]
    + ["unfinished"]
)


def test_a_wood_campaign_records_every_outcome_and_its_pdf_agrees(world, make, login, tmp_path):
    campaign_id, enterprise_ids = _campaign_of_twelve(make, world)
    staff = login(world.inspector)
    for enterprise_id, outcome in zip(enterprise_ids, OUTCOMES, strict=True):
        data = {
            "enterprise": str(enterprise_id),
            "outcome": outcome,
            "decided_on": "2026-10-15",
            "note": "专项整治",
        }
        if outcome != "unfinished":
            data["file"] = (io.BytesIO(pdf_bytes()), "关停决定书.pdf")
        response = staff.post(
            f"/programme/campaigns/{campaign_id}/outcomes",
            data=data,
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    # A final outcome without evidence is refused.
    response = staff.post(
        f"/programme/campaigns/{campaign_id}/outcomes",
        data={"enterprise": str(world.ours.id), "outcome": "kept"},
    )
    assert response.status_code == 422
    with make.session() as s:
        assert len(s.exec(select(CampaignOutcome)).all()) == 12
    page = staff.get(f"/programme/campaigns/{campaign_id}/outcomes").get_data(as_text=True)
    on_page = dict(re.findall(r'data-outcome="(\w+)">(\d+)<', page))
    assert on_page == {
        "closed_down": "3",
        "rectified": "4",
        "relocated_in_county": "2",
        "relocated_out": "1",
        "kept": "1",
        "unfinished": "1",
    }
    pdf = staff.get(f"/programme/campaigns/{campaign_id}/outcomes.pdf").data
    path = tmp_path / "campaign.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "木制品企业专项整治" in text
    for name, count in (
        ("关停", 3),
        ("整治提升", 4),
        ("县内搬迁", 2),
        ("县外搬迁", 1),
        ("保留", 1),
        ("未完成", 1),
    ):
        line = next(
            line for line in text.splitlines() if name in line and re.search(r"\d+\s*$", line)
        )
        assert line.split()[-1] == str(count), line
    for n in range(12):
        assert f"木制品{n:02d}有限公司" in text


def _load_park_checklist(app):
    with app.test_request_context():
        from inspection.db import get_session

        s = get_session()
        definition = loader.parse_file(LIBRARY / "chemical-park-risk-2023.yaml")
        library.import_definition(s, definition)
        s.commit()


def test_two_assessments_grade_the_park_and_a_closed_project_raises_the_next(
    app, world, make, login
):
    _load_park_checklist(app)
    leader = login(world.supervisor)
    form = leader.get("/programme/grade/assess").get_data(as_text=True)
    items = re.findall(r'name="item-(\d+)"', form)
    ids = sorted(set(items), key=items.index)
    assert len(ids) == 14
    # First: 6 items fail (42 points lost of 100): 58, class A.
    data = {f"item-{i}": "fail" if n < 6 else "pass" for n, i in enumerate(ids)}
    data["assessed_on"] = "2026-01-10"
    response = leader.post("/programme/grade/assess", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with make.session() as s:
        first = s.exec(select(ParkAssessment)).one()
    assert first.grade == "A" and first.score < 60
    # A deduction becomes a project, reported with evidence and closed.
    response = leader.post(
        f"/programme/grade/{first.id}",
        data={
            "item": ids[0],
            "title": "完善园区总体规划和产业规划",
            "owner": "园区规划建设局",
            "budget_yuan": "800000",
            "milestones": "3月完成编制；6月报批",
            "due_on": "2026-06-30",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with make.session() as s:
        project = s.exec(select(ParkProject)).one()
    response = leader.post(
        f"/programme/projects/{project.id}",
        data={
            "close": "y",
            "note": "规划已获批",
            "version": "1",
            "file": (io.BytesIO(pdf_bytes()), "规划批复.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    listing = leader.get("/programme/grade").get_data(as_text=True)
    assert "完善园区总体规划和产业规划" in listing and "规划批复.pdf" in listing
    # The next assessment starts from the last, the closed project's item passed.
    form = leader.get("/programme/grade/assess").get_data(as_text=True)
    assert f'name="item-{ids[0]}" value="pass" checked' in form
    data = {f"item-{i}": "fail" if 0 < n < 3 else "pass" for n, i in enumerate(ids)}
    data["assessed_on"] = "2026-10-10"
    leader.post("/programme/grade/assess", data=data)
    with make.session() as s:
        grades = [
            a.grade for a in s.exec(select(ParkAssessment).order_by(ParkAssessment.assessed_on))
        ]
    assert grades[0] == "A" and grades[1] in ("C", "D")
    page = leader.get("/programme/grade").get_data(as_text=True)
    assert "<svg" in page
    figures = leader.get("/programme/figures?period=2026").get_data(as_text=True)
    assert 'data-figure="grade"' in figures
    assert f"{first.score}" in figures


def test_the_figures_pdf_is_served_and_a_bad_period_refused(world, make, login, tmp_path):
    leader = login(world.supervisor)
    response = leader.get("/programme/figures.pdf?period=2026")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert leader.get("/programme/figures?period=nonsense").status_code == 400


@pytest.mark.parametrize("who", ["ours_user", "inspector"])
def test_figures_are_for_supervisors(world, login, who):
    assert login(getattr(world, who)).get("/programme/figures").status_code == 403


def test_enterprises_only_see_their_own_listings(world, make, login):
    listing, _hazard, _leader = _listed(make, login, world, "park", None)
    assert login(world.ours_user).get(f"/programme/listings/{listing.id}").status_code == 200
    assert login(world.theirs_user).get(f"/programme/listings/{listing.id}").status_code == 404


def test_the_figures_page_reads_every_campaign_in_one_query(world, make, login, app, tmp_path):
    """Each campaign's sentence gets its own counts, and the page's statements do not grow
    with the number of campaigns (one grouped query for all of them, not one per campaign)."""
    from sqlalchemy import event

    leader = login(world.supervisor)

    def add_campaign(name: str, outcomes: list[str]) -> int:
        enterprises = [
            make.enterprise(f"{name}{n}号企业", zone_id=world.zone.id) for n in range(len(outcomes))
        ]
        with make.session() as s:
            campaign = Campaign(
                park_id=world.ours.park_id,
                name=name,
                start_date=date(2026, 2, 1),
                due_date=date(2026, 10, 31),
                created_by_id=world.inspector.id,
            )
            s.add(campaign)
            s.flush()
            for enterprise, outcome in zip(enterprises, outcomes, strict=True):
                s.add(
                    CampaignOutcome(
                        park_id=world.ours.park_id,
                        campaign_id=campaign.id,
                        enterprise_id=enterprise.id,
                        outcome=outcome,
                        decided_on=date(2026, 9, 1),
                        recorded_by_id=world.inspector.id,
                    )
                )
            s.commit()
            return campaign.id

    def statements_of_page() -> tuple[int, str]:
        seen = []

        def count(*_args):
            seen.append(1)

        engine = app.extensions["engine"]
        event.listen(engine, "before_cursor_execute", count)
        try:
            page = leader.get("/programme/figures?period=2026").get_data(as_text=True)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen), page

    first = add_campaign("木制品企业专项整治", ["closed_down", "closed_down", "rectified"])
    one, _page = statements_of_page()
    second = add_campaign("涉VOCs企业专项整治", ["relocated_in_county", "kept"])
    third = add_campaign("小化工专项整治", ["relocated_out"])
    three, page = statements_of_page()
    assert three == one
    sentences = dict(re.findall(r'data-campaign="(\d+)">(.*?)</p>', page, re.S))
    for campaign_id, numbers in (
        (first, ["3", "2", "1", "0", "0"]),
        (second, ["2", "0", "0", "1", "0"]),
        (third, ["1", "0", "0", "0", "1"]),
    ):
        assert re.findall(r">(\d+)</a>", sentences[str(campaign_id)]) == numbers
    # The PDF, read with pdftotext, says the same sentences with the same numbers.
    path = tmp_path / "figures.pdf"
    path.write_bytes(leader.get("/programme/figures.pdf?period=2026").data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())
    for sentence in sentences.values():
        assert "".join(re.sub(r"<[^>]+>", "", sentence).split()) in flat, sentence
