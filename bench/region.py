"""Region benchmark: one deployment for a province's hundred parks (PostgreSQL).

Loads a region of 100 parks with 50,000 enterprises and 5,000,000 hazards over three years (3%
still open), fills the summary tallies as `flask stats rebuild` would (here with one SQL
statement per dimension, which computes the same cells), and prints, in one run:
- one park's dashboard, served to that park's supervisor (target < 50 ms);
- the region's comparison of its parks, served to the county bureau's supervisor (< 200 ms);
- one park's filtered hazard list (< 30 ms);
each the median of 20 requests, beside a plain SQL aggregate over the hazard table (the count of
found, closed and major hazards by park) measured in the same run.

Run with `make bench` or `.venv/bin/python bench/region.py [--hazards N] [--keep]`; `--keep`
loads once into the database `bench_region` and reuses it on later runs, migrated to the latest
revision with Alembic as a deployment would be (a load cut short is not reused: it is redone).
The load takes 30 to 50 minutes on a busy 2-core machine: the hazards go in by COPY with their
secondary indexes and constraints built afterwards, then the tallies, then ANALYZE.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
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
from sqlalchemy import text  # noqa: E402

from bench.supervision import PG_ADMIN  # noqa: E402
from bench.supervision import url_of  # noqa: E402

DATABASE = "bench_region"
# The table a finished load leaves behind, with the number of hazards loaded.
MARKER = "bench_region_loaded"
TODAY = datetime(2026, 11, 20, 1, tzinfo=UTC)  # 09:00 in Shanghai
PARKS = 100
ZONES_PER_PARK = 5
ENTERPRISES_PER_PARK = 500
INSPECTORS_PER_PARK = 4
INDUSTRIES = ("机械", "化工", "五金", "木制品", "食品", "印刷", "光伏", "生物医疗", "纺织", "电子")
CATEGORIES = ("safety", "fire", "electrical", "equipment", "environment", "process", "layout")
SOURCES = ("routine", "special", "random", "seasonal", "pre_holiday", "third_party")
TITLES = ("消防通道堵塞", "配电箱未上锁", "灭火器过期", "安全出口被占用", "危化品存放不规范")
PLACES = ("一号车间", "仓库", "罐区", "配电房", "办公楼")
COLUMNS = (
    "id",
    "uuid",
    "number",
    "park_id",
    "enterprise_id",
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
)
PASSWORD = "bench1234"


def app_for(url: str, files: str):
    from inspection import create_app

    return create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "FILES_DIR": files, "WTF_CSRF_ENABLED": False}
    )


def catch_up_schema(app) -> list[str]:
    """Bring a database kept from an earlier load up to today's models without reloading it.
    One loaded through the migrations (it has alembic_version) is migrated to head; one made
    with create_all gets the tables and indexes added since, and new columns (nullable, left
    empty: the benchmarks do not read them). Returns what was done."""
    from sqlalchemy import inspect
    from sqlalchemy.schema import CreateColumn
    from sqlmodel import SQLModel

    import inspection.models  # noqa: F401
    from inspection.migrate import upgrade_database

    engine = app.extensions["engine"]
    with engine.connect() as connection:
        migrated = inspect(connection).has_table("alembic_version")
    if migrated:
        upgrade_database(app)
        return ["migrated to head"]
    built = []
    with engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if not inspect(connection).has_table(table.name):
                table.create(connection)
                built.append(table.name)
                continue
            columns = {c["name"] for c in inspect(connection).get_columns(table.name)}
            for column in table.columns:
                if column.name not in columns:
                    ddl = CreateColumn(column).compile(dialect=connection.dialect)
                    ddl = str(ddl).replace(" NOT NULL", "")
                    connection.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN {ddl}'))
                    built.append(f"{table.name}.{column.name}")
            existing = {i["name"] for i in inspect(connection).get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in existing:
                    index.create(connection)
                    built.append(index.name)
    return built


# --- the data ---------------------------------------------------------------------------------


def fill(app, count: int) -> None:
    """The region, its parks, zones, enterprises and people, then `count` hazards by COPY."""
    from argon2 import PasswordHasher

    import inspection.models  # noqa: F401
    from inspection.auth import passwords
    from inspection.auth.services import create_user
    from inspection.db import get_session
    from inspection.enterprises.models import Enterprise
    from inspection.enterprises.models import Zone
    from inspection.parks.models import Park
    from inspection.parks.models import Region

    # The same algorithm at low cost: 400 accounts are made, not logged into.
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    from inspection.migrate import upgrade_database

    engine = app.extensions["engine"]
    # The schema as a deployment has it, through the migrations: a kept database is then brought
    # up to date by the same command on later runs (see main) rather than reloaded.
    upgrade_database(app)
    started = time.perf_counter()
    with app.app_context():
        s = get_session()
        region = Region(name="基准省", authority="基准省应急管理厅")
        s.add(region)
        s.flush()
        create_user(
            s,
            username="bureau",
            display_name="省厅监管",
            password=PASSWORD,
            role="supervisor",
            region_id=region.id,
        )
        enterprises: dict[int, list[int]] = {}
        inspectors: dict[int, list[int]] = {}
        for p in range(PARKS):
            park = Park(
                region_id=region.id,
                name=f"基准第{p + 1:03d}园区",
                short_name=f"园区{p + 1:03d}",
                notice_prefix=f"基{p + 1:03d}",
            )
            s.add(park)
            s.flush()
            zones = [Zone(park_id=park.id, name=f"第{z + 1}区块") for z in range(ZONES_PER_PARK)]
            s.add_all(zones)
            s.flush()
            first = p * ENTERPRISES_PER_PARK
            s.execute(
                Enterprise.__table__.insert(),
                [
                    {
                        "park_id": park.id,
                        "zone_id": zones[n % ZONES_PER_PARK].id,
                        "name": f"基准{INDUSTRIES[n % len(INDUSTRIES)]}企业{first + n:05d}有限公司",
                        "credit_code": f"R{first + n:017d}",
                        "industry": INDUSTRIES[n % len(INDUSTRIES)],
                        "scale": "small",
                        "discharge_permit": "none",
                        "active": True,
                        "created_at": datetime(2023, 1, 1, tzinfo=UTC),
                        "updated_at": datetime(2023, 1, 1, tzinfo=UTC),
                        "version": 1,
                        "risk_dust": False,
                        "risk_confined_space": False,
                        "risk_ammonia_refrigeration": False,
                        "risk_hazardous_chemicals": False,
                        "risk_major_hazard_source": False,
                        "risk_hazardous_waste": False,
                    }
                    for n in range(ENTERPRISES_PER_PARK)
                ],
            )
            if p == 0:
                create_user(
                    s,
                    username="leader",
                    display_name="第一园区领导",
                    password=PASSWORD,
                    role="supervisor",
                    park_id=park.id,
                )
            inspectors[park.id] = [
                create_user(
                    s,
                    username=f"i{p}-{n}",
                    display_name=f"检查员{p:03d}-{n}",
                    password=PASSWORD,
                    role="inspector",
                    park_id=park.id,
                ).id
                for n in range(INSPECTORS_PER_PARK)
            ]
        s.commit()
        for enterprise_id, park_id in s.execute(
            text("SELECT id, park_id FROM enterprise ORDER BY id")
        ):
            enterprises.setdefault(park_id, []).append(enterprise_id)
    print(f"  {PARKS} parks, {PARKS * ENTERPRISES_PER_PARK:,} enterprises in", _since(started))

    # The hazard table's secondary indexes, unique and foreign-key constraints are built after
    # the load, as a restore would: COPY then only appends rows and the primary key.
    with engine.begin() as connection:
        deferred = deferred_ddl(connection)
        for drop, _ in deferred:
            connection.execute(text(drop))
    started = time.perf_counter()
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        with (
            raw.cursor() as cursor,
            # occurrence (the how-many-th finding of the same problem) has no server default.
            cursor.copy(f"COPY hazard ({', '.join(COLUMNS)}, occurrence) FROM STDIN") as copy,
        ):
            for row in hazard_rows(count, enterprises, inspectors):
                copy.write_row((*row, 1))
        raw.commit()
        with raw.cursor() as cursor:
            cursor.execute("SELECT setval('hazard_id_seq', %s)", (count,))
        raw.commit()
    finally:
        raw.close()
    print(f"  {count:,} hazards copied in", _since(started))
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        for _, create in reversed(deferred):
            connection.execute(text(create))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE hazard"))
    print("  hazard indexes built in", _since(started))
    started = time.perf_counter()
    with engine.begin() as connection:
        cells = build_tallies(connection)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    print(f"  {cells:,} tally cells built in", _since(started))
    # Written last: a load cut short is not taken for a loaded database (see loaded()).
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE {MARKER} (hazards bigint NOT NULL)"))
        connection.execute(text(f"INSERT INTO {MARKER} VALUES (:count)"), {"count": count})


def deferred_ddl(connection) -> list[tuple[str, str]]:
    """(drop, create) statements for the hazard table's foreign keys, unique constraints and
    secondary indexes, read from the catalog so that they follow the migrations; the primary key
    stays. Constraints come first, so they are dropped first and created last."""
    constraints = connection.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'hazard'::regclass AND contype IN ('f', 'u')"
            " ORDER BY contype = 'u', conname"
        )
    ).all()
    indexes = connection.execute(
        text(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = 'hazard'::regclass AND NOT i.indisprimary AND NOT EXISTS"
            " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1"
        )
    ).all()
    return [
        (
            f'ALTER TABLE hazard DROP CONSTRAINT "{name}"',
            f'ALTER TABLE hazard ADD CONSTRAINT "{name}" {definition}',
        )
        for name, definition in constraints
    ] + [(f"DROP INDEX {name}", definition) for name, definition in indexes]


def hazard_rows(count: int, enterprises: dict[int, list[int]], inspectors: dict[int, list[int]]):
    """Three years of hazards spread evenly over the parks; recent ones are more often open."""
    rng = random.Random(2026)
    start = datetime(2023, 11, 21, tzinfo=UTC)
    span = (TODAY - start).total_seconds()
    parks = sorted(enterprises)
    for n in range(1, count + 1):
        park_id = parks[n % len(parks)]
        found = start + timedelta(seconds=rng.random() * span)
        major = rng.random() < 0.03
        deadline = (found + timedelta(days=7 if major else 15)).date()
        age = (TODAY - found).days
        open_ = rng.random() < (0.5 if age < 30 else 0.02)
        closed_at = None if open_ else found + timedelta(days=rng.randint(2, 25))
        if closed_at and closed_at > TODAY:
            closed_at, open_ = None, True
        state = (
            rng.choice(("issued", "acknowledged", "rectifying", "submitted")) if open_ else "closed"
        )
        inspector = rng.choice(inspectors[park_id])
        yield (
            n,
            str(uuid.UUID(int=rng.getrandbits(128))),
            f"YH-R-{n:08d}",
            park_id,
            rng.choice(enterprises[park_id]),
            rng.choice(TITLES),
            rng.choice(PLACES),
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


# The cells `statistics.tally` keeps, computed in SQL: the same per-hazard figures (local month
# found, closed or not, on time against the first deadline, days to close, funding), summed per
# park, dimension, month, key and level.
TALLY_SQL = """
INSERT INTO hazard_tally
  (park_id, dimension, month, key, level, found, closed, closed_on_time, close_days,
   funding_yuan)
