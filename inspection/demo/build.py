"""Building the demo park from park.yaml: zones, enterprises, people, five months of visits with
hazards in every state, holidays and recurring plans."""

from __future__ import annotations

import random
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.passwords import one_hash_per_password
from inspection.auth.services import create_user
from inspection.campaigns import recurring
from inspection.checklists.library import load_library
from inspection.checklists.queries import latest_published
from inspection.checklists.queries import library_template
from inspection.demo import draws
from inspection.demo import pictures
from inspection.demo import programme
from inspection.demo import risk as risk_demo
from inspection.demo.data import PASSWORD
from inspection.demo.data import hazard_pool
from inspection.demo.data import logins_text
from inspection.demo.data import park_data
from inspection.demo.data import region_data
from inspection.demo.scenarios import file_statistics_of
from inspection.demo.scenarios import progress
from inspection.demo.scenarios import sign_all
from inspection.demo.scenarios import use_checklists
from inspection.enterprises import credit_code
from inspection.enterprises import organisation_code
from inspection.enterprises.models import DischargePermit
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Zone
from inspection.hazards.models import HazardState
from inspection.hazards.recording import FoundHazard
from inspection.hazards.recording import record_hazard
from inspection.inspections import services as inspections
from inspection.parks.models import Park
from inspection.parks.models import Region
from inspection.security import services as security
from inspection.security.models import EventKind
from inspection.security.models import Outcome

# Make sure a new user meets every state at least once.
MUST_HAVE = (
    "listed",
    "listed_accepted",
    "extension_pending",
    "extended",
    "escalated",
    "voided",
    "on_spot",
    "rectifying",
    "closed_after_reject",
    "submitted",
    "acknowledged",
    "issued",
)


def _credit_code(rng: random.Random, index: int) -> str:
    """A valid-looking, fictional unified social credit code."""
    org = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    values = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    check = 11 - sum(values.index(c) * w for c, w in zip(org, weights, strict=True)) % 11
    org += {10: "X", 11: "0"}.get(check, str(check))
    if "X" in org[8:] and "X" not in credit_code.ALPHABET:
        org = org[:8] + "0"
    base = f"91330824{org}"
    return base + credit_code.check_character(base)


def _park(
    session: Session, rng: random.Random, data: dict, region: Region
) -> tuple[list[Enterprise], dict]:
    """The park, its zones and enterprises, and every account (staff by username, enterprise
    accounts by the index of their enterprise)."""
    park = Park(
        region_id=region.id,
        name=data["park"]["name"],
        short_name=data["park"].get("short_name"),
        notice_prefix=data["park"]["notice_prefix"],
        authority=data["park"]["name"] + "管理委员会",
    )
    session.add(park)
    session.flush()
    zones = {}
    for entry in data["zones"]:
        zone = Zone(park_id=park.id, name=entry["name"], description=entry["description"])
        session.add(zone)
        zones[entry["name"]] = zone
    session.flush()
    zone_names = list(zones)
    enterprises = []
    for index, entry in enumerate(data["enterprises"]):
        place = zone_names.index(entry["zone"])
        employees = entry["employees"]
        enterprise = Enterprise(
            park_id=park.id,
            zone_id=zones[entry["zone"]].id,
            name=entry["name"],
            credit_code=(code := _credit_code(rng, index)),
            company_code=organisation_code.from_credit_code(code),
            industry=entry["industry"],
            address=f"{park.name}{['纬一路', '经三路', '创业大道'][place]}{10 + index * 7}号",
            legal_representative=rng.choice("王李张刘陈杨黄赵吴周")
            + rng.choice(("建华", "国强", "志明", "海燕", "丽萍", "永红")),
            contact_name=rng.choice("徐孙胡朱高林何郭马罗")
            + rng.choice(("安全", "晓东", "建军", "春梅", "卫东", "立新")),
            contact_phone=f"13{rng.randrange(100000000, 999999999)}",
            scale="large" if employees > 500 else "medium" if employees > 200 else "small",
            employees=employees,
            discharge_permit=DischargePermit(entry["permit"]),
            **{f"risk_{flag}": True for flag in entry["risks"]},
        )
        session.add(enterprise)
        enterprises.append(enterprise)
    session.flush()
    staff = {}
    for entry in data["staff"]:
        extra = {k: v for k, v in entry.items() if k not in ("username", "name", "role")}
        staff[entry["username"]] = create_user(
            session,
            via="demo",
            username=entry["username"],
            display_name=entry["name"],
            password=PASSWORD,
            role=Role(entry["role"]),
            park_id=park.id,
            **extra,
        )
    names = [entry["name"] for entry in data["enterprises"]]
    portal = {}
    for username, enterprise_name in data["enterprise_logins"].items():
        index = names.index(enterprise_name)
        portal[index] = create_user(
            session,
            via="demo",
            username=username,
            display_name=enterprises[index].contact_name,
            password=PASSWORD,
            role=Role.ENTERPRISE,
            enterprise_id=enterprises[index].id,
        )
    return enterprises, {"park": park, "staff": staff, "portal": portal}


