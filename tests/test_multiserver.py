"""Several app servers: two gunicorn instances and the scheduler as separate processes, sharing
PostgreSQL and an S3 bucket (moto in server mode), each with a files folder of its own that
must stay empty. A user logged in on one is logged in on the other (the same secret key); a
photo uploaded through one is served by the other; a report built by the scheduler is
downloaded from a web instance; a photo sent in pieces starts on one and finishes on the other.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from inspection import create_app
from inspection.evidence.models import Photo
from tests import s3server
from tests.factories import Factory
from tests.factories import image_bytes
from tests.loopback import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "the-same-secret-on-every-server"

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def deployment(new_database, tmp_path):
    """The shared database with a park in it, a bucket, two web servers and a scheduler."""
    url = new_database()
    with s3server.s3_server() as endpoint:
        bucket = s3server.new_bucket(endpoint)
        setup = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": SECRET, "FILES_DIR": str(tmp_path / "setup")}
            | bucket
        )
        from sqlmodel import SQLModel

        SQLModel.metadata.create_all(setup.extensions["engine"])
        make = Factory(setup)
        world = make.world()
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("INSPECTION_") and key != "DATABASE_URL"
        } | {
            "DATABASE_URL": url,
            "INSPECTION_SECRET_KEY": SECRET,
            "INSPECTION_PUBLIC_URL": "https://inspection.example.gov.cn",
            "INSPECTION_STORAGE": "s3",
            "INSPECTION_REPORT_INTERVAL_SECONDS": "1",
            "INSPECTION_HEARTBEAT_SECONDS": "2",
            "PYTHONUNBUFFERED": "1",
            **{f"INSPECTION_{key}": value for key, value in bucket.items() if key != "STORAGE"},
        }
        processes, servers = [], []
        try:
            for name in ("a", "b"):
                port = free_port()
                env = environment | {
                    "INSPECTION_INSTANCE_PATH": str(tmp_path / f"instance-{name}"),
                    "INSPECTION_FILES_DIR": str(tmp_path / f"files-{name}"),
                }
                command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"]
                command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"]
                processes.append(_start(command, env, tmp_path / f"web-{name}.log"))
                servers.append(f"http://127.0.0.1:{port}")
            env = environment | {
                "INSPECTION_INSTANCE_PATH": str(tmp_path / "instance-scheduler"),
                "INSPECTION_FILES_DIR": str(tmp_path / "files-scheduler"),
            }
            command = [sys.executable, "-m", "scheduler"]
            processes.append(_start(command, env, tmp_path / "scheduler.log"))
            for server in servers:
                _wait_until_up(server, processes, tmp_path)
            yield servers, world, make, bucket, tmp_path
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
            setup.extensions["engine"].dispose()


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as handle:  # the child keeps its own copy of the file
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)


def _logs(tmp_path: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in tmp_path.glob("*.log"))


def _wait_until_up(server: str, processes, tmp_path: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            break
        try:
            if httpx.get(f"{server}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{server} did not come up:\n{_logs(tmp_path)}")


OPEN: list[httpx.Client] = []


def _client(server: str, **options) -> httpx.Client:
    client = httpx.Client(base_url=server, timeout=60, **options)

    def loopback_is_trustworthy(_response) -> None:
        # As browsers do, send Secure cookies back to http://127.0.0.1 (a potentially
        # trustworthy origin), where the app marks its session cookie Secure.
        for cookie in client.cookies.jar:
            cookie.secure = False

    client.event_hooks["response"] = [loopback_is_trustworthy]
    OPEN.append(client)
    return client


@pytest.fixture(autouse=True)
def _close_clients():
    yield
    while OPEN:
        OPEN.pop().close()


def _log_in(server: str, username: str) -> httpx.Client:
    client = _client(server)
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(
        "/login", data={"username": username, "password": "password123", "csrf_token": token}
    )
    assert answer.status_code == 302, answer.text[:300]
    return client


def _other(client: httpx.Client, server: str) -> httpx.Client:
    """The same browser (its cookies) talking to another server."""
    return _client(server, cookies=client.cookies)


def _token(client: httpx.Client) -> dict:
    return {"X-CSRFToken": client.get("/api/v1/session").json()["csrf_token"]}


def test_two_app_servers_and_a_scheduler_share_the_database_and_the_bucket(deployment):
    (server_a, server_b), world, make, bucket, tmp_path = deployment
    inspection = make.inspection(world.ours, world.inspector)

    # Logged in on A, the same session works on B.
    on_a = _log_in(server_a, world.inspector.username)
    on_b = _other(on_a, server_b)
    assert on_b.get("/api/v1/session").json()["id"] == world.inspector.id

    # A photo uploaded through A is served by B.
    picture = image_bytes(size=(640, 480), noise=True)
    posted = on_a.post(
        f"/inspections/{inspection.id}/hazards/new",
        data={"title": "配电箱未上锁", "level": "general", "category": "electrical"},
        files={"photos": ("site.jpg", io.BytesIO(picture), "image/jpeg")},
        headers=_token(on_a),
    )
    assert posted.status_code == 302, posted.text[:500]
    with make.session() as s:
        (photo,) = s.exec(select(Photo)).all()
    served = on_b.get(f"/photos/{photo.id}/original")
    assert served.status_code == 200 and served.content == picture
    assert on_b.get(f"/photos/{photo.id}/thumb").headers["Content-Type"] == "image/jpeg"

    # A photo sent in pieces starts on A and finishes on B.
    second = image_bytes(size=(300, 200), noise=True)
    photo_id = str(uuid.uuid4())
    announced = on_a.post(
        "/api/v1/photos",
        json={
            "id": photo_id,
            "inspection": inspection.id,
            "size": len(second),
            "sha256": hashlib.sha256(second).hexdigest(),
        },
        headers=_token(on_a),
    )
    assert announced.status_code == 201, announced.text

    def piece(client: httpx.Client, start: int, end: int):
        return client.put(
            f"/api/v1/photos/{photo_id}/content",
            content=second[start : end + 1],
            headers={
                "Content-Range": f"bytes {start}-{end}/{len(second)}",
                "Content-Type": "application/octet-stream",
                **_token(client),
            },
        )

    assert piece(on_a, 0, 4095).json()["received"] == 4096
    finished = piece(on_b, 4096, len(second) - 1).json()
    assert finished["complete"] is True
    assert on_a.get(finished["thumb"]).status_code == 200
    assert s3server.keys(bucket, "partial/") == []

    # A report asked for on B is built by the scheduler and downloaded from A.
    portal_b = _log_in(server_b, world.ours_user.username)
    asked = portal_b.post(f"/reports/ledger/{world.ours.id}", headers=_token(portal_b))
    assert asked.status_code == 302, asked.text[:300]
    job_id = int(asked.headers["Location"].rsplit("/", 1)[1])
    portal_a = _other(portal_b, server_a)
    deadline = time.monotonic() + 240
    while (status := portal_a.get(f"/reports/{job_id}/status").json())["status"] != "done":
        assert status["status"] != "failed", status
        assert time.monotonic() < deadline, f"{status}\n{_logs(tmp_path)}"
        time.sleep(1)
    pdf = portal_a.get(status["download"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert len(s3server.keys(bucket, "reports/")) == 1

    # The scheduler's heartbeat reaches every server; nothing was written to a files folder.
    assert httpx.get(f"{server_b}/healthz?scheduler=1", timeout=30).status_code == 200
    for name in ("a", "b", "scheduler"):
        folder = tmp_path / f"files-{name}"
        assert not folder.exists() or not any(folder.rglob("*")), name