SELECT h.park_id, :dimension, h.month, h.tally_key, h.level, count(*),
       count(*) FILTER (WHERE h.closed),
       count(*) FILTER (WHERE h.closed AND h.on_time),
       coalesce(sum(h.days) FILTER (WHERE h.closed), 0),
       coalesce(sum(h.funding) FILTER (WHERE h.closed), 0)
FROM (
  SELECT hz.park_id, hz.level, {key} AS tally_key,
         date_trunc('month', hz.found_at AT TIME ZONE 'Asia/Shanghai')::date AS month,
         hz.state = 'closed' AND hz.closed_at IS NOT NULL AS closed,
         (hz.closed_at AT TIME ZONE 'Asia/Shanghai')::date
           <= coalesce(hz.original_deadline, hz.deadline) AS on_time,
         greatest(0, (hz.closed_at AT TIME ZONE 'Asia/Shanghai')::date
           - (hz.found_at AT TIME ZONE 'Asia/Shanghai')::date) AS days,
         coalesce(hz.funding_yuan, 0) AS funding
  FROM hazard hz JOIN enterprise e ON e.id = hz.enterprise_id
  WHERE hz.state <> 'voided'
) h
GROUP BY h.park_id, h.month, h.tally_key, h.level
"""
KEYS = {
    "park": "''::text",
    "zone": "coalesce(e.zone_id::text, '')",
    "industry": "coalesce(e.industry, '')",
    "enterprise": "hz.enterprise_id::text",
    "inspector": "hz.found_by_id::text",
    "category": "hz.category",
    "source": "hz.source",
}


def build_tallies(connection) -> int:
    """Fill hazard_tally for every dimension; return the number of cells."""
    from inspection.statistics.tally import DIMENSIONS

    assert set(KEYS) == set(DIMENSIONS), "the benchmark's tally dimensions are out of date"
    connection.execute(text("DELETE FROM hazard_tally"))
    for dimension, key in KEYS.items():
        connection.execute(text(TALLY_SQL.format(key=key)), {"dimension": dimension})
    return connection.execute(text("SELECT count(*) FROM hazard_tally")).scalar()


# --- the measurements ---------------------------------------------------------------------------


def timed_ms(work, runs: int = 20) -> tuple[float, float]:
    """The median wall time of `work` in ms, and the median CPU time this process spent in it
    (the app's own share; on a busy machine the wall time also holds waiting for a core)."""
    work()  # warm up: connections, compiled queries, charts
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(times), statistics.median(cpu)


def median_ms(work, runs: int = 20) -> float:
    """The median wall time of `work` in ms."""
    return timed_ms(work, runs)[0]


def measure(app) -> None:
    from inspection import clock

    engine = app.extensions["engine"]
    with engine.connect() as connection:
        zone = connection.execute(
            text("SELECT min(z.id) FROM zone z JOIN park p ON p.id = z.park_id WHERE p.id = 1")
        ).scalar()
    park_client, bureau_client = app.test_client(), app.test_client()
    with clock.frozen(TODAY):
        for client, username in ((park_client, "leader"), (bureau_client, "bureau")):
            response = client.post("/login", data={"username": username, "password": PASSWORD})
            assert response.status_code == 302, username

        def get(client, url):
            def work():
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                response.close()

            return work

        def baseline():
            with engine.connect() as connection:
                connection.execute(
                    text(
                        "SELECT park_id, count(*), count(*) FILTER (WHERE state = 'closed'),"
                        " count(*) FILTER (WHERE level = 'major') FROM hazard GROUP BY park_id"
                    )
                ).all()

        list_url = f"/hazards/?state=overdue&zone={zone}"
        base = timed_ms(baseline)
        park_board = timed_ms(get(park_client, "/dashboard"))
        region_board = timed_ms(get(bureau_client, "/dashboard"))
        listing = timed_ms(get(park_client, list_url))
        # As on the first view after a hazard changed: today's standing counted afresh.
        standing = app.extensions.setdefault("standing", {})

        def fresh(client):
            work = get(client, "/dashboard")

            def again():
                standing.clear()
                work()

            return again

        park_fresh = timed_ms(fresh(park_client))
        region_fresh = timed_ms(fresh(bureau_client))
    base, _cpu = base
    print(
        "  baseline, one SQL aggregate (found, closed, major by park) over the hazard table:"
        f" {base:7.1f} ms (median of 20)"
    )
    rows = (
        ("one park's dashboard (/dashboard as its supervisor)", park_board, 50),
        ("  the first view after a hazard changed", park_fresh, 50),
        ("the region's comparison (/dashboard as the bureau)", region_board, 200),
        ("  the first view after a hazard changed", region_fresh, 200),
        (f"one park's filtered list ({list_url})", listing, 30),
    )
    for label, (value, cpu), target in rows:
        print(
            f"  {label:<58} {value:7.1f} ms = {value / base:5.3f} × baseline"
            f"  (target < {target} ms: {'met' if value < target else 'NOT met'};"
            f" app CPU {cpu:5.1f} ms)"
        )
    print(f"  load average while measuring: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")


def loaded(admin, count: int) -> bool:
    """Whether the kept database holds a finished load of `count` hazards."""
    if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
        return False
    with psycopg.connect(url_of(DATABASE), connect_timeout=5) as connection:
        if not connection.execute("SELECT to_regclass(%s)", (MARKER,)).fetchone()[0]:
            return False
        return connection.execute(f"SELECT hazards FROM {MARKER}").fetchone()[0] == count


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.0f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=5_000_000)
    parser.add_argument(
        "--keep", action="store_true", help=f"load once into {DATABASE} and reuse it later"
    )
    args = parser.parse_args()
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        print(f"PostgreSQL is not reachable at {PG_ADMIN}; this benchmark needs it.")
        return
    reuse = args.keep and loaded(admin, args.hazards)
    if not reuse:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    try:
        import tempfile

        with tempfile.TemporaryDirectory() as files:
            app = app_for(url_of(DATABASE), files)
            print(
                f"PostgreSQL, a region of {PARKS} parks, {PARKS * ENTERPRISES_PER_PARK:,}"
                f" enterprises and {args.hazards:,} hazards ({date(2026, 11, 20)}):"
            )
            if reuse:
                from inspection.migrate import upgrade_database

                # Indexes or tables added since the load arrive by migration, as in production.
                upgrade_database(app)
                print(f"  (reusing the database {DATABASE} loaded before, migrated to head)")
            else:
                fill(app, args.hazards)
            measure(app)
            app.extensions["engine"].dispose()
    finally:
        if not args.keep:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.close()


if __name__ == "__main__":
    main()
