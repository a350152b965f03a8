"""Follow the README's production steps word for word on a fresh checkout, and check that the
interface comes up in Chinese.

    python tests/readme_production.py [--keep]

Runs as root on a Debian machine with PostgreSQL at TEST_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/postgres). The repository's last commit is cloned into a
fresh folder, and the three shell blocks of the README's Production section (marked
`<!-- production:install -->`, `setup` and `run`) are run as they are, with two substitutions
only: the checkout's folder for `/srv/inspection`, and a folder of the run's own for
`/etc/inspection`. Between install and setup the script edits the settings file as the README
asks a person to (a new database, a secret, the address); the password `create-admin` asks for
is typed on its standard input. The run block's two commands are started as the systemd units
would start them (in the checkout, with the settings file's environment).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Not containing the user name (admin), which the password rules refuse.
PASSWORD = "Readme-Prod-2026"


def blocks(readme: str) -> dict[str, str]:
    """The shell blocks of the Production section, by their marker."""
    found = dict(re.findall(r"<!-- production:(\w+) -->\n```sh\n(.*?)```", readme, re.S))
    missing = {"install", "setup", "run"} - set(found)
    if missing:
        raise SystemExit(f"the README has no production block {', '.join(sorted(missing))}")
    return found


def run_block(name: str, script: str, *, cwd: Path, stdin: str = "") -> None:
    print(f"=== {name}\n{script}", flush=True)
    subprocess.run(["bash", "-euxc", script], cwd=cwd, input=stdin, text=True, check=True)


def settings(path: Path) -> dict[str, str]:
    """The variables the settings file sets, as `set -a; . FILE` would."""
    values = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def edit(path: Path, changes: dict[str, str]) -> None:
    text = path.read_text()
    for key, value in changes.items():
        text, count = re.subn(rf"^{key}=.*$", f"{key}={value}", text, flags=re.M)
        if not count:
            raise SystemExit(f"the settings example has no {key}")
    path.write_text(text)


def main() -> None:
    keep = "--keep" in sys.argv
    work = Path(tempfile.mkdtemp(prefix="readme-production-"))
    checkout, etc = work / "inspection", work / "etc"
    database = f"readme_{uuid.uuid4().hex[:8]}"
    admin = SERVER.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    processes: list[subprocess.Popen] = []
    try:
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(checkout)], check=True)
        steps = {
            name: script.replace("/srv/inspection", str(checkout)).replace(
                "/etc/inspection", str(etc)
            )
            for name, script in blocks((checkout / "README.md").read_text()).items()
        }
        run_block("install", steps["install"], cwd=checkout)

        port = 18000 + secrets.randbelow(1000)
        env_file = etc / "inspection.env"
        edit(
            env_file,
            {
                "DATABASE_URL": admin.rsplit("/", 1)[0] + f"/{database}",
                "INSPECTION_SECRET_KEY": secrets.token_hex(32),
                "INSPECTION_PUBLIC_URL": f"http://127.0.0.1:{port}",
                "INSPECTION_SESSION_COOKIE_SECURE": "false",  # this check talks plain HTTP
                "INSPECTION_FILES_DIR": str(work / "files"),
                "INSPECTION_INSTANCE_PATH": str(work / "instance"),
            },
        )
        run_block("setup", steps["setup"], cwd=checkout, stdin=f"{PASSWORD}\n{PASSWORD}\n")

        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("INSPECTION_", "VIRTUAL_ENV")) and key != "DATABASE_URL"
        }
        environment |= settings(env_file) | {"GUNICORN_BIND": f"127.0.0.1:{port}"}
        for line in steps["run"].strip().splitlines():
            print(f"=== run: {line}", flush=True)
            processes.append(subprocess.Popen(line.split(), cwd=checkout, env=environment))
        check(f"http://127.0.0.1:{port}", processes)
        print("The README's production steps give a Chinese interface.")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def check(base: str, processes: list[subprocess.Popen]) -> None:
    """The login page and the administrator's first page in Chinese; the scheduler alive."""
    deadline = time.monotonic() + 180
    with httpx.Client(base_url=base, timeout=30) as client:

        def loopback_is_trustworthy(_response) -> None:
            # Browsers send Secure cookies back to http://127.0.0.1 (a potentially trustworthy
            # origin), where the app marks its session cookie Secure; httpx does not by itself.
            for cookie in client.cookies.jar:
                cookie.secure = False

        client.event_hooks["response"] = [loopback_is_trustworthy]
        while True:
            if any(process.poll() is not None for process in processes):
                raise SystemExit("a process of the run block stopped")
            try:
                page = client.get("/login")
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        assert page.status_code == 200, page.status_code
        assert 'lang="zh' in page.text and "登录" in page.text, page.text[:500]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        logged_in = client.post(
            "/login",
            data={"username": "admin", "password": PASSWORD, "csrf_token": token},
            follow_redirects=True,
        )
        assert logged_in.status_code == 200 and "退出" in logged_in.text, logged_in.text[:800]
        while client.get("/healthz?scheduler=1").status_code != 200:
            if time.monotonic() > deadline:
                raise SystemExit("the scheduler wrote no heartbeat")
            time.sleep(2)


if __name__ == "__main__":
    main()
