"""Reading grades, their history and the warnings, scoped to what the user may see."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.scope import Scope
from inspection.enterprises.models import Enterprise
from inspection.pagination import paginate
from inspection.risk.facts import all_facts
from inspection.risk.facts import settings_values
from inspection.risk.models import GRADES
from inspection.risk.models import RANK
from inspection.risk.models import EnterpriseRisk
from inspection.risk.models import RiskHistory
from inspection.risk.models import RiskOverride
from inspection.risk.models import RiskSettings
from inspection.risk.models import RiskSettingsChange
from inspection.risk.models import RiskWarning
from inspection.risk.scoring import grade


def current_grades(session: Session, scope: Scope, enterprise_ids) -> dict[int, str]:
    """The grade ('red', 'orange', 'yellow' or 'blue') of each enterprise in scope among
    `enterprise_ids`; one never graded yet (created before grading existed) is graded from its
    facts now, without writing. Enterprises outside the scope are left out."""
    ids = list(dict.fromkeys(enterprise_ids))
    if not ids:
        return {}
    visible = select(Enterprise.id).where(
        Enterprise.id.in_(ids), scope.rows(Enterprise.park_id, Enterprise.id)
    )
    wanted = set(session.exec(visible))
    grades = dict(
        session.exec(
            select(EnterpriseRisk.enterprise_id, EnterpriseRisk.grade).where(
                EnterpriseRisk.enterprise_id.in_(wanted)
            )
        ).all()
    )
    missing = [eid for eid in wanted if eid not in grades]
    if missing:
        settings: dict[int, dict] = {}
        for eid, (park_id, facts) in all_facts(session, enterprise_ids=missing).items():
            values = settings.setdefault(park_id, settings_values(session, park_id))
            grades[eid] = grade(facts, values).grade
        for eid in missing:  # inactive ones: graded on their inherent facts alone
            grades.setdefault(eid, "blue")
    return grades


@dataclass
class Standing:
    """An enterprise's grade with its breakdown and history, for its page."""

    risk: EnterpriseRisk | None
    factors: list[dict]
    rules: list[dict]
    history: list[RiskHistory]
    override: RiskOverride | None


def standing(session: Session, scope: Scope, enterprise: Enterprise) -> Standing:
    """One enterprise's grade, breakdown, the last year's history and any mandatory grade."""
    risk = session.exec(
        select(EnterpriseRisk).where(
            EnterpriseRisk.enterprise_id == enterprise.id,
            scope.rows(EnterpriseRisk.park_id, EnterpriseRisk.enterprise_id),
        )
    ).first()
    breakdown = json.loads(risk.breakdown) if risk else {}
    since = clock.now() - timedelta(days=366)
    history = list(
        session.exec(
            select(RiskHistory)
            .where(
                RiskHistory.enterprise_id == enterprise.id,
                RiskHistory.at >= since,
                scope.rows(RiskHistory.park_id, RiskHistory.enterprise_id),
            )
            .order_by(RiskHistory.at)
        )
    )
    override = session.exec(
        select(RiskOverride).where(
            RiskOverride.enterprise_id == enterprise.id,
            RiskOverride.lifted_at.is_(None),
            scope.rows(RiskOverride.park_id, RiskOverride.enterprise_id),
        )
    ).first()
    return Standing(
        risk, breakdown.get("factors", []), breakdown.get("rules", []), history, override
    )


def distribution(session: Session, scope: Scope) -> dict[str, int]:
    """How many active enterprises in scope have each grade."""
    rows = session.exec(
        select(EnterpriseRisk.grade, func.count())
        .join(Enterprise, Enterprise.id == EnterpriseRisk.enterprise_id)
        .where(
            scope.rows(EnterpriseRisk.park_id, EnterpriseRisk.enterprise_id),
            Enterprise.active.is_(True),
        )
        .group_by(EnterpriseRisk.grade)
    ).all()
    counts = dict.fromkeys(GRADES, 0)
    counts.update(dict(rows))
    return counts


