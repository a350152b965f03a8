"""The security log (安全审计日志) records every kind of event the issue lists, one test per kind:
who did it, to whom, from where, with what outcome and, for changes, what it was before and
after. Role, workplace and enterprise changes are made on the user administration page."""

from __future__ import annotations

import json

from sqlmodel import select

from inspection.auth.models import User
from inspection.parks.models import Park
from inspection.risk.scoring import DEFAULTS
from inspection.security.integrity import verify_log
from inspection.security.models import EventKind
from inspection.security.models import SecurityEvent
from inspection.users.cli import create_admin

AGENT = "Mozilla/5.0 (Linux; Android 13; Tablet) 测试"


def _login(client, username, password="password123", address="127.0.0.1"):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers={"User-Agent": AGENT},
    )


def _events(make, kind, **where) -> list[SecurityEvent]:
    with make.session() as s:
        stmt = select(SecurityEvent).where(SecurityEvent.kind == kind).order_by(SecurityEvent.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(SecurityEvent, name) == value)
        return list(s.exec(stmt))


def _data(event: SecurityEvent) -> dict:
    return json.loads(event.data)


def _one(make, kind, **where) -> SecurityEvent:
    found = _events(make, kind, **where)
    assert len(found) == 1, (kind, found)
    return found[0]


def _intact(make) -> None:
    with make.session() as s:
        assert verify_log(s) == []


def _assign(client, user: User, make, **fields):
    version = make.get(User, user.id).version
    return client.post(f"/admin/users/{user.id}/assignment", data={"version": version, **fields})


def test_logins_failures_and_logouts(world, make, login):
    client = make.app.test_client()
    assert _login(client, "inspector", "wrong", "192.0.2.5").status_code == 401
    _login(make.app.test_client(), "nobody", "wrong", "192.0.2.5")
    assert _login(client, "inspector", address="192.0.2.5").status_code == 302
    client.post("/logout")
    failed = _one(make, EventKind.LOGIN_FAILED, username="inspector")
    assert failed.outcome == "failed" and failed.actor_id == world.inspector.id
    assert failed.ip == "192.0.2.5" and failed.user_agent == AGENT
    assert failed.park_id == world.inspector.park_id
    stranger = _one(make, EventKind.LOGIN_FAILED, username="nobody")
    assert stranger.actor_id is None and stranger.chain == "site"
    assert _data(stranger) == {"known_user": False}
    ok = _one(make, EventKind.LOGIN, username="inspector")
    assert ok.outcome == "ok" and ok.ip == "192.0.2.5" and ok.at is not None
    out = _one(make, EventKind.LOGOUT, username="inspector")
    assert out.actor_id == world.inspector.id and out.at >= ok.at
    _intact(make)


def test_slowed_logins_and_lockouts(world, make, app):
    app.config.update(LOGIN_LOCK_FAILURES=6, LOGIN_LOCK_ADDRESSES=3)
    for n in range(7):
        _login(make.app.test_client(), "leader", "wrong", f"203.0.113.{n % 3 + 1}")
    for _ in range(5):  # past the free failures of one name from one address
        _login(make.app.test_client(), "leader", "wrong", "203.0.113.1")
    locked = _one(make, EventKind.ACCOUNT_LOCKED, username="leader")
    assert locked.outcome == "refused" and locked.actor_id == world.supervisor.id
    assert _data(locked)["addresses"] == 3 and _data(locked)["failures"] >= 6
    slowed = _events(make, EventKind.LOGIN_THROTTLED, username="leader")
    assert slowed and slowed[0].ip == "203.0.113.1" and _data(slowed[0])["wait_seconds"] >= 1
    _intact(make)


