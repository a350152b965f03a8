"""Every page passes axe-core with no serious or critical finding, and touch targets are ≥ 44 px."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.test_offline_browser import device_store
from tests.e2e.test_offline_browser import prepare_for_offline

# Small enough to hit with a gloved finger: WCAG 2.5.5 asks for 44 × 44 CSS pixels.
MIN_TARGET = 44

TARGETS_JS = """
(min) => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
      && r.right > 0 && r.bottom > 0 && r.left >= 0;
  };
  const small = [];
  const seen = new Set();
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
    if (el.type === 'hidden' || !visible(el)) continue;
    // A radio, checkbox or file input is hit through the label that wraps it.
    let target = el;
    if (['radio', 'checkbox', 'file'].includes(el.type) && el.closest('label')) {
      target = el.closest('label');
    }
    if (seen.has(target)) continue;
    seen.add(target);
    const r = target.getBoundingClientRect();
    if (r.width < min || r.height < min) {
      const label = (target.innerText || target.name || '').trim().slice(0, 30);
      const size = `${Math.round(r.width)}x${Math.round(r.height)}`;
      small.push(`${target.tagName.toLowerCase()} "${label}" ${size}`);
    }
  }
  return small;
}
"""


def _pages(world, make):
    """Every page of the app, for the role that uses it, with records to show."""
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector, title="配电箱未上锁")
    found = make.hazard(inspection, world.inspector, title="灭火器过期")
    notice = make.issue(inspection, world.inspector)
    submitted = make.hazard(make.inspection(world.ours, world.inspector), world.inspector)
    other = make.inspection(world.ours, world.inspector)
    waiting = make.hazard(other, world.inspector, title="待下达隐患")
    assert found and waiting
    version = make.checklist()
    make.use_checklist(inspection, version, world.inspector)
    major_inspection = make.inspection(world.ours, world.inspector)
    major = make.hazard(
        major_inspection,
        world.inspector,
        title="重大隐患",
        level="major",
        basis="应急管理部令第10号 第十一条第（一）项",
    )
    make.acknowledge(make.issue(major_inspection, world.inspector), world.ours_user)
    make.extension(major, world.ours_user)
    make.enterprise("涉粉尘木业有限公司", industry="木制品", risk_dust=True)
    with make.app.test_request_context(), make.session() as s:
        from sqlmodel import select

        from inspection.checklists import queries as checklist_queries
        from inspection.checklists import services
        from inspection.checklists.models import ChecklistItem
        from inspection.checklists.models import ChecklistTemplate

        services.start_draft(
            s,
            s.get(ChecklistTemplate, version.template_id),
            actor=s.get(type(world.admin), world.admin.id),
        )
        s.commit()
        draft = checklist_queries.draft_of(s, version.template_id)
        item = s.exec(select(ChecklistItem).where(ChecklistItem.version_id == draft.id)).first()
        first_item = s.exec(
            select(ChecklistItem).where(ChecklistItem.version_id == version.id)
        ).first()
    settings = make.notification_settings(world.ours_user)
    with make.app.test_request_context(), make.session() as s:
        from inspection.auth.services import create_reset_link

        token = create_reset_link(s, s.get(type(world.admin), world.inspector2.id), hours=2)
        s.commit()
    return [
        (
            None,
            [
                "/login",
                "/no-such-page",
                "/password/forgot",
                "/password/reset/not-a-token",
                f"/password/reset/{token}",
            ],
        ),
        (
            world.inspector,
            [
                "/inspections/",
                f"/inspections/{inspection.id}",
                f"/inspections/{other.id}",
                f"/inspections/{inspection.id}/hazards/new",
                "/inspections/new",
                f"/hazards/{hazard.id}",
                f"/hazards/{waiting.id}",
                "/hazards/",
                "/hazards/?bulk=1",
                "/enterprises/",
                f"/enterprises/{world.ours.id}",
                f"/notices/{notice.id}",
                "/inspections/all",
                "/account/password",
                f"/inspections/{inspection.id}/checklists/{version.id}",
                f"/inspections/{inspection.id}/hazards/new?item={first_item.id}",
                f"/checklists/versions/{version.id}",
                f"/inspections/{inspection.id}/sign",
                "/campaigns/",
                "/campaigns/new",
                "/campaigns/recurring",
                "/campaigns/recurring/new",
                f"/campaigns/recurring/{settings['plan_id']}",
                "/campaigns/holidays",
            ],
        ),
        (
            world.ours_user,
            [
                f"/hazards/{major.id}",
                "/notifications",
                "/portal",
                f"/notices/{notice.id}",
                f"/hazards/{hazard.id}",
                "/hazards/?state=open",
                "/account/notifications",
                "/portal/scorecard",
                "/reports/",
                f"/reports/{settings['job_id']}",
            ],
        ),
        (
            world.supervisor,
            [
                "/dashboard",
                "/hazards/?state=overdue",
                f"/hazards/{submitted.id}",
                f"/hazards/{major.id}",
                "/major-hazards",
                "/notifications",
                "/dashboard?period=2026-Q4",
                "/dashboard?by=inspector",
                f"/dashboard?zone={world.zone.id}",
                "/dashboard/inspectors",
                f"/enterprises/{world.ours.id}/scorecard",
                "/reports/",
                "/hazards/?found_from=2026-13-01&state=nope",
                "/statistics-filings",
                "/national-export",
                "/national-export?period=2026",
                "/national-export?period=2026-13",
            ],
        ),
        (
            world.admin,
            [
                "/admin/users/",
                "/admin/users/?role=enterprise&q=o",
                "/admin/users/new",
                f"/admin/users/{world.inspector.id}/edit",
                f"/admin/users/{world.ours_user.id}/edit",
                f"/admin/users/{world.admin.id}/edit",
                "/security-log/?kind=user_changed",
                "/enterprises/new",
                f"/enterprises/{world.ours.id}/edit",
                "/enterprises/import",
                "/zones/",
                "/checklists/",
                f"/checklists/{version.template_id}",
                f"/checklists/versions/{draft.id}/edit",
                f"/checklists/sections/{item.section_id}/edit",
                f"/checklists/items/{item.id}/edit",
                f"/checklists/sections/{item.section_id}/items/new",
                "/admin/notifications/",
                "/admin/notifications/webhooks",
                "/admin/notifications/webhooks/new",
                f"/admin/notifications/webhooks/{settings['endpoint_id']}",
                "/admin/reminders/",
                "/security-log/",
                "/account/password",
            ],
        ),
    ]


def _problems(page, axe: Axe, where: str) -> list[str]:
    """What axe finds serious or critical on the page as it is, and the too-small targets."""
    problems = []
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            nodes = [n["target"] for n in violation["nodes"]][:3]
            problems.append(f"{where}: {violation['id']} ({violation['impact']}) {nodes}")
    for small in page.evaluate(TARGETS_JS, MIN_TARGET):
        problems.append(f"{where}: touch target too small: {small}")
    return problems


@pytest.fixture
def every_page(world, make):
    return _pages(world, make)


# One test per role's pages, so that the browser work spreads over the test workers.
ROLES = ("anonymous", "inspector", "enterprise", "supervisor", "admin")


@pytest.mark.parametrize("role", ROLES)
def test_no_serious_or_critical_axe_findings_and_big_targets(
    role, every_page, live_server, tablet, sign_in
):
    assert len(every_page) == len(ROLES)
    axe = Axe()
    problems = []
    for user, paths in every_page[ROLES.index(role) : ROLES.index(role) + 1]:
        assert (user.role if user else "anonymous") == role
        page = sign_in(user) if user else tablet()
        for path in paths:
            page.goto(live_server + path)
            problems += _problems(page, axe, path)
    assert not problems, "\n".join(problems)


def test_the_offline_field_app_views(world, make, live_server, sign_in):
    """The field app draws its views in the browser, so each is checked once it is drawn."""
    page = sign_in(world.inspector)
    inspection = prepare_for_offline(page, live_server, world, make, "field-axe")
    axe = Axe()
    problems = []
    package = device_store(page, "meta", "package")
    first_item = package["checklists"][0]["sections"][0]["items"][0]["id"]
    for route in (
        "#/",
        f"#/inspection/{inspection.id}",
        f"#/inspection/{inspection.id}/hazard/{first_item}",
        f"#/inspection/{inspection.id}/hazard/new",
        f"#/inspection/{inspection.id}/sign",
    ):
        page.evaluate("(route) => { location.hash = route; }", route)
        page.wait_for_function(
            "(route) => document.getElementById('field-view').dataset.route === route", arg=route
        )
        problems += _problems(page, axe, route)
    assert not problems, "\n".join(problems)
