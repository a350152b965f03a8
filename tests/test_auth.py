"""Logging in, throttling, passwords, roles and the admin's user pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from inspection import clock
from inspection.auth.models import LoginThrottle
from inspection.auth.models import Role
from inspection.auth.models import User


def _login(client, username, password="password123"):
    return client.post("/login", data={"username": username, "password": password})


def test_each_role_starts_on_its_home_page(world, client):
    homes = {
        "admin": "/admin/users/",
        "leader": "/dashboard",
        "inspector": "/inspections/",
        "ours": "/portal",
    }
    for username, home in homes.items():
        response = _login(client, username)
        assert response.headers["Location"] == home
        client.post("/logout")


def test_wrong_password_is_refused_in_chinese(world, client):
    response = _login(client, "inspector", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误。" in response.get_data(as_text=True)


def test_user_names_ignore_case_and_spaces(world, client):
    assert _login(client, "  InSpector ").status_code == 302


def test_password_is_stored_as_argon2id(world, make):
    with make.session() as s:
        user = s.exec(select(User).where(User.username == "inspector")).one()
    assert user.password_hash.startswith("$argon2id$")
    assert "password123" not in user.password_hash


def test_login_is_slowed_after_repeated_failures(world, client, app):
    limit = app.config["LOGIN_FREE_FAILURES"]
    for _ in range(limit + 1):
        assert _login(client, "inspector", "wrong").status_code == 401
    # Now even the right password waits until the (short, growing) delay ends.
    response = _login(client, "inspector")
    assert response.status_code == 401
    assert "登录失败次数过多" in response.get_data(as_text=True)
    with clock.frozen(clock.now() + timedelta(seconds=3)):
        assert _login(client, "inspector").status_code == 302


def test_unknown_user_names_are_counted_too(world, client, app, make):
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 1):
        _login(client, "nobody", "x")
    with make.session() as s:
        throttle = s.get(LoginThrottle, "pair:nobody|127.0.0.1")
    assert throttle.locked_until is not None


def test_successful_login_clears_the_failures(world, client, make):
    _login(client, "inspector", "wrong")
    assert _login(client, "inspector").status_code == 302
    with make.session() as s:
        assert s.get(LoginThrottle, "pair:inspector|127.0.0.1") is None


def test_disabled_user_cannot_log_in_and_is_logged_out(world, login, make):
    inspector_client = login(world.inspector)
    admin = login(world.admin)
    response = admin.post(f"/admin/users/{world.inspector.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert inspector_client.get("/inspections/").status_code == 302  # back to the login page
    client = make.app.test_client()
    response = _login(client, "inspector")
    assert response.status_code == 401
    assert "该账号已停用" in response.get_data(as_text=True)


def test_admin_cannot_disable_themself(world, login, make):
    admin = login(world.admin)
    response = admin.post(
        f"/admin/users/{world.admin.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "不能停用自己的账号。" in response.get_data(as_text=True)
    assert make.get(User, world.admin.id).active


def test_admin_creates_an_enterprise_user(world, login, make):
    admin = login(world.admin)
    response = admin.post(
        "/admin/users/new",
        data={
            "username": "newuser",
            "display_name": "新用户",
            "role": "enterprise",
            "enterprise_id": str(world.ours.id),
            "password": "longenough1",
        },
    )
    assert response.status_code == 302
    with make.session() as s:
        user = s.exec(select(User).where(User.username == "newuser")).one()
    assert user.role == Role.ENTERPRISE and user.enterprise_id == world.ours.id


def test_enterprise_user_without_enterprise_is_refused(world, login, make):
    admin = login(world.admin)
    response = admin.post(
        "/admin/users/new",
        data={
            "username": "orphan",
            "display_name": "x",
            "role": "enterprise",
            "enterprise_id": "",
            "password": "longenough1",
        },
    )
    assert response.status_code == 422
    assert "企业用户必须关联一家企业" in response.get_data(as_text=True)
    with make.session() as s:
        assert s.exec(select(User).where(User.username == "orphan")).first() is None


def test_database_refuses_an_enterprise_user_without_enterprise(world, make):
    from sqlalchemy.exc import IntegrityError

    with make.session() as s:
        s.add(User(username="bad", display_name="bad", password_hash="x", role="enterprise"))
        with pytest.raises(IntegrityError):
            s.commit()


def test_password_reset_forces_a_change_at_next_login(world, login, make):
    admin = login(world.admin)
    admin.post(f"/admin/users/{world.inspector.id}/password", data={"password": "resetpass1"})
    client = make.app.test_client()
    response = _login(client, "inspector", "resetpass1")
    assert response.headers["Location"] == "/account/password"
    response = client.post(
        "/account/password",
        data={"current": "resetpass1", "new": "chosenpass2", "repeat": "chosenpass2"},
    )
    assert response.status_code == 302
    assert not make.get(User, world.inspector.id).must_change_password


def test_stale_user_edit_is_refused(world, login, make):
    admin = login(world.admin)
    page = admin.get(f"/admin/users/{world.inspector.id}/edit")
    assert page.status_code == 200
    first = admin.post(
        f"/admin/users/{world.inspector.id}/edit", data={"display_name": "第一次", "version": "1"}
    )
    assert first.status_code == 302
    second = admin.post(
        f"/admin/users/{world.inspector.id}/edit", data={"display_name": "第二次", "version": "1"}
    )
    assert second.status_code == 409
    assert "其他人已修改了这条记录" in second.get_data(as_text=True)
    assert make.get(User, world.inspector.id).display_name == "第一次"


def test_only_admins_reach_user_administration(world, login):
    for user in (world.supervisor, world.inspector, world.ours_user):
        assert login(user).get("/admin/users/").status_code == 403


def test_next_link_only_follows_local_paths(world, client):
    response = client.post(
        "/login?next=https://evil.example/",
        data={"username": "inspector", "password": "password123"},
    )
    assert response.headers["Location"] == "/inspections/"


def test_logout_needs_post(world, login):
    client = login(world.inspector)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/inspections/").status_code == 302


def test_accounts_made_in_bulk_may_share_one_hash_but_no_others_do():
    from inspection.auth import passwords

    with passwords.one_hash_per_password():
        first, again = passwords.hash_password("demo1234"), passwords.hash_password("demo1234")
        other = passwords.hash_password("another-pass")
    assert first == again != other
    assert passwords.verify_password(first, "demo1234")
    assert passwords.hash_password("demo1234") != passwords.hash_password("demo1234")