def test_password_changes_and_resets(world, make, login):
    inspector = login(world.inspector)
    changed = inspector.post(
        "/account/password",
        data={"current": "password123", "new": "Xin-Mima-2026!", "repeat": "Xin-Mima-2026!"},
    )
    assert changed.status_code == 302
    own = _one(make, EventKind.PASSWORD_CHANGED, username="inspector")
    assert own.actor_id == world.inspector.id and own.outcome == "ok"
    admin = login(world.admin)
    admin.post(f"/admin/users/{world.inspector2.id}/password", data={"password": "Reset-pass-88"})
    reset = _one(make, EventKind.PASSWORD_RESET)
    assert reset.actor_id == world.admin.id  # who
    assert _data(reset)["user"] == "inspector2" and _data(reset)["by"] == "admin"  # whom, how
    page = admin.post(f"/admin/users/{world.inspector2.id}/reset-link", data={})
    link = page.get_data(as_text=True).split('value="http://localhost')[1].split('"')[0]
    made = _one(make, EventKind.RESET_LINK_SENT)
    assert made.actor_id == world.admin.id and _data(made)["user_id"] == world.inspector2.id
    make.app.test_client().post(link, data={"new": "Lianjie-Mima-9", "repeat": "Lianjie-Mima-9"})
    by_link = _events(make, EventKind.PASSWORD_RESET)[-1]
    assert by_link.actor_id == world.inspector2.id and _data(by_link)["by"] == "link"
    _intact(make)


def test_user_creation_on_the_page_and_on_the_command_line(world, make, login, app):
    admin = login(world.admin)
    created = admin.post(
        "/admin/users/new",
        data={
            "username": "newbie",
            "display_name": "新人",
            "password": "Xin-ren-2026",
            "role": "enterprise",
            "enterprise_id": world.ours.id,
        },
    )
    assert created.status_code == 302
    event = _one(make, EventKind.USER_CREATED, actor_id=world.admin.id)
    assert event.park_id == world.ours.park_id
    data = _data(event)
    assert data["user"] == "newbie" and data["role"] == "enterprise"
    assert data["enterprise_id"] == world.ours.id
    park = make.get(Park, world.ours.park_id)
    answer = app.test_cli_runner().invoke(
        create_admin, ["second_admin", "--park", park.name, "--password", "Guanli-2026-x"]
    )
    assert answer.exit_code == 0, answer.output
    cli = _events(make, EventKind.USER_CREATED)[-1]
    assert cli.actor_id is None and _data(cli)["via"] == "cli" and _data(cli)["role"] == "admin"
    log = admin.get("/security-log/?kind=user_created").get_data(as_text=True)
    assert "创建方式: 命令行" in log and "via" not in log and "enterprise_id" not in log
    _intact(make)


def test_a_role_change_records_who_whom_and_before_and_after(world, make, login):
    admin = login(world.admin)
    page = admin.get(f"/admin/users/{world.inspector.id}/edit").get_data(as_text=True)
    assert "角色和工作单位" in page and f"/admin/users/{world.inspector.id}/assignment" in page
    answer = _assign(
        admin, world.inspector, make, role="supervisor", workplace=f"park:{world.ours.park_id}"
    )
    assert answer.status_code == 302
    assert make.get(User, world.inspector.id).role == "supervisor"
    event = _one(make, EventKind.USER_CHANGED)
    assert event.actor_id == world.admin.id and event.username == "admin"
    data = _data(event)
    assert data["user"] == "inspector" and data["user_id"] == world.inspector.id
    assert data["changes"] == {"role": ["inspector", "supervisor"]}
    # The log page says it in words.
    log = admin.get("/security-log/?kind=user_changed").get_data(as_text=True)
    assert "角色: 检查员 → 监管领导" in log
    # Saving the same again changes and records nothing.
    _assign(admin, world.inspector, make, role="supervisor", workplace=f"park:{world.ours.park_id}")
    assert len(_events(make, EventKind.USER_CHANGED)) == 1
    _intact(make)


def test_an_administrator_cannot_change_their_own_role(world, make, login):
    admin = login(world.admin)
    answer = _assign(
        admin, world.admin, make, role="inspector", workplace=f"park:{world.ours.park_id}"
    )
    assert answer.status_code == 409
    assert "不能更改自己的角色" in answer.get_data(as_text=True)
    assert make.get(User, world.admin.id).role == "admin"
    assert not _events(make, EventKind.USER_CHANGED)


