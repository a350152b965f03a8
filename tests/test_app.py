"""The app factory, configuration, session cookies and security headers."""

from __future__ import annotations

import re

import pytest

from inspection import create_app
from inspection.config import normalise_database_url


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTION_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inspection.sqlite'}"
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    app.extensions["engine"].dispose()


def test_environment_overrides_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("INSPECTION_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'other.sqlite'}")
    monkeypatch.setenv("INSPECTION_PAGE_SIZE", "50")
    monkeypatch.setenv("INSPECTION_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["DATABASE_URL"].endswith("other.sqlite")
    assert app.config["PAGE_SIZE"] == 50
    assert app.config["SECRET_KEY"] == "from-the-environment"
    app.extensions["engine"].dispose()


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x") == "sqlite:///x"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'wal.sqlite'}", "SECRET_KEY": "x"})
    with app.extensions["engine"].connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    app.extensions["engine"].dispose()


def test_session_cookie_is_httponly_and_samesite(world, client):
    response = client.post("/login", data={"username": "inspector", "password": "password123"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_unknown_page_is_a_clear_404_in_chinese(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "该内容不存在，或您无权查看。" in response.get_data(as_text=True)


def test_a_savepoint_stays_inside_its_transaction(app):
    """On SQLite too, what a released savepoint wrote goes when the transaction rolls back."""
    from sqlalchemy import text

    from inspection.db import get_session

    with app.app_context():
        session = get_session()
        session.execute(text("SELECT count(*) FROM zone")).one()  # a read first, as views do
        with session.begin_nested():
            session.execute(text("INSERT INTO standing_version (id, version) VALUES (7, 7)"))
        session.rollback()
        assert session.execute(text("SELECT count(*) FROM standing_version")).scalar() == 0


def test_strings_follow_a_forced_locale_inside_a_request(app):
    """Translations are kept per request and per language: an email or a webhook written in
    another language than the page's gets that language."""
    from flask import render_template_string
    from flask_babel import force_locale

    from inspection import labels

    with app.test_request_context("/"):
        assert render_template_string("{{ _('Closed') }}") == "已销号"
        assert labels.label(labels.HAZARD_STATES, "closed") == "已销号"
        with force_locale("en"):
            assert render_template_string("{{ _('Closed') }}") == "Closed"
            assert labels.label(labels.HAZARD_STATES, "closed") == "Closed"
        assert str(labels.HAZARD_STATES["closed"]) == "已销号"


def _current_nav_links(page: str) -> list[str]:
    nav = page[page.index('<nav class="site-nav"') : page.index("</nav>")]
    return re.findall(r'<a href="([^"]+)"\s+aria-current="page">', nav)


@pytest.mark.parametrize(
    ("who", "path", "current"),
    [
        ("inspector", "/inspections/all", "/inspections/all"),
        ("inspector", "/inspections/", "/inspections/"),
        ("supervisor", "/major-hazards", "/major-hazards"),
        ("supervisor", "/hazards/", "/hazards/"),
    ],
)
def test_the_menu_marks_one_entry_as_the_current_page(world, login, who, path, current):
    page = login(getattr(world, who)).get(path).get_data(as_text=True)
    assert _current_nav_links(page) == [current]


def test_api_errors_carry_a_stable_code_beside_the_translated_words(world, login):
    client = login(world.inspector)
    unknown = client.get("/api/v1/no-such-thing")
    assert unknown.status_code == 404 and unknown.json["code"] == "not_found"
    assert unknown.json["message"] == "该内容不存在，或您无权查看。"
    wrong_method = client.delete("/api/v1/sync")
    assert wrong_method.status_code == 405 and wrong_method.json["code"] == "method_not_allowed"


def test_a_page_outside_the_menu_marks_its_sections_entry(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    supervisor = login(world.supervisor).get(f"/inspections/{inspection.id}")
    assert _current_nav_links(supervisor.get_data(as_text=True)) == ["/inspections/all"]
    inspector = login(world.inspector).get(f"/inspections/{inspection.id}")
    assert _current_nav_links(inspector.get_data(as_text=True)) == ["/inspections/"]
    webhooks = login(world.admin).get("/admin/notifications/webhooks")
    assert _current_nav_links(webhooks.get_data(as_text=True)) == ["/admin/notifications/"]


def test_a_json_refusal_names_every_field_it_is_about(app):
    from inspection.errors import DomainError

    refusal = DomainError(
        "缺少两项内容。", fields={"funds": "填写经费。", "measures": "填写措施。"}
    )
    with app.test_request_context("/api/v1/sync", headers={"Accept": "application/json"}):
        response = app.make_response(app.handle_user_exception(refusal))
    assert response.status_code == 400
    assert response.get_json()["fields"] == [
        {"field": "funds", "message": "填写经费。"},
        {"field": "measures", "message": "填写措施。"},
    ]
