"""Programme benchmark: the year-in-figures page over a county-sized database (PostgreSQL).

Loads the region of bench/region.py with 1,000,000 hazards, then 10,000 assigned cases in 100
batches (two thirds closed), 200 listed enterprises (half removed), a wood-products campaign's
outcomes in each of ten parks and two chemical-park assessments (grade A, then C), and prints,
in one run, the median of 20 requests of /programme/figures for the year, as a park's supervisor
and as the county bureau, beside a plain SQL aggregate over the same rows (cases by source and
state, listings by level) measured in the same run. Target: < 100 ms.

Run with `.venv/bin/python bench/programme.py [--hazards N] [--cases N] [--keep]`; `--keep`
loads once into the database `bench_programme` and reuses it on later runs (re-measure on a quiet
machine without reloading).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import date
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.region import PARKS  # noqa: E402
from bench.region import PASSWORD  # noqa: E402
from bench.region import TODAY  # noqa: E402
from bench.region import app_for  # noqa: E402
from bench.region import catch_up_schema  # noqa: E402
from bench.region import fill  # noqa: E402
from bench.region import median_ms  # noqa: E402
from bench.supervision import PG_ADMIN  # noqa: E402
from bench.supervision import url_of  # noqa: E402

DATABASE = "bench_programme"
SOURCES = ("inspection_team", "problem_list", "complaint", "other")


def fill_programme(app, cases: int, listings: int) -> None:
    """Batches and cases, listings and outcomes, by plain INSERTs."""
    rng = random.Random(15)
    engine = app.extensions["engine"]
    with engine.begin() as c:
        user = c.execute(text("SELECT min(id) FROM user_account")).scalar()
        enterprises = c.execute(text("SELECT id, park_id FROM enterprise ORDER BY id")).all()
        batches = []
        for b in range(100):
            park = (b % PARKS) + 1
            received = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
            batches.append(
                c.execute(
                    text(
                        "INSERT INTO assignment_batch (park_id, source, issuer, name, received_on,"
                        " deadline, created_by_id, created_at) VALUES (:p, :s, '督察组', :n, :r,"
                        " :d, :u, now()) RETURNING id, park_id, source, received_on"
                    ),
                    {
                        "p": park,
                        "s": SOURCES[b % 4],
                        "n": f"第{b}批",
                        "r": received,
                        "d": received + timedelta(days=90),
                        "u": user,
                    },
                ).one()
            )
        by_park: dict[int, list[int]] = {}
        for enterprise_id, park_id in enterprises:
            by_park.setdefault(park_id, []).append(enterprise_id)
        rows = []
        for n in range(cases):
            batch = batches[n % len(batches)]
            closed = n % 3 != 0
            closed_at = TODAY - timedelta(days=rng.randrange(1, 200)) if closed else None
            rows.append(
                {
                    "uuid": f"00000000-0000-0000-0000-{n:012d}",
                    "park": batch.park_id,
                    "batch": batch.id,
                    "source": batch.source,
                    "number": f"C{n:06d}",
                    "enterprise": rng.choice(by_park[batch.park_id]) if n % 5 else None,
                    "department": None if n % 5 else "建设局",
                    "deadline": batch.received_on + timedelta(days=90),
                    "state": "closed" if closed else "rectifying",
                    "token": f"t{n:023d}",
                    "closed_at": closed_at,
                }
            )
        c.execute(
            text(
                "INSERT INTO assigned_case (uuid, park_id, batch_id, source, number, problem,"
                " enterprise_id, department, deadline, needs_posting, state, public_token,"
                " closed_at, created_at, updated_at, version) VALUES (:uuid, :park, :batch,"
                " :source, :number, '问题', :enterprise, :department, :deadline, true, :state,"
                " :token, :closed_at, now(), now(), 1)"
            ),
            rows,
        )
        c.execute(
            text(
                "INSERT INTO enterprise_listing (park_id, enterprise_id, level, body, reason,"
                " listed_on, deadline, listed_by_id, delisted_at, created_at, version)"
                " VALUES (:p, :e, :l, '县安委会', '督办', :on, :d, :u, :off, now(), 1)"
            ),
            [
                {
                    "p": enterprises[n * 7][1],
                    "e": enterprises[n * 7][0],
                    "l": ("city", "county", "park")[n % 3],
                    "on": date(2026, 1, 1) + timedelta(days=n),
                    "d": date(2026, 6, 1) + timedelta(days=n),
                    "u": user,
                    "off": TODAY - timedelta(days=n % 90) if n % 2 else None,
                }
                for n in range(listings)
            ],
        )
    fill_campaigns_and_grades(app, rng)
    # As autovacuum would soon after such a load: the planner knows the new tables' sizes.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("ANALYZE assignment_batch, assigned_case, enterprise_listing"))


CAMPAIGNS = 10  # parks with a wood-products campaign of 12 enterprises (every outcome)
OUTCOMES = (
    "closed_down",
    "rectified",
    "relocated_in_county",
    "relocated_out",
    "kept",
    "unfinished",
)


def fill_campaigns_and_grades(app, rng: random.Random) -> None:
    """A wood-products campaign in each of the first parks with its 12 enterprises' outcomes,
    and the first park's chemical-park grade: assessed A, then C (the page draws the chart)."""
    from inspection.checklists import loader
    from inspection.checklists.library import import_definition
    from inspection.db import get_session
    from inspection.parks.models import Park
    from inspection.programme import parkgrade

    with app.app_context():
        session = get_session()
        import_definition(
            session, loader.parse_file(ROOT / "checklists" / f"{parkgrade.TEMPLATE_CODE}.yaml")
        )
        version = parkgrade.assessment_version(session, session.get(Park, 1))
        session.commit()
    engine = app.extensions["engine"]
    with engine.begin() as c:
        user = c.execute(text("SELECT min(id) FROM user_account")).scalar()
        for park in range(1, CAMPAIGNS + 1):
            campaign = c.execute(
                text(
                    "INSERT INTO campaign (park_id, name, type, start_date, due_date,"
                    " enforcement, created_by_id, created_at) VALUES (:p, '木制品企业专项整治',"
                    " 'special', '2026-03-01', '2026-10-31', false, :u, now()) RETURNING id"
                ),
                {"p": park, "u": user},
            ).scalar()
            enterprises = c.execute(
                text("SELECT id FROM enterprise WHERE park_id = :p ORDER BY id LIMIT 12"),
                {"p": park},
            ).scalars()
            c.execute(
                text(
                    "INSERT INTO campaign_outcome (park_id, campaign_id, enterprise_id, outcome,"
                    " decided_on, recorded_by_id, recorded_at, version) VALUES (:p, :c, :e, :o,"
                    " :on, :u, now(), 1)"
                ),
                [
                    {
                        "p": park,
                        "c": campaign,
                        "e": enterprise,
                        "o": OUTCOMES[n % len(OUTCOMES)],
                        "on": date(2026, 4, 1) + timedelta(days=rng.randrange(180)),
                        "u": user,
                    }
                    for n, enterprise in enumerate(enterprises)
                ],
            )
        c.execute(
            text(
                "INSERT INTO park_assessment (park_id, version_id, assessed_on, score, grade,"
                " assessed_by_id, created_at) VALUES (1, :v, '2025-11-20', 56.0, 'A', :u, now()),"
                " (1, :v, '2026-10-15', 78.0, 'C', :u, now())"
            ),
            {"v": version.id, "u": user},
        )