def load(session: Session) -> str:
    """Create the demo region: 青溪经济开发区 as park.yaml describes it, two lighter parks and
    the county bureau's staff; return a summary of what was made."""
    data, region_data_ = park_data(), region_data()
    rng = random.Random(2026)
    real_now = clock.now()
    with one_hash_per_password(), clock.frozen(real_now - timedelta(days=150)):
        region = Region(**region_data_["region"])
        session.add(region)
        session.flush()
        for entry in region_data_["bureau_staff"]:
            extra = {k: v for k, v in entry.items() if k not in ("username", "name", "role")}
            create_user(
                session,
                via="demo",
                username=entry["username"],
                display_name=entry["name"],
                password=PASSWORD,
                role=Role(entry["role"]),
                region_id=region.id,
                **extra,
            )
        parks = [(data, _park(session, rng, data, region))]
        for other in region_data_["parks"]:
            parks.append((other, _park(session, rng, other, region)))
    library = load_library(session)
    if library.problems:
        raise RuntimeError(
            "the checklist library has problems: " + "; ".join(map(str, library.problems))
        )
    summaries = []
    for index, (park_entry, (enterprises, people)) in enumerate(parks):
        made, visits, counts = _live(
            session,
            rng,
            enterprises,
            people,
            real_now,
            main=index == 0,
            visits=park_entry.get("visits"),
        )
        staff = people["staff"]
        inspectors = [u for u in staff.values() if u.role == Role.INSPECTOR and not u.third_party]
        _holidays(session, data, people["park"], real_now)
        random_inspections = ""
        if index == 0:
            _recurring_plans(session, data, inspectors[0], inspectors[1], real_now)
            # A generator of its own, so the other parks are drawn as before.
            file_statistics_of(session, random.Random(14), enterprises, people["portal"], real_now)
            risk_demo.stories(session, rng, enterprises, people, real_now)
            random_inspections = (
                " 双随机: " + draws.build(session, rng, data, people["park"], staff, real_now) + "."
            )
            programme.build(
                session,
                park=people["park"],
                people=people,
                bureau=session.exec(select(User).where(User.username == "bureau")).one(),
                now=real_now,
            )
        _security_history(session, people, real_now)
        states = "，".join(f"{state} {count}" for state, count in sorted(counts.items()))
        summaries.append(
            f"{people['park'].name}: {len({e.zone_id for e in enterprises})} zones,"
            f" {len(enterprises)} enterprises, {visits} inspections, {made} hazards ({states})."
            + random_inspections
        )
    summaries.append(risk_demo.grade_and_sweep(session))
    return f"Demo region {region.name}:\n" + "\n".join(summaries) + "\n" + logins_text()


