"""Supervision benchmark: the dashboard, a filtered hazard list, the monthly report and a
100,000-row Excel export, over a county-sized database (PostgreSQL).

Loads 1,000,000 hazards over 5,000 enterprises (three years; 3% still open), fills the summary
tallies the way `flask stats rebuild` does, and prints, in one run:
- the dashboard's server time (median of 20 requests) and a filtered hazard-list page's, beside
  a plain SQL aggregate over the hazard table as the baseline (targets: the dashboard at most
  half the baseline and under 50 ms, the list under 30 ms);
- the monthly supervision report for a month with 500 hazards and 20 photos: WeasyPrint's time
  and peak memory beside headless Chromium printing the same HTML (targets: at most 1.5 times
  Chromium's time, under 400 MB);
- the peak memory of exporting 10,000 and 100,000 rows to Excel (flat: about the same).

Run with `make bench` or `.venv/bin/python bench/supervision.py [--hazards N] [--keep FOLDER]`.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from PIL import Image  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "bench_supervision"
TODAY = date(2026, 11, 20)
REPORT_MONTH = date(2026, 10, 1)
REPORT_HAZARDS = 500
REPORT_MAJOR_WITH_PHOTOS = 10  # before and after: 20 photos
ENTERPRISES = 5000
ZONES = 10
INSPECTORS = 40
INDUSTRIES = ("机械", "化工", "五金", "木制品", "食品", "印刷", "光伏", "生物医疗", "纺织", "电子")
CATEGORIES = ("safety", "fire", "electrical", "equipment", "environment", "process", "layout")
SOURCES = ("routine", "special", "random", "seasonal", "pre_holiday", "third_party")
HAZARD_COLUMNS = [
    "id",
    "uuid",
    "number",
    "enterprise_id",
    "inspection_id",
    "title",
    "location",
    "level",
    "category",
    "source",
    "handling",
    "state",
    "deadline",
    "original_deadline",
    "found_at",
    "found_by_id",
    "assigned_inspector_id",
    "closed_at",
    "closed_on_time",
    "funding_yuan",
    "created_at",
    "updated_at",
    "version",
    "stop_production",
    "basis",
    "registrant_duty",
]


def app_for(url: str, files: str):
    from inspection import create_app

    return create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "FILES_DIR": files, "WTF_CSRF_ENABLED": False}
    )


def url_of(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


# --- the data ---------------------------------------------------------------------------------


def fill(app, count: int) -> None:
    """A park of 5,000 enterprises and `count` hazards."""
    import inspection.models  # noqa: F401
    from inspection.auth.services import create_user
    from inspection.db import get_session
    from inspection.enterprises.models import Enterprise
    from inspection.enterprises.models import Zone
    from inspection.inspections.models import Inspection
    from inspection.parks.models import Park

    engine = app.extensions["engine"]
    SQLModel.metadata.create_all(engine)
    rng = random.Random(2026)
    with app.app_context():
        s = get_session()
        park = Park(
            name="基准县经济开发区", notice_prefix="基准", authority="基准县经济开发区管理委员会"
        )
        s.add(park)
        s.flush()
        zones = [Zone(park_id=park.id, name=f"第{n + 1}园区") for n in range(ZONES)]
        s.add_all(zones)
        s.flush()
        s.execute(
            Enterprise.__table__.insert(),
            [
                {
                    "park_id": park.id,
                    "zone_id": zones[n % ZONES].id,
                    "name": f"基准{INDUSTRIES[n % len(INDUSTRIES)]}企业{n:04d}有限公司",
                    "credit_code": f"B{n:017d}",
                    "industry": INDUSTRIES[n % len(INDUSTRIES)],
                    "scale": "small",
                    "discharge_permit": "none",
                    "active": True,
                    "created_at": datetime(2023, 1, 1, tzinfo=UTC),
                    "updated_at": datetime(2023, 1, 1, tzinfo=UTC),
                    "version": 1,
                    **{
                        f"risk_{flag}": False
                        for flag in (
                            "dust",
                            "confined_space",
                            "ammonia_refrigeration",
                            "hazardous_chemicals",
                            "major_hazard_source",
                            "hazardous_waste",
                        )
                    },
                }
                for n in range(ENTERPRISES)
            ],
        )
        create_user(
            s, username="leader", display_name="监管领导", password="bench1234", role="supervisor"
        )
        inspectors = [
            create_user(
                s,
                username=f"i{n}",
                display_name=f"检查员{n:02d}",
                password="bench1234",
                role="inspector",
            )
            for n in range(INSPECTORS)
        ]
        s.commit()
        enterprise_ids = [
            row[0] for row in s.execute(text("SELECT id FROM enterprise ORDER BY id"))
        ]
        inspector_ids = [u.id for u in inspectors]
        # The report month's inspections: one per 5 hazards.
        month_inspections = []
        for n in range(REPORT_HAZARDS // 5):
            inspection = Inspection(
                enterprise_id=enterprise_ids[n * 17 % ENTERPRISES],
                type="routine",
                status="completed",
                planned_date=REPORT_MONTH + timedelta(days=n % 28),
                created_by_id=inspector_ids[n % INSPECTORS],
            )
            s.add(inspection)
            month_inspections.append(inspection)
        s.flush()
        month_inspections = [(i.id, i.enterprise_id, i.planned_date) for i in month_inspections]
        s.commit()
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY hazard ({', '.join(HAZARD_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in hazard_rows(count, rng, enterprise_ids, inspector_ids, month_inspections):
                copy.write_row(row)
        raw.commit()
        with raw.cursor() as cursor:
            cursor.execute("SELECT setval('hazard_id_seq', %s)", (count,))
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    print(f"  loaded {count:,} hazards in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    with app.app_context():
        from inspection.statistics.tally import rebuild

        s = get_session()
        cells = rebuild(s)
        s.commit()
        print(f"  built {cells:,} tally cells in {time.perf_counter() - started:.0f} s")
        first_major = (
            s.execute(
                text(
                    "SELECT id FROM hazard WHERE level = 'major' AND found_at >= :start"
                    " AND found_at < :end ORDER BY found_at, id LIMIT :n"
                ),
                {
                    "start": datetime(2026, 9, 30, 16, tzinfo=UTC),
                    "end": datetime(2026, 10, 31, 16, tzinfo=UTC),
                    "n": REPORT_MAJOR_WITH_PHOTOS,
                },
            )
            .scalars()
            .all()
        )
        add_photos(s, first_major, app.config["FILES_DIR"], inspector_ids[0])
        s.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def hazard_rows(count, rng, enterprise_ids, inspector_ids, month_inspections):
    """Three years of hazards; exactly REPORT_HAZARDS found in the report month."""
    start = datetime(2023, 11, 21, tzinfo=UTC)
    span = (datetime(2026, 11, 20, tzinfo=UTC) - start).total_seconds()
    month_start = datetime(2026, 9, 30, 16, tzinfo=UTC)  # 1 October, Shanghai
    month_end = datetime(2026, 10, 31, 16, tzinfo=UTC)
    month_left = REPORT_HAZARDS
    for n in range(1, count + 1):
        if month_left and n % (count // REPORT_HAZARDS) == 0:
            found = month_start + timedelta(seconds=rng.random() * 30 * 86400)
            inspection_id, enterprise_id, _day = month_inspections[(month_left - 1) // 5]
            month_left -= 1
        else:
            found = start + timedelta(seconds=rng.random() * span)
            if month_start <= found < month_end:
                found -= timedelta(days=40)
            inspection_id, enterprise_id = None, rng.choice(enterprise_ids)
        major = rng.random() < 0.03 or (
            month_left
            and n % (count // REPORT_HAZARDS) == 0
            and month_left < REPORT_MAJOR_WITH_PHOTOS * 3
        )
        deadline = (found + timedelta(days=7 if major else 15)).date()
        age = (datetime(2026, 11, 20, tzinfo=UTC) - found).days
        open_ = rng.random() < (0.5 if age < 30 else 0.02)
        closed_at = None if open_ else found + timedelta(days=rng.randint(2, 25))
        if closed_at and closed_at > datetime(2026, 11, 20, tzinfo=UTC):
            closed_at, open_ = None, True
        state = (
            rng.choice(("issued", "acknowledged", "rectifying", "submitted")) if open_ else "closed"
        )
        inspector = rng.choice(inspector_ids)
        yield (
            n,
            str(uuid.UUID(int=rng.getrandbits(128))),
            f"YH-B-{n:07d}",
            enterprise_id,
            inspection_id,
            rng.choice(
                ("消防通道堵塞", "配电箱未上锁", "灭火器过期", "安全出口被占用", "危化品存放不规范")
            ),
            rng.choice(("一号车间", "仓库", "罐区", "配电房", "办公楼")),
            "major" if major else "general",
            rng.choice(CATEGORIES),
            rng.choice(SOURCES),
            "deadline",
            state,
            deadline,
            deadline,
            found,
            inspector,
            inspector,
            closed_at,
            None if closed_at is None else closed_at.date() <= deadline,
            None if closed_at is None else rng.randrange(0, 50_000, 500),
            found,
            found,
            1,
            False,
            "应急管理部令第10号 第十一条" if major else None,
            "other",
        )


def add_photos(session, hazard_ids, files_dir, user_id) -> None:
    """A photo as found and one after rectification for each hazard (real JPEGs)."""
    from inspection.evidence.models import Photo
    from inspection.evidence.photos import derivative
    from inspection.storage import ContentStore
    from inspection.storage.local import LocalStorage

    store = ContentStore(LocalStorage(files_dir))
    rng = random.Random(7)
    for hazard_id in hazard_ids:
        enterprise_id = session.execute(
            text("SELECT enterprise_id FROM hazard WHERE id = :id"), {"id": hazard_id}
        ).scalar()
        for kind in ("before", "after"):
            noise = Image.effect_noise((4000, 3000), 40).convert("RGB")
            tint = Image.new("RGB", noise.size, (rng.randrange(256), rng.randrange(256), 90))
            out = io.BytesIO()
            Image.blend(noise, tint, 0.5).save(out, "JPEG", quality=90)
            sha = store.put(out.getvalue())
            store.put_variant(sha, "display", derivative(out.getvalue(), 1600))
            session.add(
                Photo(
                    sha256=sha,
                    content_type="image/jpeg",
                    width=4000,
                    height=3000,
                    size_bytes=len(out.getvalue()),
                    kind=kind,
                    enterprise_id=enterprise_id,
                    hazard_id=hazard_id,
                    uploaded_by_id=user_id,
                )
            )


# --- the measurements ---------------------------------------------------------------------------


def median_ms(work, runs: int = 20) -> float:
    work()  # warm up: connections, compiled queries, cached charts
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def pages(app, ids: dict) -> None:
    from inspection import clock

    client = app.test_client()
    with clock.frozen(datetime(2026, 11, 20, 1, tzinfo=UTC)):
        client.post("/login", data={"username": "leader", "password": "bench1234"})

        def dashboard():
            response = client.get("/dashboard")
            assert response.status_code == 200, response.status_code

        list_url = f"/hazards/?state=overdue&zone={ids['zone']}"

        def hazard_list():
            response = client.get(list_url)
            assert response.status_code == 200

        engine = app.extensions["engine"]

        def baseline():
            with engine.connect() as connection:
                connection.execute(
                    text(
                        "SELECT count(*), count(*) FILTER (WHERE state = 'closed'),"
                        " count(*) FILTER (WHERE level = 'major') FROM hazard"
                    )
                ).one()

        def dashboard_after_a_change():
            # As on the first view after a hazard changed: today's standing counted afresh.
            app.extensions.get("standing", {}).clear()
            dashboard()

        base = median_ms(baseline)
        board = median_ms(dashboard)
        fresh = median_ms(dashboard_after_a_change)
        listing = median_ms(hazard_list)
    print(f"  baseline, one SQL aggregate over the hazard table: {base:6.1f} ms (median of 20)")
    print(
        f"  dashboard (/dashboard):                            {board:6.1f} ms"
        f"  = {board / base:.2f} × baseline (target ≤ 0.5 and < 50 ms)"
    )
    print(
        f"  dashboard, the first view after a hazard changed:  {fresh:6.1f} ms"
        f"  = {fresh / base:.2f} × baseline"
    )
    print(f"  filtered list ({list_url}):       {listing:6.1f} ms  (target < 30 ms)")


CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})
from datetime import datetime, UTC
from inspection import create_app, clock


def peak_mib():
    # VmHWM is this process's own peak resident memory (ru_maxrss would carry the parent's
    # peak over the exec).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024


app = create_app({{"DATABASE_URL": {url!r}, "SECRET_KEY": "bench", "FILES_DIR": {files!r},
                  "WTF_CSRF_ENABLED": False}})
task = {task!r}
with clock.frozen(datetime(2026, 11, 20, 1, tzinfo=UTC)), app.test_request_context():
    from inspection.db import get_session
    session = get_session()
    if task == "report":
        # Loaded once by a running app; not part of a report's time.
        from flask import render_template
        from inspection.reports import supervision
        from inspection.reports.pdf import render_document
        from inspection.statistics.periods import Period
        start_mib = peak_mib()
        started = time.perf_counter()
        context = supervision.context(session, Period.parse("2026-10", clock.today()))
        pdf, pages = render_document("reports/supervision.html", **context)
        job = time.perf_counter() - started
        # HTML to PDF alone, best of three, as Chromium is timed.
        renders = []
        for _ in range(3):
            started = time.perf_counter()
            render_document("reports/supervision.html", **context)
            renders.append(time.perf_counter() - started)
        open({out!r}, "wb").write(pdf)
        html = render_template("reports/supervision.html", **context)
        open({out!r} + ".html", "w").write(html)
        json.dump(context["charts"], open({out!r} + ".charts.json", "w"))
        result = {{"job": job, "seconds": min(renders), "pages": pages, "bytes": len(pdf),
                  "hazards": len(context["hazards"]),
                  "photos": sum(len(v) for s in context["photos"].values() for v in s.values())}}
    else:
        client = app.test_client()
        client.post("/login", data={{"username": "leader", "password": "bench1234"}})
        rows = int(task.split(":")[1])
        url = "/hazards/export.xlsx?state=closed&found_from=2023-01-01"
        import inspection.hazards.export as export
        original = export.rows_for
        def limited(stmt, batch=1000):
            return original(stmt.limit(rows), batch=batch)
        export.rows_for = limited
        start_mib = peak_mib()
        started = time.perf_counter()
        with client.get(url) as response:
            size = sum(len(chunk) for chunk in response.response)
        result = {{"seconds": time.perf_counter() - started, "rows": rows, "bytes": size}}
print(json.dumps({{**result, "peak_mib": peak_mib(), "start_mib": start_mib}}))
"""