def getting_worse(session: Session, scope: Scope, *, days: int = 90, limit: int = 10) -> list:
    """Enterprises whose grade worsened in the last `days` days, latest first, with names."""
    since = clock.now() - timedelta(days=days)
    rows = session.exec(
        select(RiskHistory, Enterprise.name)
        .join(Enterprise, Enterprise.id == RiskHistory.enterprise_id)
        .where(
            scope.rows(RiskHistory.park_id, RiskHistory.enterprise_id),
            RiskHistory.at >= since,
            RiskHistory.from_grade.is_not(None),
        )
        .order_by(RiskHistory.at.desc())
    ).all()
    seen: set[int] = set()
    worse = []
    for change, name in rows:
        if change.enterprise_id in seen or RANK[change.grade] <= RANK[change.from_grade]:
            continue
        seen.add(change.enterprise_id)
        worse.append((change, name))
        if len(worse) >= limit:
            break
    return worse


def warnings(session: Session, scope: Scope, *, kind: str | None, status: str | None, page: int):
    """A page of warnings in scope, newest first, with their enterprise's name."""
    wanted = [scope.rows(RiskWarning.park_id, RiskWarning.enterprise_id)]
    if kind:
        wanted.append(RiskWarning.kind == kind)
    if status:
        wanted.append(RiskWarning.status == status)
    stmt = (
        select(RiskWarning, Enterprise.name)
        .join(Enterprise, Enterprise.id == RiskWarning.enterprise_id)
        .where(*wanted)
        .order_by(RiskWarning.raised_at.desc(), RiskWarning.id.desc())
    )
    # Counted without the join: every warning has its enterprise.
    counted = select(RiskWarning.id).where(*wanted)
    return paginate(session, stmt, page=page, per_page=20, count_limit=1000, counted=counted)


def warning(session: Session, scope: Scope, warning_id: int) -> RiskWarning | None:
    """One warning in scope."""
    return session.exec(
        select(RiskWarning).where(
            RiskWarning.id == warning_id,
            scope.rows(RiskWarning.park_id, RiskWarning.enterprise_id),
        )
    ).first()


def open_warning_counts(session: Session, scope: Scope) -> dict[str, int]:
    """New and acknowledged warnings in scope, by kind."""
    rows = session.exec(
        select(RiskWarning.kind, func.count())
        .where(
            scope.rows(RiskWarning.park_id, RiskWarning.enterprise_id),
            RiskWarning.status != "handled",
        )
        .group_by(RiskWarning.kind)
    ).all()
    return dict(rows)


def settings_row(session: Session, scope: Scope, park_id: int) -> RiskSettings | None:
    """A park's stored settings, if the scope covers it."""
    return session.exec(
        select(RiskSettings).where(
            RiskSettings.park_id == park_id, scope.parks(RiskSettings.park_id)
        )
    ).first()


def settings_changes(session: Session, scope: Scope, park_id: int, limit: int = 20):
    """The latest changes of a park's settings."""
    return list(
        session.exec(
            select(RiskSettingsChange)
            .where(RiskSettingsChange.park_id == park_id, scope.parks(RiskSettingsChange.park_id))
            .order_by(RiskSettingsChange.at.desc())
            .limit(limit)
        )
    )


def warnings_between(session: Session, scope: Scope, start, end) -> dict[str, tuple[int, int]]:
    """Warnings raised in [start, end) by kind: how many, and how many of them are handled."""
    handled = func.count().filter(RiskWarning.status == "handled")
    rows = session.exec(
        select(RiskWarning.kind, func.count(), handled)
        .where(
            scope.rows(RiskWarning.park_id, RiskWarning.enterprise_id),
            RiskWarning.raised_at >= start,
            RiskWarning.raised_at < end,
        )
        .group_by(RiskWarning.kind)
    ).all()
    return {kind: (count, done) for kind, count, done in rows}


def worsened_between(session: Session, scope: Scope, start, end) -> list:
    """Each enterprise whose grade worsened in [start, end): its latest such change."""
    rows = session.exec(
        select(RiskHistory, Enterprise.name)
        .join(Enterprise, Enterprise.id == RiskHistory.enterprise_id)
        .where(
            scope.rows(RiskHistory.park_id, RiskHistory.enterprise_id),
            RiskHistory.at >= start,
            RiskHistory.at < end,
            RiskHistory.from_grade.is_not(None),
        )
        .order_by(RiskHistory.at.desc())
    ).all()
    latest: dict[int, tuple] = {}
    for change, name in rows:
        if RANK[change.grade] > RANK[change.from_grade]:
            latest.setdefault(change.enterprise_id, (change, name))
    return list(latest.values())
