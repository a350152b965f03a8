"""Several parks in one deployment: each park's people see their park only, the region's bureau
sees every park, and every write lands in one park. Every URL rule is tried as each role."""

from __future__ import annotations

import io
import re
from urllib.parse import urljoin
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from inspection.auth.models import User
from inspection.campaigns.models import Campaign
from inspection.campaigns.models import Holiday
from inspection.campaigns.models import RecurringPlan
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Zone
from inspection.evidence.models import Photo
from inspection.hazards.models import ExtensionRequest
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.hazards.models import Notice
from inspection.inspections.models import Inspection
from inspection.notifications.models import Delivery
from inspection.notifications.models import Notification
from inspection.notifications.models import WebhookEndpoint
from inspection.reminders.models import ReminderPolicy
from inspection.reports.models import ReportJob
from inspection.risk.models import EnterpriseRisk
from inspection.risk.models import RiskWarning
from tests.factories import image_bytes
from tests.test_isolation import FORM
from tests.test_isolation import PUBLIC
from tests.test_isolation import body_text
from tests.test_isolation import draw_state
from tests.test_isolation import programme_state
from tests.test_isolation import records_of

B_NAMES = {
    "user_key": "b_safety",
    "user": "丙厂安全员",
    "hazard": "丙厂除尘器泄爆口朝向人员通道",
    "location": "丙厂砂光车间",
    "campaign": "丙园木制品专项",
    "checklist": "b-list",
    "checklist_of_park": True,
}
B_MARKERS = (
    "丙木业有限公司",
    B_NAMES["user"],
    B_NAMES["hazard"],
    B_NAMES["location"],
    B_NAMES["campaign"],
    "丙园检查员",
    "第二园区一区",
)


@pytest.fixture
def two(make):
    """Parks A and B of one region; B full of records of every kind."""
    two = make.two_parks()
    with make.session() as s:
        inspector = s.get(User, two.b_inspector.id)
        inspector.display_name = "丙园检查员"
        s.commit()
    two.b = records_of(make, two.b_enterprise, two.b_inspector, names=B_NAMES)
    return two


def _b_state(make, park_id: int):
    """Everything of park B that a write could change."""
    with make.session() as s:
        hazards = s.exec(select(Hazard).where(Hazard.park_id == park_id)).all()
        ids = [h.id for h in hazards]
        users = s.exec(select(User).where(User.park_id == park_id)).all()
        user_ids = [u.id for u in users]
        return (
            sorted((h.id, h.state, h.version, h.title, h.deadline) for h in hazards),
            sorted(
                (n.id, n.acknowledged_at, n.version)
                for n in s.exec(select(Notice).where(Notice.park_id == park_id))
            ),
            sorted((u.id, u.active, u.version, u.password_hash, u.display_name) for u in users),
            sorted(
                (e.id, e.name, e.version, e.zone_id)
                for e in s.exec(select(Enterprise).where(Enterprise.park_id == park_id))
            ),
            sorted((z.id, z.name) for z in s.exec(select(Zone).where(Zone.park_id == park_id))),
            sorted(
                (w.id, w.status, w.version)
                for w in s.exec(select(RiskWarning).where(RiskWarning.park_id == park_id))
            ),
            sorted(
                (r.enterprise_id, r.grade, r.score)
                for r in s.exec(select(EnterpriseRisk).where(EnterpriseRisk.park_id == park_id))
            ),
            sorted(
                (i.id, i.status, i.version)
                for i in s.exec(select(Inspection).where(Inspection.park_id == park_id))
            ),
            sorted(
                (r.id, r.status)
                for r in s.exec(select(ExtensionRequest).where(ExtensionRequest.hazard_id.in_(ids)))
            ),
            sorted(
                (n.id, n.read_at)
                for n in s.exec(select(Notification).where(Notification.recipient_id.in_(user_ids)))
            ),
            len(s.exec(select(Photo).where(Photo.hazard_id.in_(ids))).all()),
            sorted(
                (d.id, d.status, d.next_attempt_at)
                for d in s.exec(select(Delivery).where(Delivery.recipient_id.in_(user_ids)))
            ),
            sorted(
                (w.id, w.version, w.url, w.active)
                for w in s.exec(select(WebhookEndpoint).where(WebhookEndpoint.park_id == park_id))
            ),
            sorted(
                (p.id, p.version, p.active)
                for p in s.exec(select(RecurringPlan).where(RecurringPlan.park_id == park_id))
            ),
            sorted(
                (h.id, h.name) for h in s.exec(select(Holiday).where(Holiday.park_id == park_id))
            ),
            sorted(
                (c.id, c.name) for c in s.exec(select(Campaign).where(Campaign.park_id == park_id))
            ),
            sorted(
                (r.id, r.version)
                for r in s.exec(select(ReminderPolicy).where(ReminderPolicy.park_id == park_id))
            ),
            sorted(
                (j.id, j.status)
                for j in s.exec(select(ReportJob).where(ReportJob.park_id == park_id))
            ),
            len(s.exec(select(HazardEvent).where(HazardEvent.hazard_id.in_(ids))).all()),
            draw_state(s, park_id),
            programme_state(s),
        )


