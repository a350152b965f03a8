"""The outbox: email over a real SMTP server and webhooks to a real HTTP server, both on
loopback; retries with back-off when they are down, delivery once they are back; digests;
the admins' delivery log and the users' own settings."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from datetime import timedelta
from urllib.parse import parse_qs
from urllib.parse import unquote_plus
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.db import get_session
from inspection.notifications.delivery import deliver_due
from inspection.notifications.digest import make_digests
from inspection.notifications.models import Delivery
from inspection.notifications.models import WebhookEndpoint
from inspection.notifications.services import notify
from tests.factories import PASSWORD
from tests.loopback import HTTPServer
from tests.loopback import SMTPServer
from tests.loopback import free_port

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def smtp_port(app):
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    return port


@pytest.fixture
def smtp(smtp_port):
    server = SMTPServer(smtp_port).start()
    yield server
    server.stop()


@pytest.fixture
def http():
    server = HTTPServer(free_port()).start()
    yield server
    server.stop()


def _set(make, user, **values) -> None:
    with make.session() as s:
        row = s.get(User, user.id)
        for name, value in values.items():
            setattr(row, name, value)
        s.commit()


def _deliver(app):
    with app.app_context():
        return deliver_due(get_session())


def _deliveries(make) -> list[Delivery]:
    with make.session() as s:
        return list(s.exec(select(Delivery).order_by(Delivery.id)))


def _issue_notice(make, world):
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector, deadline=clock.today() + timedelta(days=10))
    return make.issue(inspection, world.inspector)


def _webhook(make, url: str, flavour: str = "generic", secret: str | None = None, kinds=None):
    with make.session() as s:
        endpoint = WebhookEndpoint(
            park_id=make.park().id,
            name="安环办群",
            flavour=flavour,
            url=url,
            secret=secret,
            kinds=json.dumps(kinds or ["notice_issued"]),
        )
        s.add(endpoint)
        s.commit()
        s.refresh(endpoint)
        return endpoint


# --- email ----------------------------------------------------------------------------------


def test_a_notice_is_emailed_in_chinese_with_text_html_and_a_link(app, make, world, smtp):
    _set(make, world.ours_user, email="anquan@jia-wujin.example")
    notice = _issue_notice(make, world)
    assert _deliver(app) == {"sent": 1}
    [message] = smtp.messages
    assert message["To"].addresses[0].addr_spec == "anquan@jia-wujin.example"
    assert message["Subject"] == f"整改通知书 {notice.number}"
    assert message["Message-ID"].startswith("<") and message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = f"http://127.0.0.1:5000/notices/{notice.id}"
    assert "甲五金制品有限公司" in text and link in text
    assert f'href="{link}"' in html and "您好" in html
    [delivery] = _deliveries(make)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, None)
    assert _deliver(app) == {}  # nothing is sent twice


def test_an_english_reader_gets_english(app, make, world, smtp):
    _set(make, world.ours_user, email="a@example.com", locale="en")
    notice = _issue_notice(make, world)
    _deliver(app)
    assert smtp.messages[0]["Subject"] == f"Rectification notice {notice.number}"


def test_a_dead_smtp_server_delays_and_never_loses_the_email(app, make, world, smtp_port):
    _set(make, world.ours_user, email="a@example.com")
    with clock.frozen(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)):
        _issue_notice(make, world)
        assert _deliver(app) == {"retrying": 1}
        [delivery] = _deliveries(make)
        assert delivery.status == "retrying" and delivery.attempts == 1
        assert f"无法连接 SMTP 服务器 127.0.0.1:{smtp_port}" in delivery.last_error
        assert delivery.next_attempt_at == clock.now() + timedelta(seconds=60)
        assert _deliver(app) == {}  # not due again yet
        clock.advance(timedelta(seconds=61))
        assert _deliver(app) == {"retrying": 1}
        assert _deliveries(make)[0].next_attempt_at == clock.now() + timedelta(seconds=120)
        # The failure shows in the admins' delivery log, with its error.
        page = make.app.test_client()
        page.post("/login", data={"username": "admin", "password": PASSWORD})
        body = page.get("/admin/notifications/?status=trouble").get_data(as_text=True)
        assert "失败，将重试" in body and "无法连接 SMTP 服务器" in body
        server = SMTPServer(smtp_port).start()
        try:
            clock.advance(timedelta(seconds=121))
            assert _deliver(app) == {"sent": 1}
            assert len(server.messages) == 1
        finally:
            server.stop()
    delivery = _deliveries(make)[0]
    assert (delivery.status, delivery.attempts) == ("sent", 3)


def test_a_refused_address_fails_for_good_and_can_be_sent_again(app, make, world, smtp, login):
    _set(make, world.ours_user, email="nobody@example.com")
    smtp.refuse("nobody@example.com")
    _issue_notice(make, world)
    assert _deliver(app) == {"failed": 1}
    [delivery] = _deliveries(make)
    assert delivery.status == "failed" and "550" in delivery.last_error
    client = login(world.admin)
    body = client.get("/admin/notifications/").get_data(as_text=True)
    assert "nobody" not in body or "550" in body
    assert "重新发送" in body
    _set(make, world.ours_user, email="anquan@example.com")
    response = client.post(f"/admin/notifications/deliveries/{delivery.id}/retry")
    assert response.status_code == 302
    assert _deliver(app) == {"sent": 1}
    assert smtp.messages[-1]["To"].addresses[0].addr_spec == "anquan@example.com"


def test_users_choose_their_email(app, make, world, smtp, login):
    client = login(world.ours_user)
    page = client.get("/account/notifications")
    assert page.status_code == 200 and "每天一封汇总邮件" in page.get_data(as_text=True)
    bad = client.post(
        "/account/notifications", data={"email": "not-an-address", "email_mode": "immediate"}
    )
    assert bad.status_code == 422
    saved = client.post(
        "/account/notifications",
        data={"email": "me@example.com", "email_mode": "off", "version": "1"},
    )
    assert saved.status_code == 302
    _issue_notice(make, world)
    assert _deliveries(make) == []  # in-app only
    stale = client.post(
        "/account/notifications",
        data={"email": "me@example.com", "email_mode": "immediate", "version": "1"},
    )
    assert stale.status_code == 409


def test_reminders_come_once_a_day_as_a_digest(app, make, world, smtp):
    _set(make, world.ours_user, email="a@example.com", email_mode="immediate")
    with clock.frozen(datetime(2026, 12, 1, 7, 0, tzinfo=SHANGHAI)), app.app_context():
        session = get_session()
        user = session.get(User, world.ours_user.id)
        for n in range(3):
            notify(
                session,
                [user],
                kind="overdue",
                key=f"overdue-1:{n}:2026-11-30",
                params={
                    "hazard": f"YH-{n}",
                    "title": "t",
                    "enterprise": "e",
                    "deadline": "d",
                    "days": 1,
                },
                link=f"/hazards/{n + 1}",
                hazard_id=None,
            )
        session.commit()
        assert make_digests(session) == 0  # before the digest hour (08:00)
        clock.advance(timedelta(hours=1, minutes=5))
        assert make_digests(session) == 1
        session.commit()
        assert make_digests(session) == 0  # once a day
        session.commit()
        assert _deliver(app) == {"sent": 1}
    [message] = smtp.messages
    assert message["Subject"] == "每日汇总：3 条通知"
    text = message.get_body(("plain",)).get_content()
    assert all(f"隐患 YH-{n} 已逾期 1 天" in text for n in range(3))
    statuses = sorted(d.status for d in _deliveries(make))
    assert statuses == ["digested", "digested", "digested", "sent"]


# --- webhooks -------------------------------------------------------------------------------


def test_a_signed_json_webhook_gets_each_event_once(app, make, world, http):
    endpoint = _webhook(make, http.url + "/hook", secret="s3cret")
    notice = _issue_notice(make, world)
    assert _deliver(app) == {"sent": 1}
    assert _deliver(app) == {}
    [post] = http.posts
    payload = post.json()
    assert payload["kind"] == "notice_issued" and payload["subject"].startswith("整改通知书")
    assert payload["link"].endswith(f"/notices/{notice.id}")
    assert payload["id"] == f"webhook:{endpoint.id}:notice_issued:notice:{notice.id}"
    timestamp = post.headers["X-Inspection-Timestamp"]
    expected = hmac.new(b"s3cret", timestamp.encode() + b"." + post.body, hashlib.sha256)
    assert post.headers["X-Inspection-Signature"] == "sha256=" + expected.hexdigest()


def test_dingtalk_robots_get_signed_text(app, make, world, http):
    _webhook(make, http.url + "/robot/send?access_token=abc", "dingtalk", "SECxyz")
    http.answers.append((200, {"errcode": 0, "errmsg": "ok"}))
    notice = _issue_notice(make, world)
    assert _deliver(app) == {"sent": 1}
    [post] = http.posts
    query = parse_qs(urlparse(post.path).query)
    assert query["access_token"] == ["abc"]
    timestamp = query["timestamp"][0]
    digest = hmac.new(b"SECxyz", f"{timestamp}\nSECxyz".encode(), hashlib.sha256).digest()
    assert unquote_plus(post.path.split("sign=")[1]) == base64.b64encode(digest).decode()
    body = post.json()
    assert body["msgtype"] == "text"
    assert body["text"]["content"].startswith(f"【整改通知书 {notice.number}】")


def test_a_wecom_robot_error_is_shown_and_a_busy_robot_is_retried(app, make, world, http):
    _webhook(make, http.url + "/cgi-bin/webhook/send?key=k", "wecom")
    http.answers.append((200, {"errcode": 45009, "errmsg": "api freq out of limit"}))
    _issue_notice(make, world)
    assert _deliver(app) == {"retrying": 1}
    assert "45009" in _deliveries(make)[0].last_error
    assert http.posts[0].json()["msgtype"] == "text"
    http.answers.append((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
    with clock.frozen(clock.now() + timedelta(minutes=5)):
        assert _deliver(app) == {"failed": 1}
    assert "93000 invalid webhook url" in _deliveries(make)[0].last_error


def test_a_webhook_server_that_is_down_gets_the_message_when_it_is_back(app, make, world):
    port = free_port()
    _webhook(make, f"http://127.0.0.1:{port}/hook")
    with clock.frozen(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)):
        _issue_notice(make, world)
        assert _deliver(app) == {"retrying": 1}
        assert "无法连接 127.0.0.1" in _deliveries(make)[0].last_error
        server = HTTPServer(port).start()
        try:
            server.answers.append((503, {}))
            clock.advance(timedelta(minutes=2))
            assert _deliver(app) == {"retrying": 1}
            assert "HTTP 503" in _deliveries(make)[0].last_error
            clock.advance(timedelta(minutes=3))
            assert _deliver(app) == {"sent": 1}
            assert len(server.posts) == 2
        finally:
            server.stop()
    assert _deliveries(make)[0].attempts == 3


def test_webhooks_receive_only_the_kinds_they_chose(app, make, world, http):
    _webhook(make, http.url, kinds=["overdue_escalated"])
    _issue_notice(make, world)
    assert _deliveries(make) == []


def test_admins_manage_webhooks_and_send_a_test_message(app, make, world, http, login):
    client = login(world.admin)
    bad = client.post(
        "/admin/notifications/webhooks/new",
        data={"name": "群", "flavour": "wecom", "url": "not a url", "kinds": ["overdue"]},
    )
    assert bad.status_code == 422
    made = client.post(
        "/admin/notifications/webhooks/new",
        data={
            "name": "安环办企业微信群",
            "flavour": "wecom",
            "url": http.url + "/send?key=k",
            "kinds": ["overdue", "notice_issued"],
            "active": "y",
        },
    )
    assert made.status_code == 302
    with make.session() as s:
        endpoint = s.exec(select(WebhookEndpoint)).one()
    assert json.loads(endpoint.kinds) == ["overdue", "notice_issued"]
    http.answers.append((200, {"errcode": 0}))
    tested = client.post(f"/admin/notifications/webhooks/{endpoint.id}/test", follow_redirects=True)
    assert "测试消息已送达" in tested.get_data(as_text=True)
    assert "测试消息" in http.posts[0].json()["text"]["content"]
    http.answers.append((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
    failed = client.post(f"/admin/notifications/webhooks/{endpoint.id}/test", follow_redirects=True)
    assert "测试消息发送失败" in failed.get_data(as_text=True)
    assert login(world.inspector).get("/admin/notifications/webhooks").status_code == 403


def test_a_claimed_delivery_of_a_process_that_died_is_sent_after_its_lease(app, make, world, http):
    _webhook(make, http.url)
    _issue_notice(make, world)
    with app.app_context():
        from inspection.notifications.delivery import claim

        claimed = claim(get_session(), 10)  # ... and the process dies before sending
    assert len(claimed) == 1
    assert _deliver(app) == {}
    with clock.frozen(clock.now() + timedelta(seconds=301)):
        assert _deliver(app) == {"sent": 1}
    assert len(http.posts) == 1


def test_a_stopping_scheduler_hands_back_what_it_has_not_tried(app, make, world, http):
    _webhook(make, http.url)
    for _ in range(3):
        _issue_notice(make, world)
    asked = iter([False, True, True])  # the stop comes while the first one is being sent
    with app.app_context():
        outcomes = deliver_due(get_session(), stop=lambda: next(asked))
    assert outcomes == {"sent": 1, "handed back": 2}
    sent, *handed_back = _deliveries(make)
    assert sent.status == "sent" and sent.attempts == 1
    for delivery in handed_back:
        assert (delivery.status, delivery.attempts, delivery.lease_until) == ("pending", 0, None)
    assert _deliver(app) == {"sent": 2}  # due again at once, each sent once
    assert len(http.posts) == 3