def in_child(url: str, files: str, task: str, out: str = "") -> dict:
    """Run a task in a fresh Python, so its peak memory is its own."""
    code = CHILD.format(root=str(ROOT), url=url, files=files, task=task, out=out)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def chromium_time(html_path: str, files: str) -> float:
    """Headless Chromium printing the same HTML (photos and stylesheet as local files)."""
    from playwright.sync_api import sync_playwright

    html = Path(html_path).read_text()
    static = ROOT / "inspection" / "static"

    def photo(match):
        from inspection.storage.content import content_key
        from inspection.storage.local import LocalStorage

        key = content_key(match.group(1), match.group(2))
        return "file://" + str(LocalStorage(files).path(key))

    html = re.sub(r"photo:([0-9a-f]+)/(\w+)", photo, html)
    charts = json.loads(Path(html_path[: -len(".html")] + ".charts.json").read_text())
    for name, svg in charts.items():
        chart_file = Path(f"{html_path}.{name}.svg")
        chart_file.write_text(svg)
        html = html.replace(f'src="chart:{name}"', f'src="{chart_file.as_uri()}"')
    html = html.replace('href="static:css/', f'href="file://{static}/css/')
    page_file = Path(html_path + ".chromium.html")
    page_file.write_text(html)
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=["--allow-file-access-from-files"]
        )
        page = browser.new_page()
        times = []
        for _ in range(3):
            started = time.perf_counter()
            page.goto(page_file.as_uri(), wait_until="load")
            page.pdf(format="A4", print_background=True, path=html_path + ".chromium.pdf")
            times.append(time.perf_counter() - started)
        browser.close()
    return min(times)