def _rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"),
        key=lambda rule: (rule.endpoint == "auth.logout", rule.rule),
    )


# Endpoints that act on the user's own session, settings or notifications only.
OWN = {
    "auth.language",
    "auth.logout",
    "auth.login",
    "notifications.read_all",
    "notifications.preferences",
}
A_ROLES = ("admin", "supervisor", "inspector", "ours_user")


@pytest.mark.parametrize("role", A_ROLES)
def test_every_route_keeps_another_park_out(app, two, login, make, role):
    """Park A's people, reading and writing every URL rule with park B's ids, see and change
    nothing of park B."""
    client = login(getattr(two, role))
    markers = (*B_MARKERS, make.get(Hazard, two.b["hazard_id"]).number)
    with make.session() as s:
        markers += (s.get(Notice, two.b["notice_id"]).number,)
    before = _b_state(make, two.park_b.id)
    adapter = app.url_map.bind("localhost")
    tried = 0
    for rule in _rules(app):
        unknown = set(rule.arguments) - set(two.b)
        assert not unknown, f"{rule.rule}: add a record of park B for {unknown}"
        url = adapter.build(rule.endpoint, {name: two.b[name] for name in rule.arguments})
        if "GET" in rule.methods:
            for query, typed in {
                "": None,
                f"?enterprise={two.b_enterprise.id}": None,
                f"?q={B_NAMES['hazard']}": B_NAMES["hazard"],
                f"?zone={two.zone_b.id}": None,
            }.items():
                response = client.get(url + query)
                body = body_text(response)
                response.close()
                if rule.endpoint in PUBLIC:
                    break  # the same for everyone (see PUBLIC)
                leaked = [m for m in markers if m in body and m != typed]
                assert not leaked, f"GET {url}{query} as {role} showed {leaked}"
                tried += 1
        for method in sorted({"POST", "PUT"} & rule.methods):
            data = dict(FORM, photos=(io.BytesIO(image_bytes()), "x.jpg"), park=two.park_b.id)
            response = client.open(
                url, method=method, data=data, content_type="multipart/form-data"
            )
            body = response.get_data(as_text=True)
            response.close()
            assert not [m for m in markers if m in body], f"{method} {url} as {role}"
            if rule.arguments and rule.endpoint not in OWN:
                assert response.status_code in (400, 403, 404, 405, 409, 410, 422), (
                    f"{method} {url} as {role}: {response.status_code}"
                )
            assert _b_state(make, two.park_b.id) == before, (
                f"{method} {url} as {role} changed park B's records"
            )
            tried += 1
    assert tried > 100


LINK = re.compile(r'href="(/[^"#]*)"')


@pytest.mark.parametrize("role", (*A_ROLES, "b_inspector"))
def test_a_crawl_of_every_page_a_user_can_reach_shows_nothing_of_the_other_park(
    app, two, login, make, role
):
    """Follow every link from the home page as a user would (GET only), up to 400 pages."""
    client = login(getattr(two, role))
    if role == "b_inspector":
        markers = ("甲五金制品有限公司", "乙化工有限公司", "新材料新装备产业园")
        own = B_NAMES["hazard"]
    else:
        markers = B_MARKERS
        own = None
    seen, queue, pages = set(), ["/"], 0
    while queue and pages < 400:
        url = queue.pop(0)
        if url in seen or "/logout" in url or url.startswith("/static/"):
            continue
        seen.add(url)
        response = client.get(url, follow_redirects=True)
        pages += 1
        if response.mimetype != "text/html":
            response.close()
            continue
        body = response.get_data(as_text=True)
        leaked = [m for m in markers if m in body]
        assert not leaked, f"{url} as {role} showed {leaked}"
        for link in LINK.findall(body):
            target = urljoin(url, link.replace("&amp;", "&"))
            if urlsplit(target).path.startswith("/static/"):
                continue
            if target not in seen:
                queue.append(target)
    assert pages > 10
    if own:
        hazards = client.get("/hazards/").get_data(as_text=True)
        assert own in hazards


def test_the_bureau_sees_every_park_and_can_look_into_one(two, login, make):
    client = login(two.bureau)
    a_hazard = make.hazard(
        make.inspection(two.ours, two.inspector), two.inspector, title="甲厂标识"
    )
    page = client.get("/hazards/").get_data(as_text=True)
    assert B_NAMES["hazard"] in page and "甲厂标识" in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "测试第二园区" in dashboard and "测试经济开发区" in dashboard
    # Into park B: park A's hazards leave the list.
    response = client.post("/parks/choose", data={"park": two.park_b.id, "next": "/hazards/"})
    assert response.status_code == 302
    page = client.get("/hazards/").get_data(as_text=True)
    assert B_NAMES["hazard"] in page and "甲厂标识" not in page
    assert client.get(f"/hazards/{a_hazard.id}").status_code == 404
    # Back to all parks.
    client.post("/parks/choose", data={"park": "all"})
    assert "甲厂标识" in client.get("/hazards/").get_data(as_text=True)


