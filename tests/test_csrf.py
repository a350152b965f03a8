"""Every form is protected by a CSRF token: a POST without one is refused and changes nothing."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlmodel import select

from inspection.checklists.models import ChecklistItem
from inspection.notifications.models import Notification
from tests.test_isolation import _state
from tests.test_isolation import draw_records


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return match.group(1)


def test_login_itself_needs_the_token(csrf_app, world):
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": "admin", "password": "password123"})
    assert response.status_code == 400
    assert "表单缺少安全令牌或令牌已过期，未保存任何内容" in response.get_data(as_text=True)
    token = _token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": "admin", "password": "password123", "csrf_token": token}
    )
    assert response.status_code == 302


def test_every_post_route_refuses_a_form_without_its_token(csrf_app, world, make):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    notice = make.issue(inspection, world.inspector)
    make.acknowledge(notice, world.ours_user)
    plan = make.plan(hazard, world.ours_user)
    request = make.extension(hazard, world.ours_user)
    with make.session() as s:
        notification = s.exec(
            select(Notification).where(Notification.recipient_id == world.ours_user.id)
        ).first()
    version = make.checklist()
    make.use_checklist(inspection, version, world.inspector)
    with make.session() as s:
        item = s.exec(select(ChecklistItem).where(ChecklistItem.version_id == version.id)).first()
    ids = {
        "hazard_id": hazard.id,
        "notice_id": notice.id,
        "inspection_id": inspection.id,
        "user_id": world.inspector.id,
        "enterprise_id": world.ours.id,
        "document_id": plan.document_id,
        "notification_id": notification.id,
        "request_id": request.id,
        "template_id": version.template_id,
        "version_id": version.id,
        "section_id": item.section_id,
        "item_id": item.id,
        "photo_id": uuid.uuid4(),
        "warning_id": 1,
        "upload_id": 1,
        "token": "not-a-reset-token",
        # The programme's records: the token is refused before any of them is looked up.
        "case_id": 1,
        "step": "plan",
        "listing_id": 1,
        "assessment_id": 1,
        "project_id": 1,
        "campaign_id": 1,
        **make.notification_settings(world.ours_user),
        **draw_records(make, world.ours, world.inspector, {"campaign": "甲厂"}),
    }
    adapter = csrf_app.url_map.bind("localhost")
    before = _state(make)
    checked = 0
    for user in (world.admin, world.inspector, world.ours_user):
        client = csrf_app.test_client()
        token = _token(client.get("/login").get_data(as_text=True))
        client.post(
            "/login",
            data={"username": user.username, "password": "password123", "csrf_token": token},
        )
        for rule in csrf_app.url_map.iter_rules():
            if not {"POST", "PUT"} & rule.methods or rule.endpoint in ("auth.logout",):
                continue
            url = adapter.build(rule.endpoint, {name: ids[name] for name in rule.arguments})
            for method in sorted({"POST", "PUT"} & rule.methods):
                response = client.open(
                    url,
                    method=method,
                    data={"decision": "accept", "version": "2", "active": "0", "locale": "en"},
                )
                assert response.status_code == 400, url
                text = (
                    response.get_json()["message"]
                    if response.is_json
                    else response.get_data(as_text=True)
                )
                assert "安全令牌" in text, url
                checked += 1
    assert checked >= 30
    assert _state(make) == before


def test_a_prefixed_form_carries_the_one_token_name(csrf_app, world, make):
    """Forms shown side by side with a prefix (the hazard page's) still name their token
    csrf_token, so scanners and proxies see it, and it is checked."""
    hazard = make.hazard(make.inspection(world.ours, world.inspector), world.inspector)
    client = csrf_app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"username": "leader", "password": "password123", "csrf_token": token}
    )
    page = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert 'name="reassign-inspector_id"' in page
    assert not re.search(r'name="[a-z_]+-csrf_token"', page)
    token = _token(page)
    wanted = {"reassign-inspector_id": world.inspector2.id}
    refused = client.post(f"/hazards/{hazard.id}/reassign", data={**wanted, "csrf_token": "x"})
    assert refused.status_code == 400
    done = client.post(f"/hazards/{hazard.id}/reassign", data={**wanted, "csrf_token": token})
    assert done.status_code == 302, done.get_data(as_text=True)[:300]


def test_every_form_of_the_hazard_page_keeps_the_one_token_name(csrf_app):
    """Whatever state a hazard is in, each form its page may show is prefixed and so must be a
    PrefixedForm: its token keeps the name csrf_token."""
    from inspection.forms import PrefixedForm
    from inspection.hazards.views.detail import DETAIL_FORMS
    from inspection.hazards.views.detail import detail_form

    assert [n for n, form in DETAIL_FORMS.items() if not issubclass(form, PrefixedForm)] == []
    with csrf_app.test_request_context("/"):
        for name in DETAIL_FORMS:
            assert detail_form(name, empty=True).csrf_token.name == "csrf_token", name