def _live(
    session: Session,
    rng: random.Random,
    enterprises: list[Enterprise],
    people: dict,
    real_now: datetime,
    *,
    main: bool,
    visits: int | None,
) -> tuple[int, int, dict[str, int]]:
    """Five months of a park's inspections with hazards in their states; the main park meets
    every state at least once and has the demo inspector's day. Returns (hazards, visits,
    count by final state)."""
    data = park_data()
    staff, enterprise_users = people["staff"], people["portal"]
    supervisor = next(u for u in staff.values() if u.role == Role.SUPERVISOR)
    inspectors = [u for u in staff.values() if u.role == Role.INSPECTOR]
    inspector, inspector2 = inspectors[0], inspectors[1]
    scenarios = [name for name, weight in data["scenarios"].items() for _ in range(weight)]
    # Most hazards found months ago have been dealt with by now.
    settled = ["closed"] * 12 + ["closed_after_reject"] * 3 + scenarios
    must_have = list(MUST_HAVE) if main else []
    counts: dict[str, int] = {}
    made = 0
    # Visits spread over the last 150 days; enterprises with a portal user get several.
    planned = []
    for index, enterprise in enumerate(enterprises):
        times = 3 if index in enterprise_users else rng.choice((1, 1, 2))
        for _ in range(times):
            planned.append((enterprise, rng.randrange(3, 148), None))
    if visits is not None:
        planned = planned[:visits]
    if main:
        # The demo inspector's day: two visits this morning with hazards not yet issued.
        planned += [(enterprises[0], 0, inspector), (enterprises[13], 0, inspector)]
    planned.sort(key=lambda visit: -visit[1])
    for enterprise, days_ago, chosen_lead in planned:
        day = (real_now - timedelta(days=days_ago)).astimezone(clock.local_zone()).date()
        at = datetime.combine(day, time(9, rng.randrange(0, 50)), clock.local_zone())
        at = min(at, real_now - timedelta(minutes=30))
        lead = chosen_lead or rng.choice(inspectors)
        partner = inspector2 if lead is not inspector2 else inspector
        with clock.frozen(at):
            inspection = inspections.create_inspection(
                session,
                enterprise=enterprise,
                actor=lead,
                type="third_party"
                if lead.third_party
                else rng.choice(
                    ("routine", "routine", "special", "random", "seasonal", "pre_holiday")
                ),
                planned_date=day,
                enforcement=not lead.third_party and rng.random() < 0.3,
                co_inspector_ids=[partner.id],
                over_cap_reason=risk_demo.FOLLOW_UP,
            )
            use_checklists(session, rng, inspection, enterprise, lead, answered=days_ago > 0)
            pool = hazard_pool(enterprise.industry)
            chosen = rng.sample(pool, k=min(len(pool), rng.randrange(1, 4)))
            recorded = []
            for entry in chosen:
                location, title = entry["location"], entry["title"]
                found = FoundHazard(
                    title=title,
                    description=f"{location}检查发现：{title}。",
                    location=location,
                    level=entry["level"],
                    category=entry["category"],
                    aspect=rng.choice(("person", "thing", "management")),
                    basis=entry["basis"],
                    required_measures=entry["measures"],
                    photos=[
                        pictures.checked(
                            pictures.photo(rng, f"{enterprise.name} {location}", False),
                            "before.jpg",
                        )
                    ],
                )
                hazard = record_hazard(session, inspection=inspection, actor=lead, found=found)
                major = hazard.level == "major"
                fits = [
                    name
                    for name in must_have
                    if (major or not name.startswith("listed"))
                    and not (major and name == "on_spot")
                ]
                if fits and 20 <= days_ago <= 60:
                    scenario = fits[0]
                    must_have.remove(scenario)
                else:
                    scenario = rng.choice(settled if days_ago > 45 else scenarios)
                if scenario == "on_spot" and hazard.level == "major":
                    # A major hazard is never fixed on the spot (16号令 第十五条).
                    scenario = "closed"
                recorded.append((hazard, scenario, entry["measures"]))
                made += 1
        if days_ago <= 2:
            # Found today or yesterday: not issued yet.
            recorded = [(hazard, "found", measures) for hazard, _s, measures in recorded]
        # Settle on-the-spot fixes and voids before the notice issues the rest.
        recorded.sort(key=lambda item: item[1] not in ("on_spot", "voided"))
        for hazard, scenario, measures in recorded:
            official = partner if lead.third_party else lead
            final = progress(
                session,
                rng,
                hazard,
                scenario,
                (official, partner if official is lead else lead),
                supervisor,
                at,
                real_now,
                enterprise_users.get(enterprises.index(enterprise)),
                enterprise,
                measures,
            )
            counts[final] = counts.get(final, 0) + 1
        if all(h.state != HazardState.FOUND for h, _s, _m in recorded) and days_ago > 2:
            with clock.frozen(min(at + timedelta(hours=3), real_now)):
                sign_all(session, rng, inspection, lead, enterprise)
                inspections.complete_inspection(
                    session, inspection=inspection, actor=lead, summary="现场检查已完成。"
                )
    session.flush()
    return made, len(planned), counts


RECURRING_OVER_CAP = "重点行业企业按县应急管理局年度监管计划定期检查，超出分级检查频次上限"


