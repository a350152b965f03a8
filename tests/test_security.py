"""Security and trust: login defences that strangers cannot turn against users, the hash-chained
security log (安全审计日志) with its retention, and one-time reset links."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from inspection import clock
from inspection.auth import services as auth_services
from inspection.auth.models import User
from inspection.notifications.models import Notification
from inspection.security.integrity import archive_old
from inspection.security.integrity import verify_log
from inspection.security.models import EventKind
from inspection.security.models import SecurityArchive
from inspection.security.models import SecurityEvent

THROTTLED = "登录失败次数过多"


def _login(client, username, password="password123", address="127.0.0.1"):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _events(make, **where) -> list[SecurityEvent]:
    with make.session() as s:
        stmt = select(SecurityEvent).order_by(SecurityEvent.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(SecurityEvent, name) == value)
        return list(s.exec(stmt))


def test_spraying_many_user_names_from_one_address_is_slowed(world, client, make):
    answers = [_login(client, f"guess{n}", "123456", "198.51.100.7") for n in range(50)]
    slowed = [a for a in answers if THROTTLED in a.get_data(as_text=True)]
    # The first 20 failures are free; the rest of the 50 have to wait.
    assert len(slowed) >= 25
    # Even a right password from that address waits now ...
    assert THROTTLED in _login(client, "inspector", address="198.51.100.7").get_data(as_text=True)
    # ... while the owner elsewhere is not affected at all.
    assert _login(make.app.test_client(), "inspector", address="203.0.113.9").status_code == 302


def test_one_name_attacked_from_many_addresses_does_not_lock_out_its_owner(world, make):
    owner = make.app.test_client()
    assert _login(owner, "inspector", address="192.0.2.10").status_code == 302
    owner.post("/logout")
    attacker = make.app.test_client()
    for n in range(60):
        _login(attacker, "inspector", "wrong-guess", f"203.0.113.{n % 30 + 1}")
    assert _events(make, kind=EventKind.ACCOUNT_LOCKED, username="inspector")
    # The admins of the park are told.
    with make.session() as s:
        told = s.exec(select(Notification).where(Notification.kind == "account_locked")).all()
    assert [n.recipient_id for n in told] == [world.admin.id]
    # A stranger with the right password from a new address is refused ...
    refused = _login(make.app.test_client(), "inspector", address="198.51.100.99")
    assert refused.status_code == 401
    # ... but the owner, from the address they logged in from before, gets in at once.
    assert _login(owner, "inspector", address="192.0.2.10").status_code == 302


def test_right_and_wrong_passwords_do_the_same_work(world, client, monkeypatch):
    calls = []
    real = auth_services.verify_password

    def counting(stored, password):
        calls.append(stored)
        return real(stored, password)

    monkeypatch.setattr(auth_services, "verify_password", counting)
    for username, password in (("inspector", "password123"), ("inspector", "x"), ("nobody", "x")):
        calls.clear()
        _login(client, username, password, "192.0.2.50")
        client.post("/logout")
        assert len(calls) == 1  # one Argon2 verification each, a dummy hash for unknown names


def test_a_password_change_ends_the_other_session(world, make):
    laptop = make.app.test_client()
    tablet = make.app.test_client()
    assert _login(laptop, "inspector").status_code == 302
    assert _login(tablet, "inspector").status_code == 302
    assert tablet.get("/inspections/").status_code == 200
    changed = laptop.post(
        "/account/password",
        data={"current": "password123", "new": "Zhen-Anquan-2026", "repeat": "Zhen-Anquan-2026"},
    )
    assert changed.status_code == 302
    # The tablet is logged out; the laptop, which made the change, stays logged in.
    assert tablet.get("/inspections/").headers["Location"].startswith("/login")
    assert laptop.get("/inspections/").status_code == 200


def test_an_admin_reset_ends_the_users_sessions(world, login):
    inspector = login(world.inspector)
    admin = login(world.admin)
    admin.post(f"/admin/users/{world.inspector.id}/password", data={"password": "Temp-pass-77"})
    assert inspector.get("/inspections/").status_code == 302


def test_the_reset_link_works_once(world, login, make):
    admin = login(world.admin)
    page = admin.post(
        f"/admin/users/{world.inspector.id}/reset-link", data={}, follow_redirects=False
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    link = html.split('value="http://localhost')[1].split('"')[0]
    assert link.startswith("/password/reset/")
    visitor = make.app.test_client()
    assert visitor.get(link).status_code == 200
    done = visitor.post(link, data={"new": "Lianjie-Mima-9", "repeat": "Lianjie-Mima-9"})
    assert done.status_code == 302
    assert _login(make.app.test_client(), "inspector", "Lianjie-Mima-9").status_code == 302
    # Used once, the link is dead.
    assert visitor.get(link).status_code == 410
    again = visitor.post(link, data={"new": "Another-pass-1", "repeat": "Another-pass-1"})
    assert again.status_code == 410
    assert _login(make.app.test_client(), "inspector", "Another-pass-1").status_code == 401


def test_the_password_policy_refuses_weak_passwords(world, login, make):
    client = login(world.inspector)
    for weak, why in (
        ("inspector-2026", "不能包含用户名"),
        ("password123", "最常见的密码"),
    ):
        answer = client.post(
            "/account/password", data={"current": "password123", "new": weak, "repeat": weak}
        )
        assert answer.status_code == 422
        assert why in answer.get_data(as_text=True)
    # The park may ask for longer passwords.
    admin = login(world.admin)
    assert admin.post("/security-log/policy", data={"min_length": 14}).status_code == 302
    answer = client.post(
        "/account/password",
        data={"current": "password123", "new": "Thirteen-char", "repeat": "Thirteen-char"},
    )
    assert "至少需要 14 个字符" in answer.get_data(as_text=True)


def test_the_log_records_each_kind_of_event(world, make, login, client):
    admin = login(world.admin)
    _login(client, "inspector", "wrong")  # a failure
    _login(client, "nobody", "wrong")
    inspector = login(world.inspector)  # a login
    inspector.post("/logout")  # a logout
    for _ in range(7):  # slowed down
        _login(client, "leader", "wrong", "192.0.2.77")
    created = admin.post(
        "/admin/users/new",
        data={
            "username": "newbie",
            "display_name": "新人",
            "password": "Xin-ren-2026",
            "role": "inspector",
        },
    )
    assert created.status_code == 302
    newbie = make.app.test_client()
    _login(newbie, "newbie", "Xin-ren-2026")
    newbie.post(
        "/account/password",
        data={"current": "Xin-ren-2026", "new": "Xin-ren-2027!", "repeat": "Xin-ren-2027!"},
    )
    user_id = make.get(User, world.inspector2.id).id
    page = admin.get(f"/admin/users/{user_id}/edit").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    admin.post(
        f"/admin/users/{user_id}/edit",
        data={"display_name": "改名", "version": version},
    )
    admin.post(f"/admin/users/{user_id}/active", data={"active": "0"})
    admin.post(f"/admin/users/{user_id}/password", data={"password": "Reset-pass-88"})
    admin.post(f"/admin/users/{user_id}/reset-link", data={})
    assert login(world.ours_user).get("/admin/users/").status_code == 403  # refused
    admin.get("/hazards/export.csv?state=open")  # an export with its filters
    admin.post("/security-log/policy", data={"min_length": 10})  # a settings change
    hazard = make.hazard(make.inspection(world.ours, world.inspector), world.inspector)
    admin.get(f"/hazards/{hazard.id}/history.csv")  # a download
    synced = login(world.inspector).post("/api/v1/sync", json={"device": "tablet-7", "records": []})
    assert synced.status_code == 200
    kinds = {e.kind for e in _events(make)}
    for kind in (
        EventKind.LOGIN,
        EventKind.LOGIN_FAILED,
        EventKind.LOGOUT,
        EventKind.LOGIN_THROTTLED,
        EventKind.PASSWORD_CHANGED,
        EventKind.PASSWORD_RESET,
        EventKind.RESET_LINK_SENT,
        EventKind.USER_CREATED,
        EventKind.USER_CHANGED,
        EventKind.USER_ACTIVATION,
        EventKind.ACCESS_REFUSED,
        EventKind.EXPORT,
        EventKind.DOWNLOAD,
        EventKind.API_SYNC,
        EventKind.SETTINGS_CHANGED,
    ):
        assert kind in kinds, kind
    export = _events(make, kind=EventKind.EXPORT)[-1]
    assert json.loads(export.data)["filters"] == {"state": "open"}
    failed = _events(make, kind=EventKind.LOGIN_FAILED, username="nobody")[0]
    assert failed.ip == "127.0.0.1" and failed.park_id is None and failed.region_id is None
    # Who, when, from where and with what outcome.
    refused = _events(make, kind=EventKind.ACCESS_REFUSED)[-1]
    assert refused.actor_id == world.ours_user.id and refused.outcome == "refused"
    assert refused.park_id == world.ours.park_id and refused.at is not None
    assert verify_log_of(make) == []


def verify_log_of(make, archive_dir: Path | None = None):
    with make.session() as s:
        return verify_log(s, archive_dir=archive_dir)


def test_altering_an_entry_is_found_and_named(world, client, make, app):
    _login(client, "inspector", "wrong")
    _login(client, "inspector")
    client.post("/logout")
    target = _events(make, kind=EventKind.LOGIN)[0]
    with make.session() as s:
        s.execute(
            text("UPDATE security_event SET ip = '10.9.9.9' WHERE id = :id"), {"id": target.id}
        )
        s.commit()
    problems = verify_log_of(make)
    assert [(p.record_id, p.reason) for p in problems] == [(target.id, "content altered")]
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"security log entry {target.id} ({target.chain}, step {target.seq})" in result.output


def test_removing_the_latest_entry_is_found(world, client, make):
    _login(client, "inspector")
    client.post("/logout")
    last = _events(make)[-1]
    with make.session() as s:
        s.execute(text("DELETE FROM security_event WHERE id = :id"), {"id": last.id})
        s.commit()
    assert [p.reason for p in verify_log_of(make)] == ["latest records missing from the end"]


def test_the_retention_job_archives_old_entries(client, make, app, tmp_path):
    long_ago = clock.now() - timedelta(days=200)
    with clock.frozen(long_ago):
        make.world()
        _login(client, "inspector")
        client.post("/logout")
    _login(client, "inspector")
    before = _events(make)
    app.config["SECURITY_ARCHIVE_DIR"] = str(tmp_path)
    with app.app_context():
        from inspection.db import get_session

        done = archive_old(get_session())
        get_session().commit()
    old = [e for e in before if e.at < clock.now() - timedelta(days=180)]
    assert done.events == len(old) >= 2
    left = _events(make)
    assert {e.id for e in left} == {e.id for e in before} - {e.id for e in old}
    # Archived, not deleted: the file holds every old entry with its hash ...
    with make.session() as s:
        archive = s.exec(select(SecurityArchive)).one()
    with gzip.open(tmp_path / archive.file, "rt", encoding="utf-8") as f:
        kept = [json.loads(line) for line in f]
    assert [row["hash"] for row in kept] == [e.hash for e in old]
    # ... and the chain still verifies from the archive's last link.
    assert verify_log_of(make, tmp_path) == []
    (tmp_path / archive.file).write_bytes(b"changed")
    assert [p.reason for p in verify_log_of(make, tmp_path)] == ["archive file changed or missing"]


def test_less_than_six_months_is_never_archived(world, client, make, app, tmp_path):
    app.config.update(SECURITY_LOG_RETENTION_DAYS=30, SECURITY_ARCHIVE_DIR=str(tmp_path))
    with clock.frozen(clock.now() - timedelta(days=100)):
        _login(client, "inspector")
    with app.app_context():
        from inspection.db import get_session

        assert archive_old(get_session()).events == 0


def test_the_log_page_filters_pages_and_is_scoped(make, login):
    parks = make.two_parks()
    for n in range(3):
        _login(make.app.test_client(), f"ghost{n}", "x")
    _login(make.app.test_client(), "b_inspector", "wrong")
    _login(make.app.test_client(), "inspector", "wrong")
    admin = login(parks.admin)
    page = admin.get("/security-log/?kind=login_failed").get_data(as_text=True)
    assert "inspector" in page and "b_inspector" not in page and "ghost0" not in page
    # The bureau sees both parks and the whole system's events.
    bureau = login(parks.bureau).get("/security-log/?kind=login_failed").get_data(as_text=True)
    assert "b_inspector" in bureau and "ghost0" in bureau
    # Filtered by user and date.
    today = clock.today().isoformat()
    one = admin.get(f"/security-log/?user=inspector&day_from={today}&day_to={today}")
    assert one.status_code == 200
    assert login(parks.inspector).get("/security-log/").status_code == 403
    assert login(parks.ours_user).get("/security-log/").status_code == 403


def test_an_idle_session_ends_and_the_page_warns_first(world, login, make):
    client = login(world.inspector)
    page = client.get("/inspections/").get_data(as_text=True)
    assert 'class="idle-warning' in page and 'data-idle-seconds="1800"' in page
    # The idle check reads the wall clock: move the last activity back instead.
    with client.session_transaction() as session:
        session["seen"] -= 20 * 60
    assert client.get("/inspections/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] -= 31 * 60
    answer = client.get("/inspections/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert _events(make, kind=EventKind.SESSION_EXPIRED, actor_id=world.inspector.id)


def test_session_cookie_and_headers(app, client):
    answer = client.get("/login")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # Secure on the machine itself and behind HTTPS; a plain-HTTP LAN address could not log in.
    assert "Secure" in cookie
    lan = app.test_client().get("/login", base_url="http://192.0.2.5").headers["Set-Cookie"]
    assert "Secure" not in lan
    assert "Secure" in client.get("/login", base_url="https://192.0.2.5").headers["Set-Cookie"]
    assert "Permissions-Policy" in answer.headers
    assert "Strict-Transport-Security" not in answer.headers
    app.config["HTTPS"] = True
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_error_titles_are_translated(client):
    answer = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert answer.status_code == 404 and answer.json["error"] == "页面不存在"
    assert "页面不存在" in client.get("/no-such-page").get_data(as_text=True)
    assert client.get("/logout").status_code == 405
    assert "不能这样使用此页面" in client.get("/logout").get_data(as_text=True)
