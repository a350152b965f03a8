"""Running in production: the refusal without a secret key or public URL, the health probe,
fingerprinted static files cached for a year, compressed text answers."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import brotli

from inspection import clock
from inspection.db import get_session
from inspection.health.services import beat

ROOT = Path(__file__).resolve().parent.parent


def _environment(**values: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("INSPECTION_") and key != "DATABASE_URL"
    }
    env.update(values)
    return env


def test_the_web_app_refuses_to_start_on_postgresql_without_a_secret_key(tmp_path):
    env = _environment(
        DATABASE_URL="postgresql://inspection@db.invalid/inspection",
        INSPECTION_INSTANCE_PATH=str(tmp_path),
        INSPECTION_PUBLIC_URL="https://inspection.example.gov.cn",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    started = subprocess.run(
        [str(gunicorn), "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0", "wsgi:app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0
    assert "Refusing to start: INSPECTION_SECRET_KEY is not set." in started.stderr
    assert "INSPECTION_PUBLIC_URL" not in started.stderr
    assert not (tmp_path / "secret_key").exists()  # no key of its own made up

    flask = Path(sys.executable).with_name("flask")
    env.pop("INSPECTION_PUBLIC_URL")
    env["INSPECTION_SECRET_KEY"] = "a-long-shared-secret"
    migrated = subprocess.run(
        [str(flask), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrated.returncode != 0
    assert "Refusing to start: INSPECTION_PUBLIC_URL is not set." in migrated.stderr
    assert "Traceback" not in migrated.stderr


def test_health_checks_the_database_and_the_storage(app, client):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert answer.json == {
        "status": "ok",
        "checks": {
            "database": {"ok": True, "detail": "ok"},
            "storage": {"ok": True, "detail": "local"},
        },
    }
    app.config.update(
        STORAGE="s3", S3_BUCKET="missing", S3_ENDPOINT_URL="http://127.0.0.1:9", S3_REGION="x"
    )
    failing = client.get("/healthz")
    assert failing.status_code == 503 and failing.json["status"] == "failing"
    assert failing.json["checks"]["storage"]["ok"] is False
    assert failing.json["checks"]["database"]["ok"] is True


def test_health_of_the_scheduler_fails_without_a_recent_heartbeat(app, client):
    answer = client.get("/healthz?scheduler=1")
    assert answer.status_code == 503
    assert "no heartbeat yet" in answer.json["checks"]["scheduler"]["detail"]
    with app.app_context():
        beat(get_session())
        get_session().commit()
    assert client.get("/healthz?scheduler=1").status_code == 200
    with clock.frozen(clock.now() + timedelta(minutes=5)):
        stale = client.get("/healthz?scheduler=1")
    assert stale.status_code == 503
    assert "stale after 120 s" in stale.json["checks"]["scheduler"]["detail"]
    assert client.get("/healthz").status_code == 200  # the web probe does not ask about it


def test_static_files_are_fingerprinted_and_cached_for_a_year(client):
    page = client.get("/login").get_data(as_text=True)
    assert "/static/css/app.css?v=" in page
    url = page.split('href="/static/css/app.css?v=', 1)[1].split('"', 1)[0]
    with client.get(f"/static/css/app.css?v={url}") as fingerprinted:
        assert fingerprinted.status_code == 200
        control = fingerprinted.headers["Cache-Control"]
    assert "max-age=31536000" in control and "immutable" in control and "public" in control
    with client.get("/static/css/app.css?v=stale") as other:
        assert "max-age=31536000" not in other.headers.get("Cache-Control", "")
    with client.get("/static/js/field/store.js") as module:  # imported by a plain path
        assert "immutable" not in module.headers.get("Cache-Control", "")
    field_page = client.get("/field/sw.js").get_data(as_text=True)
    assert '/static/js/field/main.js"' in field_page and "/static/css/app.css?v=" in field_page


def test_text_answers_are_compressed_when_the_browser_accepts_it(client):
    plain = client.get("/login")
    assert "Content-Encoding" not in plain.headers
    packed = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert "Accept-Encoding" in packed.headers["Vary"]
    with client.get("/static/css/app.css", headers={"Accept-Encoding": "br, gzip"}) as css:
        assert css.headers.get("Content-Encoding") == "br"
        packed_css = css.get_data()
    with client.get("/static/css/app.css") as css:
        assert brotli.decompress(packed_css) == css.get_data()
    with client.get("/static/icons/icon-192.png", headers={"Accept-Encoding": "gzip"}) as icon:
        assert "Content-Encoding" not in icon.headers  # already compressed
