"""The demo's risk stories: a hazard found a third time, overdue hazards piling up month after
month, a major hazard nearly due without a plan and a supervisor's mandatory grade; then every
park graded and swept, so the demo shows every grade and every kind of warning."""

from __future__ import annotations

import random
from datetime import datetime
from datetime import timedelta

from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.demo import pictures
from inspection.enterprises.models import Enterprise
from inspection.hazards.confirmation import awaits_confirmation
from inspection.hazards.confirmation import confirm
from inspection.hazards.models import Hazard
from inspection.hazards.recording import FoundHazard
from inspection.hazards.recording import record_hazard
from inspection.hazards.services import issue_notice
from inspection.inspections import services as inspections
from inspection.notifications.services import supervisors
from inspection.risk import services as risk
from inspection.risk import warnings
from inspection.risk.models import RiskWarning
from inspection.risk.models import WarningKind
from inspection.risk.warnings import month_ends
from inspection.risk.warnings import overdue_on

FOLLOW_UP = "跟踪检查隐患整改情况"


def _visit(session, enterprise, lead, partner, at: datetime):
    return inspections.create_inspection(
        session,
        enterprise=enterprise,
        actor=lead,
        type="routine",
        planned_date=clock.local(at).date(),
        co_inspector_ids=[partner.id],
        over_cap_reason=FOLLOW_UP,
    )


def _found(rng, enterprise, title, location, category, *, level="general", basis=None, **extra):
    return FoundHazard(
        title=title,
        description=f"{location}检查发现：{title}。",
        location=location,
        level=level,
        category=category,
        basis=basis,
        required_measures="立即整改并举一反三。",
        photos=[
            pictures.checked(pictures.photo(rng, f"{enterprise.name} {location}", False), "b.jpg")
        ],
        **extra,
    )


def _issue(session: Session, visit, lead, supervisor) -> None:
    """Issue the visit's notice, the supervisor first confirming its major findings (研判)."""
    for hazard in session.exec(select(Hazard).where(Hazard.inspection_id == visit.id)):
        if awaits_confirmation(hazard):
            confirm(
                session,
                hazard=hazard,
                actor=supervisor,
                participants=f"{lead.display_name}\n{supervisor.display_name}",
                keep_major=True,
                comment="判定依据明确，确认为重大事故隐患",
                expected_version=hazard.version,
            )
    issue_notice(session, inspection=visit, actor=lead)


def stories(session: Session, rng: random.Random, enterprises: list[Enterprise], people, now):
    """The main park's risk stories (see the module's docstring)."""
    staff = people["staff"]
    supervisor = next(u for u in staff.values() if u.role == Role.SUPERVISOR)
    lead, partner = [u for u in staff.values() if u.role == Role.INSPECTOR and not u.third_party][
        :2
    ]
    # 1. The same dust-collector problem at 鑫泰: fixed on the spot twice, found a third time.
    repeat_at = enterprises[3]
    for days_ago, fixed in ((110, True), (60, True), (5, False)):
        at = now - timedelta(days=days_ago)
        with clock.frozen(at):
            visit = _visit(session, repeat_at, lead, partner, at)
            after = pictures.checked(pictures.photo(rng, repeat_at.name, True), "a.jpg")
            record_hazard(
                session,
                inspection=visit,
                actor=lead,
                found=_found(
                    rng,
                    repeat_at,
                    "除尘器泄爆口朝向人员通道",
                    "抛光车间除尘器",
                    "equipment",
                    fixed_on_spot=fixed,
                    fix_note="当场调整泄爆口朝向并设置警示区" if fixed else None,
                    after_photos=[after] if fixed else [],
                ),
            )
    # 2. Overdue hazards at 安和 rising at each of the last three month ends.
    rising = enterprises[4]
    ends = month_ends(clock.local(now).date())
    counts = [overdue_on(session, rising.park_id, day).get(rising.id, 0) for day in ends]
    added = 0
    for index, end in enumerate(ends[1:], start=1):
        wanted = max(counts[index - 1] + 1, counts[index] + added) - counts[index] - added
        counts[index] += added + wanted
        added += wanted
        if not wanted:
            continue
        at = datetime.combine(end - timedelta(days=12), datetime.min.time().replace(hour=9))
        at = at.replace(tzinfo=clock.local_zone())
        with clock.frozen(at):
            visit = _visit(session, rising, lead, partner, at)
            for n in range(wanted):
                record_hazard(
                    session,
                    inspection=visit,
                    actor=lead,
                    found=_found(
                        rng,
                        rising,
                        ["应急照明灯损坏", "配电柜前堆放物品", "安全警示标志缺失"][n % 3],
                        f"{n + 1}号仓库",
                        "fire",
                        deadline=end - timedelta(days=5),
                    ),
                )
            _issue(session, visit, lead, supervisor)
    # 3. A major hazard due in five days at 鼎新 without a rectification plan.
    nearly_due = next(e for e in enterprises if e.risk_major_hazard_source)
    at = now - timedelta(days=25)
    with clock.frozen(at):
        visit = _visit(session, nearly_due, lead, partner, at)
        record_hazard(
            session,
            inspection=visit,
            actor=lead,
            found=_found(
                rng,
                nearly_due,
                "储罐区可燃气体检测报警装置失效",
                "罐区",
                "instrument",
                level="major",
                basis="安监总管三〔2017〕121号 第十四条",
                deadline=clock.local(now).date() + timedelta(days=5),
            ),
        )
        _issue(session, visit, lead, supervisor)
    # 4. A supervisor's mandatory grade after an accident.
    with clock.frozen(now - timedelta(days=12)):
        risk.set_override(
            session,
            enterprise=enterprises[8],
            actor=supervisor,
            grade_="red",
            reason="2026年发生一起机械伤害事故（1人死亡），事故调查期间从严监管",
        )
    session.flush()


def grade_and_sweep(session: Session) -> str:
    """Grade every park's enterprises and raise the day's warnings; handle one, for the
    history."""
    outcome = risk.recompute(session, cause="demo")
    new = warnings.sweep(session)
    session.flush()
    handled = session.exec(
        select(RiskWarning).where(RiskWarning.kind == WarningKind.NOT_INSPECTED)
    ).first()
    if handled is not None:
        supervisor = supervisors(session, handled.park_id)[0]
        warnings.handle(
            session,
            warning=handled,
            actor=supervisor,
            note="已列入下月检查计划，并电话督促企业开展自查",
            expected_version=handled.version,
        )
    return f"{outcome.enterprises} enterprises graded, {new} warnings raised"