def test_a_move_to_another_park_is_recorded_in_both_parks(make, login):
    parks = make.two_parks()
    bureau_admin = login(parks.bureau_admin)
    answer = _assign(
        bureau_admin, parks.b_inspector, make, role="inspector", workplace=f"park:{parks.park_a.id}"
    )
    assert answer.status_code == 302
    moved = make.get(User, parks.b_inspector.id)
    assert moved.park_id == parks.park_a.id
    entries = _events(make, EventKind.USER_CHANGED)
    assert {e.park_id for e in entries} == {parks.park_a.id, parks.park_b.id}
    changes = _data(entries[0])["changes"]
    assert changes["workplace"] == ["测试第二园区", parks.park_a.name]
    assert changes["park_id"] == [parks.park_b.id, parks.park_a.id]
    assert all(e.actor_id == parks.bureau_admin.id for e in entries)
    # To the region's bureau, and the old park's administrator saw the user leave.
    _assign(bureau_admin, moved, make, role="supervisor", workplace=f"region:{parks.region.id}")
    assert make.get(User, moved.id).region_id == parks.region.id
    b_log = login(parks.b_admin).get("/security-log/?kind=user_changed").get_data(as_text=True)
    assert "b_inspector" in b_log
    _intact(make)


def test_a_park_administrator_cannot_move_anyone_out_of_their_park(make, login):
    parks = make.two_parks()
    b_admin = login(parks.b_admin)
    page = b_admin.get(f"/admin/users/{parks.b_inspector.id}/edit").get_data(as_text=True)
    assert f'value="park:{parks.park_a.id}"' not in page
    for workplace in (f"park:{parks.park_a.id}", f"region:{parks.region.id}"):
        answer = _assign(b_admin, parks.b_inspector, make, role="inspector", workplace=workplace)
        assert answer.status_code == 422, workplace
    assert make.get(User, parks.b_inspector.id).park_id == parks.park_b.id
    # Nor give a user an enterprise of another park, nor touch another park's user.
    _assign(
        b_admin,
        parks.b_inspector,
        make,
        role="enterprise",
        enterprise_id=parks.ours.id,
        workplace=f"park:{parks.park_b.id}",
    )
    assert make.get(User, parks.b_inspector.id).role == "inspector"
    assert (
        _assign(
            b_admin, parks.inspector, make, role="admin", workplace=f"park:{parks.park_b.id}"
        ).status_code
        == 404
    )
    assert not _events(make, EventKind.USER_CHANGED)


def test_an_enterprise_change_is_recorded(world, make, login):
    admin = login(world.admin)
    answer = _assign(
        admin,
        world.ours_user,
        make,
        role="enterprise",
        enterprise_id=world.theirs.id,
        workplace=f"park:{world.ours.park_id}",
    )
    assert answer.status_code == 302
    assert make.get(User, world.ours_user.id).enterprise_id == world.theirs.id
    changes = _data(_one(make, EventKind.USER_CHANGED))["changes"]
    assert changes["enterprise"] == ["甲五金制品有限公司", "乙化工有限公司"]
    # An enterprise user made staff loses the enterprise.
    _assign(admin, world.ours_user, make, role="inspector", workplace=f"park:{world.ours.park_id}")
    user = make.get(User, world.ours_user.id)
    assert user.role == "inspector" and user.enterprise_id is None
    last = _data(_events(make, EventKind.USER_CHANGED)[-1])["changes"]
    assert last["role"] == ["enterprise", "inspector"] and last["enterprise"][1] is None


def test_detail_changes_keep_old_and_new_values(world, make, login):
    admin = login(world.admin)
    version = make.get(User, world.inspector2.id).version
    admin.post(
        f"/admin/users/{world.inspector2.id}/edit",
        data={"display_name": "改名", "phone": "13800000000", "version": version},
    )
    data = _data(_one(make, EventKind.USER_CHANGED))
    assert data["changes"]["display_name"][1] == "改名"
    assert data["changes"]["phone"] == [None, "13800000000"]
    assert data["fields"] == ["display_name", "phone"]


def test_activation_changes(world, make, login):
    admin = login(world.admin)
    admin.post(f"/admin/users/{world.inspector2.id}/active", data={"active": "0"})
    admin.post(f"/admin/users/{world.inspector2.id}/active", data={"active": "0"})  # no change
    admin.post(f"/admin/users/{world.inspector2.id}/active", data={"active": "1"})
    events = _events(make, EventKind.USER_ACTIVATION)
    assert [_data(e)["changes"]["active"] for e in events] == [[True, False], [False, True]]
    assert all(e.actor_id == world.admin.id for e in events)
    assert _data(events[0])["user"] == "inspector2"