def test_a_park_user_cannot_choose_another_park_and_a_bureau_user_only_its_regions(
    two, login, make
):
    assert (
        login(two.inspector).post("/parks/choose", data={"park": two.park_b.id}).status_code == 403
    )
    elsewhere = make.park("外县园区", "外县整改")
    client = login(two.bureau)
    assert client.post("/parks/choose", data={"park": elsewhere.id}).status_code == 404
    assert client.post("/parks/choose", data={"park": "x"}).status_code == 404


def test_writes_land_in_the_right_park(app, two, make):
    """An inspector of park A cannot take park B's inspector on a team, nor inspect in B."""
    from inspection.errors import DomainError
    from inspection.inspections import services

    with app.app_context():
        from inspection.db import get_session

        s = get_session()
        with pytest.raises(DomainError, match="测试第二园区"):
            services.create_inspection(
                s,
                enterprise=s.get(Enterprise, two.b_enterprise.id),
                actor=s.get(User, two.inspector.id),
                type="routine",
                planned_date=__import__("inspection.clock", fromlist=["today"]).today(),
            )
        s.rollback()
        with pytest.raises(DomainError, match="丙园检查员"):
            services.create_inspection(
                s,
                enterprise=s.get(Enterprise, two.ours.id),
                actor=s.get(User, two.inspector.id),
                type="routine",
                planned_date=__import__("inspection.clock", fromlist=["today"]).today(),
                co_inspector_ids=[two.b_inspector.id],
            )


def test_notice_numbers_and_figures_are_per_park(two, make, login):
    inspection = make.inspection(two.ours, two.inspector)
    make.hazard(inspection, two.inspector)
    notice_a = make.issue(inspection, two.inspector)
    with make.session() as s:
        notice_b = s.get(Notice, two.b["notice_id"])
    assert notice_a.number.startswith("测开安环整改") and notice_b.number.startswith("测二安环整改")
    assert notice_a.seq == 1 and notice_b.seq == 1
    # Park A's dashboard counts park A's hazards only; the bureau's counts both.
    a_found = _figure(login(two.supervisor).get("/dashboard").get_data(as_text=True), "found")
    all_found = _figure(login(two.bureau).get("/dashboard").get_data(as_text=True), "found")
    assert (a_found, all_found) == (1, 2)


def _figure(page: str, name: str) -> int:
    found = re.search(rf'data-figure="{name}">(\d+)<', page)
    assert found, page[:2000]
    return int(found.group(1))


def test_a_park_adapts_a_library_checklist_in_a_copy_of_its_own(two, make, login, app):
    """The shared library is the bureau's; a park makes its own copy, which its inspections use
    instead, and the other park keeps the original."""
    library = make.checklist("shared-list")
    client = login(two.admin)
    # The park's administrator may not change the library itself.
    refused = client.post(f"/checklists/{library.template_id}/draft")
    assert refused.status_code == 403
    assert "共享" in refused.get_data(as_text=True) or "shared" in refused.get_data(as_text=True)
    response = client.post(f"/checklists/{library.template_id}/copy")
    assert response.status_code == 302
    with make.session() as s:
        from inspection.checklists.models import ChecklistTemplate
        from inspection.checklists.models import ChecklistVersion

        copy = s.exec(
            select(ChecklistTemplate).where(ChecklistTemplate.copied_from_id == library.template_id)
        ).one()
        draft = s.exec(
            select(ChecklistVersion).where(ChecklistVersion.template_id == copy.id)
        ).one()
    assert copy.park_id == two.park_a.id and copy.code == "shared-list"
    # A second copy for the same park is refused; park B cannot see or edit A's copy.
    assert client.post(f"/checklists/{library.template_id}/copy").status_code == 302
    with make.session() as s:
        copies = s.exec(
            select(ChecklistTemplate).where(ChecklistTemplate.copied_from_id == library.template_id)
        ).all()
    assert len(copies) == 1
    b_admin = login(two.b_admin)
    assert b_admin.get(f"/checklists/{copy.id}").status_code == 404
    assert b_admin.post(f"/checklists/versions/{draft.id}/publish").status_code in (403, 404)
    # Published, the copy replaces the original in park A's inspections only.
    assert client.post(f"/checklists/versions/{draft.id}/publish").status_code == 302
    from inspection.checklists import queries

    with app.app_context():
        from inspection.db import get_session

        s = get_session()
        offered_a = queries.offered_versions(s, s.get(Enterprise, two.ours.id))
        offered_b = queries.offered_versions(s, s.get(Enterprise, two.b_enterprise.id))
    ids_a = {v.template_id for group in offered_a for v in group}
    ids_b = {v.template_id for group in offered_b for v in group}
    assert copy.id in ids_a and library.template_id not in ids_a
    assert library.template_id in ids_b and copy.id not in ids_b


def test_the_bureau_keeps_the_shared_library(two, make, login):
    library = make.checklist("shared-list")
    bureau_admin = login(two.bureau_admin)
    response = bureau_admin.post(f"/checklists/{library.template_id}/draft")
    assert response.status_code == 302 and "/edit" in response.headers["Location"]
