"""Reminder sweep benchmark: one day's sweep over a park with 1,000,000 hazards.

Fills a throwaway database (SQLite, and PostgreSQL when one is reachable) with a park whose
hazards are mostly closed, as in a park that has run for years, then times:
- the sweep itself (the first run writes the day's reminders; a second run of the same day
  finds them all there and writes nothing), which reads only the hazards that are due through
  the partial index on open hazards' deadlines;
- the baseline, measured in the same run: a naive sweep that reads every hazard and applies the
  same rules in Python.

Run with `make bench` or `.venv/bin/python bench/reminder_sweep.py [--hazards N]`.
"""

from __future__ import annotations

import argparse
import os
import random
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
from sqlalchemy import text  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402
from sqlmodel import select  # noqa: E402

import inspection.models  # noqa: E402,F401
from inspection import clock  # noqa: E402
from inspection import create_app  # noqa: E402
from inspection.db import get_session  # noqa: E402
from inspection.hazards.models import Hazard  # noqa: E402
from inspection.parks.models import Park  # noqa: E402
from inspection.reminders import sweep  # noqa: E402
from inspection.reminders.policy import policy_for  # noqa: E402
from inspection.reminders.rules import Steps  # noqa: E402
from inspection.reminders.rules import escalates  # noqa: E402
from inspection.reminders.rules import rule_for  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TODAY = date(2026, 12, 1)
ENTERPRISES = 300
OPEN_SHARE = 0.03
MAJOR_SHARE = 0.05
COLUMNS = [
    "id",
    "uuid",
    "number",
    "enterprise_id",
    "title",
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
    "created_at",
    "updated_at",
    "version",
    "stop_production",
    "registrant_duty",
]


def hazard_rows(count: int, inspector_ids: list[int], enterprise_ids: list[int]):
    """Hazards of the past three years: most closed, a few per cent open, some overdue."""
    rng = random.Random(7)
    for n in range(1, count + 1):
        open_ = rng.random() < OPEN_SHARE
        if open_:
            deadline = TODAY + timedelta(days=rng.randint(-365, 60))
            state = rng.choice(("issued", "acknowledged", "rectifying"))
        else:
            deadline = TODAY - timedelta(days=rng.randint(1, 3 * 365))
            state = "closed"
        found = datetime.combine(deadline - timedelta(days=30), datetime.min.time(), tzinfo=UTC)
        inspector = rng.choice(inspector_ids)
        yield (
            n,
            str(uuid.UUID(int=rng.getrandbits(128))),
            f"YH-B-{n:07d}",
            rng.choice(enterprise_ids),
            "消防通道堵塞",
            "major" if rng.random() < MAJOR_SHARE else "general",
            "fire",
            "park",
            "deadline",
            state,
            deadline,
            deadline,
            found,
            inspector,
            inspector,
            None if open_ else found + timedelta(days=20),
            found,
            found,
            1,
            False,
            "other",
        )