def _recurring_plans(
    session: Session, data: dict, inspector: User, inspector2: User, now: datetime
) -> None:
    """The plans that repeat."""
    park = session.get(Park, inspector.park_id)

    def version(code: str) -> int:
        return latest_published(session, library_template(session, code).id).id

    with clock.frozen(now):
        for entry in data["recurring_plans"]:
            values = {key: value for key, value in entry.items() if key != "checklists"}
            recurring.save_plan(
                session,
                actor=inspector,
                park=park,
                plan=None,
                values={
                    "days_before_holiday": 3,
                    "lead_days": 7,
                    "duration_days": 5,
                    "inspector_ids": [inspector.id, inspector2.id],
                    "version_ids": [version(code) for code in entry["checklists"]],
                    # Some of the enterprises they cover are already at their yearly cap.
                    "over_cap_reason": RECURRING_OVER_CAP,
                    **values,
                },
            )


def _holidays(session: Session, data: dict, park: Park, now: datetime) -> None:
    """The fixed-date holidays of the coming year, in the park's calendar."""
    today = clock.local(now).date()
    for name, month, day, days in data["holidays"]:
        start = date(today.year, month, day)
        if start < today:
            start = date(today.year + 1, month, day)
        recurring.add_holiday(
            session, park=park, name=name, start=start, end=start + timedelta(days - 1)
        )


DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
TABLET = (
    "Mozilla/5.0 (Linux; Android 14; HUAWEI MatePad) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
)


def _security_history(session: Session, people: dict, now: datetime) -> None:
    """Two weeks of the park's security log: the staff's logins and logouts on working days,
    a few mistyped passwords, a guessing run from outside that was slowed down, and exports."""
    park = people["park"]
    rng = random.Random(park.id)  # its own draws: the rest of the demo keeps its order
    staff = [u for u in people["staff"].values() if u.active]
    entries: list[tuple[datetime, dict]] = []
    for back in range(14, 0, -1):
        day = clock.local(now - timedelta(days=back)).date()
        if day.weekday() >= 5:
            continue
        start = clock.start_of_local_day(day)
        for index, user in enumerate(staff):
            if rng.random() < 0.2:
                continue
            address = f"10.{park.id}.{index // 200}.{20 + index % 200}"
            agent = TABLET if user.role == Role.INSPECTOR else DESKTOP
            at = start + timedelta(hours=8, minutes=rng.randint(0, 50))
            if rng.random() < 0.08:
                entries.append(
                    (
                        at - timedelta(minutes=1),
                        dict(
                            kind=EventKind.LOGIN_FAILED,
                            outcome=Outcome.FAILED,
                            actor=user,
                            data={"known_user": True},
                            ip=address,
                            user_agent=agent,
                        ),
                    )
                )
            entries.append(
                (at, dict(kind=EventKind.LOGIN, actor=user, ip=address, user_agent=agent))
            )
            if user.role in (Role.SUPERVISOR, Role.ADMIN) and rng.random() < 0.3:
                entries.append(
                    (
                        at + timedelta(minutes=rng.randint(5, 90)),
                        dict(
                            kind=EventKind.EXPORT,
                            actor=user,
                            ip=address,
                            user_agent=agent,
                            data={
                                "what": "hazard_ledger",
                                "format": "xlsx",
                                "filters": {"state": "open"},
                            },
                        ),
                    )
                )
            entries.append(
                (
                    at + timedelta(hours=rng.randint(2, 8)),
                    dict(kind=EventKind.LOGOUT, actor=user, ip=address, user_agent=agent),
                )
            )
    guessed = clock.start_of_local_day(clock.local(now - timedelta(days=3)).date())
    for n in range(24):
        entries.append(
            (
                guessed + timedelta(hours=2, seconds=7 * n),
                dict(
                    kind=EventKind.LOGIN_FAILED if n < 20 else EventKind.LOGIN_THROTTLED,
                    outcome=Outcome.FAILED if n < 20 else Outcome.REFUSED,
                    username=["admin", "root", "test", "zhangsan"][n % 4],
                    park_id=park.id,
                    data={"known_user": False} if n < 20 else {"wait_seconds": 2 ** (n - 19)},
                    ip="203.0.113.45",
                    user_agent="python-requests/2.32",
                ),
            )
        )
    for at, entry in sorted(entries, key=lambda pair: pair[0]):
        with clock.frozen(at):
            security.record(session, **entry)