def report_and_exports(url: str, files: str, folder: str) -> None:
    out = f"{folder}/report.pdf"
    report = in_child(url, files, "report", out)
    chromium = chromium_time(out + ".html", files)
    print(
        f"  monthly report: {report['pages']} pages, {report['hazards']} hazards,"
        f" {report['photos']} photos; the whole job (reading, photos, PDF) {report['job']:.2f} s"
    )
    print(
        f"  HTML to PDF, best of 3: WeasyPrint {report['seconds']:5.2f} s,"
        f" headless Chromium {chromium:5.2f} s → {report['seconds'] / chromium:.2f} × Chromium"
        f" (target ≤ 1.5)"
    )
    print(
        f"  peak memory of the report process: {report['peak_mib']:.0f} MiB"
        f" ({report['start_mib']:.0f} MiB with the app loaded; target < 400 MiB)"
    )
    small = in_child(url, files, "export:10000")
    large = in_child(url, files, "export:100000")
    print(
        f"  Excel export, 10,000 rows:  {small['seconds']:5.1f} s, peak {small['peak_mib']:.0f} MiB"
        f" ({small['bytes'] / 1e6:.1f} MB)"
    )
    print(
        f"  Excel export, 100,000 rows: {large['seconds']:5.1f} s, peak {large['peak_mib']:.0f} MiB"
        f" ({large['bytes'] / 1e6:.1f} MB) → memory × {large['peak_mib'] / small['peak_mib']:.2f}"
        " for 10 × the rows"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument(
        "--keep",
        metavar="FOLDER",
        help="load once into a database kept with its photos in FOLDER; later runs reuse it",
    )
    args = parser.parse_args()
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        print(f"PostgreSQL is not reachable at {PG_ADMIN}; this benchmark needs it.")
        return
    url = url_of(DATABASE)
    reuse = bool(args.keep) and Path(args.keep, "loaded").exists()
    if not reuse:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    try:
        with tempfile.TemporaryDirectory() as scratch:
            folder = args.keep or scratch
            Path(folder).mkdir(parents=True, exist_ok=True)
            files = f"{folder}/files"
            app = app_for(url, files)
            print(f"PostgreSQL, {args.hazards:,} hazards over {ENTERPRISES:,} enterprises:")
            if reuse:
                print(f"  (reusing the database loaded before, with {folder})")
            else:
                fill(app, args.hazards)
                Path(folder, "loaded").touch()
            pages(app, {"zone": 3})
            app.extensions["engine"].dispose()
            report_and_exports(url, files, folder)
    finally:
        if not args.keep:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.close()


if __name__ == "__main__":
    main()