def test_permission_refusals(world, make, login):
    assert login(world.ours_user).get("/admin/users/").status_code == 403
    refused = _one(make, EventKind.ACCESS_REFUSED)
    assert refused.actor_id == world.ours_user.id and refused.outcome == "refused"
    assert _data(refused)["path"] == "/admin/users/"


def test_exports_and_downloads_with_their_filters(world, make, login):
    admin = login(world.admin)
    assert admin.get("/hazards/export.csv?state=open&level=major").status_code == 200
    export = _one(make, EventKind.EXPORT)
    assert export.actor_id == world.admin.id
    assert _data(export)["filters"] == {"state": "open", "level": "major"}
    hazard = make.hazard(make.inspection(world.ours, world.inspector), world.inspector)
    assert admin.get(f"/hazards/{hazard.id}/history.csv").status_code == 200
    download = _one(make, EventKind.DOWNLOAD)
    assert _data(download)["hazard"] == hazard.number and download.actor_id == world.admin.id


def test_api_sync_batches(world, make, login):
    answer = login(world.inspector).post("/api/v1/sync", json={"device": "tablet-7", "records": []})
    assert answer.status_code == 200
    batch = _one(make, EventKind.API_SYNC)
    assert batch.actor_id == world.inspector.id and _data(batch)["device"] == "tablet-7"


def test_settings_changes(world, make, login):
    admin = login(world.admin)
    admin.post("/security-log/policy", data={"min_length": 10})
    settings = {
        "confirmation_min_people": "3",
        "extension_approver": "supervisor",
        "extension_lead_days_major": "20",
        "extension_lead_days_general": "3",
        "extension_decision_days": "10",
        "rectification_max_days": "365",
    }
    assert admin.post("/park/settings", data=settings).status_code == 302
    supervisor = login(world.supervisor)
    risk = {**DEFAULTS, "version": 1, "open_major": 12, "reason": "上级要求"}
    assert supervisor.post("/risk/settings", data=risk).status_code == 302
    events = _events(make, EventKind.SETTINGS_CHANGED)
    by_setting = {_data(e)["setting"]: e for e in events}
    assert _data(by_setting["password_min_length"])["new"] == 10
    workflow = _data(by_setting["workflow_settings"])["changes"]
    assert workflow["confirmation_min_people"][1] == 3
    assert by_setting["workflow_settings"].actor_id == world.admin.id
    risk_change = by_setting["risk_settings"]
    assert risk_change.actor_id == world.supervisor.id
    assert _data(risk_change)["changes"]["open_major"][1] == 12
    assert _data(risk_change)["reason"] == "上级要求"
    page = admin.get("/security-log/?kind=settings_changed").get_data(as_text=True)
    assert "open_major" not in page and "confirmation_min_people" not in page
    _intact(make)


def test_the_user_list_filters_by_status_and_role(world, make, login):
    admin = login(world.admin)
    admin.post(f"/admin/users/{world.inspector2.id}/active", data={"active": "0"})
    disabled = admin.get("/admin/users/?status=disabled").get_data(as_text=True)
    assert ">inspector2<" in disabled and ">inspector<" not in disabled
    active = admin.get("/admin/users/?status=active&role=inspector").get_data(as_text=True)
    assert ">inspector<" in active and ">inspector2<" not in active and ">leader<" not in active
    assert admin.get("/admin/users/?status=nonsense").status_code == 200


def test_report_downloads(world, make, login, app):
    ours = login(world.ours_user)
    made = ours.post(f"/reports/ledger/{world.ours.id}")
    job_id = int(made.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        from inspection.db import get_session
        from inspection.reports import jobs

        assert jobs.run_queued(get_session()) == 1
    with ours.get(f"/reports/{job_id}/download") as response:
        assert response.data.startswith(b"%PDF")
    download = _one(make, EventKind.DOWNLOAD, actor_id=world.ours_user.id)
    data = _data(download)
    assert data["what"] == "report_pdf" and data["report"] == job_id and data["title"]
    assert download.park_id == world.ours.park_id
    _intact(make)