def fill(app, count: int) -> None:
    """The park, its people and `count` hazards, inserted in bulk."""
    from inspection.auth.models import User
    from inspection.enterprises.models import Enterprise

    engine = app.extensions["engine"]
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    with app.app_context():
        session = get_session()
        park = Park(name="基准测试园区", notice_prefix="基准")
        session.add(park)
        session.flush()
        enterprise_ids = []
        for n in range(ENTERPRISES):
            enterprise = Enterprise(
                park_id=park.id,
                name=f"基准企业{n:03d}有限公司",
                credit_code=f"BENCH{n:013d}",
                industry="机械",
            )
            session.add(enterprise)
            session.flush()
            enterprise_ids.append(enterprise.id)
            session.add(
                User(
                    username=f"e{n}",
                    display_name=f"企业用户{n}",
                    password_hash="x",
                    role="enterprise",
                    enterprise_id=enterprise.id,
                )
            )
        inspectors = []
        for n in range(8):
            user = User(
                username=f"i{n}", display_name=f"检查员{n}", password_hash="x", role="inspector"
            )
            session.add(user)
            session.flush()
            inspectors.append(user.id)
        for n in range(2):
            session.add(
                User(
                    username=f"s{n}", display_name=f"领导{n}", password_hash="x", role="supervisor"
                )
            )
        session.commit()
    rows = hazard_rows(count, inspectors, enterprise_ids)
    started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY hazard ({', '.join(COLUMNS)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            raw.commit()
            with raw.cursor() as cursor:
                cursor.execute("SELECT setval('hazard_id_seq', %s)", (count,))
            raw.commit()
        finally:
            raw.close()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE hazard"))
    else:
        placeholders = ", ".join("?" for _ in COLUMNS)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            batch = []
            for row in rows:
                row = list(row)
                for index in (12, 15, 16, 17):  # datetimes: naive UTC text, as UTCDateTime stores
                    if row[index] is not None:
                        row[index] = row[index].replace(tzinfo=None).isoformat(" ")
                for index in (10, 11):
                    row[index] = row[index].isoformat()
                batch.append(row)
                if len(batch) == 50_000:
                    cursor.executemany(
                        f"INSERT INTO hazard ({', '.join(COLUMNS)}) VALUES ({placeholders})", batch
                    )
                    batch = []
            if batch:
                cursor.executemany(
                    f"INSERT INTO hazard ({', '.join(COLUMNS)}) VALUES ({placeholders})", batch
                )
            raw.commit()
            cursor.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
    print(f"  filled {count:,} hazards in {time.perf_counter() - started:.1f} s")


def naive_sweep(session, day: date) -> int:
    """The baseline: read every hazard and apply the rules in Python."""
    park = session.exec(select(Park)).first()
    policy = policy_for(session, park.id)
    steps = {level: Steps.of(policy, major=level == "major") for level in ("general", "major")}
    due = 0
    for state, level, deadline in session.exec(select(Hazard.state, Hazard.level, Hazard.deadline)):
        if state not in ("issued", "acknowledged", "rectifying") or deadline is None:
            continue
        if rule_for(day, deadline, steps[level]) or escalates(day, deadline, steps[level]):
            due += 1
    return due


def indexed_read(session, day: date) -> int:
    """What the sweep reads: the due hazards of each level, through the partial index."""
    park = session.exec(select(Park)).first()
    policy = policy_for(session, park.id)
    due = 0
    for level in ("general", "major"):
        steps = Steps.of(policy, major=level == "major")
        due += len(sweep.due_hazards(session, park.id, level, day, steps).all())
    return due


def measure(label: str, url: str, count: int) -> None:
    print(f"{label}:")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    fill(app, count)
    morning = datetime(TODAY.year, TODAY.month, TODAY.day, 0, 30, tzinfo=UTC)
    with clock.frozen(morning), app.app_context():
        session = get_session()
        started = time.perf_counter()
        baseline_due = naive_sweep(session, TODAY)
        baseline = time.perf_counter() - started
        session.rollback()
        started = time.perf_counter()
        read = indexed_read(session, TODAY)
        read_time = time.perf_counter() - started
        session.rollback()
        started = time.perf_counter()
        first = sweep.sweep_day(session, TODAY)
        session.commit()
        first_time = time.perf_counter() - started
        started = time.perf_counter()
        again = sweep.sweep_day(session, TODAY)
        session.commit()
        again_time = time.perf_counter() - started
    assert first.hazards_read == baseline_due == read == again.hazards_read, (first, baseline_due)
    assert again.notifications == 0
    print(f"  hazards due today: {read:,} of {count:,}")
    print(f"  reading the due hazards (partial index):  {read_time:7.3f} s")
    print(f"  baseline, reading all and filtering:      {baseline:7.3f} s")
    print(
        f"  ratio: {read_time / baseline:.3f} of the baseline ({baseline / read_time:.0f}× faster)"
    )
    print(
        f"  whole sweep, first run: {first_time:6.2f} s  ({first.notifications:,} notifications"
        f" written, {first.escalated} escalations recorded)"
    )
    print(f"  whole sweep, same day again: {again_time:6.2f} s  (nothing written twice)")
    app.extensions["engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=1_000_000)
    count = parser.parse_args().hazards
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{folder}/bench.sqlite", count)
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        print(f"PostgreSQL: not reachable at {PG_ADMIN}; skipped.")
        return
    name = "bench_reminder_sweep"
    admin.execute(f"DROP DATABASE IF EXISTS {name}")
    admin.execute(f"CREATE DATABASE {name}")
    try:
        measure("PostgreSQL", PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", count)
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


if __name__ == "__main__":
    main()
