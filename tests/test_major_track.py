"""The major-hazard track: levels per park, 研判 before the notice, and the enterprises'
statistics filings signed by the 主要负责人."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from inspection import clock
from inspection.filings.models import StatisticsFiling
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.hazards.models import Notice
from inspection.parks.models import Park
from tests.factories import prefixed
from tests.test_field import _signature
from tests.test_guards import _count
from tests.test_guards import _set_park

BASIS = "应急管理部令第10号 第十一条第（三）项"


def _confirm(client, hazard, version: int, **data):
    """Post the 研判 form."""
    return client.post(
        f"/hazards/{hazard.id}/confirm",
        data=prefixed("confirm_finding", {**data, "version": str(version)}),
    )


# Levels per park.


def test_the_significant_level_is_offered_only_where_the_park_uses_it(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    client = login(world.inspector)
    form = {"title": "叉车通道标线不清", "level": "significant", "category": "safety"}
    page = client.get(f"/inspections/{inspection.id}/hazards/new").get_data(as_text=True)
    assert 'value="significant"' not in page
    refused = client.post(f"/inspections/{inspection.id}/hazards/new", data=form)
    assert refused.status_code == 422 and _count(make, Hazard) == 0
    package = client.get("/api/v1/field/package").json
    assert [level["value"] for level in package["levels"]] == ["general", "major"]

    _set_park(make, significant_level=True)
    page = client.get(f"/inspections/{inspection.id}/hazards/new").get_data(as_text=True)
    assert 'value="significant"' in page and "较大隐患" in page
    assert client.post(f"/inspections/{inspection.id}/hazards/new", data=form).status_code == 302
    with make.session() as s:
        assert s.exec(select(Hazard)).one().level == "significant"
    package = client.get("/api/v1/field/package").json
    assert [level["value"] for level in package["levels"]] == ["general", "significant", "major"]
    assert package["default_deadline_days"]["significant"] == 30


# 研判.


def test_a_major_finding_waits_for_confirmation_before_its_notice(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    major = make.hazard(inspection, world.inspector, level="major", basis=BASIS)
    general = make.hazard(inspection, world.inspector, title="灭火器过期")
    inspector = login(world.inspector)
    # The general hazard goes out; the major one waits.
    assert inspector.post(f"/inspections/{inspection.id}/issue").status_code == 302
    assert make.get(Hazard, general.id).state == "issued"
    assert make.get(Hazard, major.id).state == "found"
    page = inspector.get(f"/hazards/{major.id}").get_data(as_text=True)
    assert "研判" in page and "/confirm" not in page
    # Only the major one left: refused, naming the step.
    refused = inspector.post(f"/inspections/{inspection.id}/issue", follow_redirects=True)
    assert "研判" in refused.get_data(as_text=True) and major.number in refused.get_data(
        as_text=True
    )
    assert _count(make, Notice) == 1

    # The park asks for three people; a supervisor naming one other is refused.
    _set_park(make, confirmation_min_people=3)
    supervisor = login(world.supervisor)
    version = make.get(Hazard, major.id).version
    events = _count(make, HazardEvent, HazardEvent.hazard_id == major.id)
    short = _confirm(supervisor, major, version, participants="王工", decision="major")
    assert short.status_code == 400
    assert "研判" in short.get_data(as_text=True) and "3" in short.get_data(as_text=True)
    assert make.get(Hazard, major.id).confirmed_at is None
    assert _count(make, HazardEvent, HazardEvent.hazard_id == major.id) == events
    ok = _confirm(supervisor, major, version, participants="王工\n李工", decision="major")
    assert ok.status_code == 302
    confirmed = make.get(Hazard, major.id)
    assert confirmed.confirmed_at is not None and confirmed.confirmed_by_id == world.supervisor.id
    with make.session() as s:
        event = s.exec(
            select(HazardEvent).where(
                HazardEvent.hazard_id == major.id, HazardEvent.event == "confirm"
            )
        ).one()
        assert "王工" in event.data and "李工" in event.data
    assert inspector.post(f"/inspections/{inspection.id}/issue").status_code == 302
    assert make.get(Hazard, major.id).state == "issued"


def test_confirmation_may_find_a_finding_general_with_a_reason(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    major = make.hazard(inspection, world.inspector, level="major", basis=BASIS)
    supervisor = login(world.supervisor)
    version = make.get(Hazard, major.id).version
    refused = _confirm(supervisor, major, version, decision="general")
    assert refused.status_code == 400 and make.get(Hazard, major.id).level == "major"
    ok = _confirm(supervisor, major, version, decision="general", comment="除尘系统未投用，不构成")
    assert ok.status_code == 302
    assert make.get(Hazard, major.id).level == "general"
    with make.app.app_context(), make.session() as s:
        from inspection.statistics import tally

        assert tally.differences(s) == []


# Statistics filings.


def _filing_form(period: str, **changes) -> dict:
    form = {
        "period": period,
        "found": "5",
        "found_major": "1",
        "rectified": "4",
        "rectified_major": "1",
        "still_open": "1",
        "funding_yuan": "12000",
        "analysis": "本季度隐患主要集中在消防和用电，已组织专项整治。",
        "principal_name": "赵总",
        "signature": _signature(),
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_an_enterprise_files_and_signs_its_statistics_once(world, make, login):
    last_year = str(clock.today().year - 1)
    client = login(world.ours_user)
    # A park that started using the system this year is not asked for last year's.
    listing = client.get("/statistics-filings").get_data(as_text=True)
    assert f'/statistics-filings/new?period={last_year}"' not in listing
    _set_park(make, created_at=clock.start_of_local_day(date(int(last_year), 1, 1)))
    listing = client.get("/statistics-filings").get_data(as_text=True)
    assert f"/statistics-filings/new?period={last_year}" in listing
    assert "第十四条" in listing
    page = client.get(f"/statistics-filings/new?period={last_year}")
    assert page.status_code == 200 and "signature-pad" in page.get_data(as_text=True)

    # Unsigned, or without the principal's name: refused, nothing kept, what was typed shown.
    unsigned = client.post("/statistics-filings/new", data=_filing_form(last_year, signature=""))
    assert unsigned.status_code == 422 and "本季度隐患主要集中" in unsigned.get_data(as_text=True)
    nameless = client.post(
        "/statistics-filings/new", data=_filing_form(last_year, principal_name=" ")
    )
    assert nameless.status_code == 422
    assert _count(make, StatisticsFiling) == 0
    # A period that has not ended cannot be filed.
    current = client.post("/statistics-filings/new", data=_filing_form(str(clock.today().year)))
    assert current.status_code == 422 and _count(make, StatisticsFiling) == 0

    filed = client.post("/statistics-filings/new", data=_filing_form(last_year))
    assert filed.status_code == 302
    with make.session() as s:
        filing = s.exec(select(StatisticsFiling)).one()
    assert filing.principal_name == "赵总" and filing.found == 5 and filing.signature_sha256
    assert filing.park_id == world.ours.park_id and filing.enterprise_id == world.ours.id
    detail = client.get(f"/statistics-filings/{filing.id}").get_data(as_text=True)
    assert "赵总" in detail and f"/statistics-filings/{filing.id}/signature.png" in detail
    image = client.get(f"/statistics-filings/{filing.id}/signature.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    image.close()
    again = client.post("/statistics-filings/new", data=_filing_form(last_year))
    assert again.status_code == 422 and _count(make, StatisticsFiling) == 1

    # The park's supervisor reads it; the other enterprise does not.
    staff = login(world.supervisor).get("/statistics-filings").get_data(as_text=True)
    assert world.ours.name in staff and "赵总" in staff
    assert login(world.theirs_user).get(f"/statistics-filings/{filing.id}").status_code == 404


def test_the_form_starts_from_what_the_park_recorded(world, make, login):
    last_year = clock.today().year - 1
    inspection = make.inspection(world.ours, world.inspector)
    with clock.frozen(clock.start_of_local_day(date(last_year, 5, 10))):
        make.hazard(inspection, world.inspector)
        make.hazard(inspection, world.inspector, level="major", basis=BASIS)
    page = login(world.ours_user).get(f"/statistics-filings/new?period={last_year}Q2")
    text = page.get_data(as_text=True)
    assert 'name="found" required type="text" value="2"' in text or 'value="2"' in text
    assert 'name="found_major"' in text


def test_reminders_stop_once_the_statistics_are_filed(world, make):
    from inspection.filings.queries import filed_enterprises

    with make.app.app_context(), make.session() as s:
        assert filed_enterprises(s, world.ours.park_id, "2025") == set()


# The park's settings.


def test_an_administrator_sets_the_parks_workflow_rules(world, make, login):
    admin = login(world.admin)
    page = admin.get("/park/settings").get_data(as_text=True)
    assert 'name="extension_lead_days_major"' in page and 'value="20"' in page
    settings = {
        "significant_level": "y",
        "confirmation_min_people": "3",
        "reviewer_must_differ": "y",
        "extension_approver": "inspector",
        "extension_lead_days_major": "15",
        "extension_lead_days_general": "2",
        "extension_decision_days": "5",
        "rectification_max_days": "180",
    }
    refused = admin.post("/park/settings", data={**settings, "extension_decision_days": "0"})
    assert refused.status_code == 422
    assert make.get(Park, world.ours.park_id).extension_decision_days == 10
    assert admin.post("/park/settings", data=settings).status_code == 302
    park = make.get(Park, world.ours.park_id)
    assert park.significant_level and park.confirmation_min_people == 3
    assert park.extension_approver == "inspector" and park.extension_lead_days_major == 15
    assert park.rectification_max_days == 180
    assert login(world.supervisor).get("/park/settings").status_code == 403