def measure(app) -> None:
    from inspection import clock

    engine = app.extensions["engine"]
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
                        "SELECT source, count(*), count(*) FILTER (WHERE state = 'closed')"
                        " FROM assigned_case GROUP BY source"
                    )
                ).all()
                connection.execute(
                    text(
                        "SELECT level, count(*), count(delisted_at) FROM enterprise_listing"
                        " GROUP BY level"
                    )
                ).all()

        base = median_ms(baseline)
        park = median_ms(get(park_client, "/programme/figures?period=2026"))
        county = median_ms(get(bureau_client, "/programme/figures?period=2026"))
    print(
        "  baseline, plain SQL aggregates (cases by source and state, listings by level):"
        f" {base:7.1f} ms (median of 20)"
    )
    for label, value in (
        ("the year in figures as a park's supervisor", park),
        ("the year in figures as the county bureau", county),
    ):
        print(
            f"  {label:<48} {value:7.1f} ms = {value / base:5.2f} × baseline"
            f"  (target < 100 ms: {'met' if value < 100 else 'NOT met'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--listings", type=int, default=200)
    parser.add_argument(
        "--keep", action="store_true", help=f"load once into {DATABASE} and reuse it later"
    )
    args = parser.parse_args()
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        print(f"PostgreSQL is not reachable at {PG_ADMIN}; this benchmark needs it.")
        return
    reuse = (
        args.keep
        and admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
    )
    if not reuse:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    loaded = bool(reuse)
    try:
        with tempfile.TemporaryDirectory() as files:
            app = app_for(url_of(DATABASE), files)
            print(
                f"PostgreSQL, {args.hazards:,} hazards, {args.cases:,} assigned cases,"
                f" {args.listings} listed units:"
            )
            if reuse:
                print(f"  (reusing the database {DATABASE} loaded before)")
                built = catch_up_schema(app)
                if built:
                    print("  built since the load:", ", ".join(built))
            else:
                fill(app, args.hazards)
                fill_programme(app, args.cases, args.listings)
                loaded = True
            measure(app)
            app.extensions["engine"].dispose()
    finally:
        # A load that failed half-way is not kept: the next --keep run loads afresh.
        if not (args.keep and loaded):
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.close()


if __name__ == "__main__":
    main()
