"""Freezing a task's pool: the canonical document whose hash is published before the draw."""

from __future__ import annotations

import json
import secrets

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.draws import queries
from inspection.draws.models import Conflict
from inspection.draws.models import DrawTask
from inspection.draws.models import Officer
from inspection.draws.models import TaskStatus
from inspection.draws.tasks import EVERY_STRATUM
from inspection.draws.tasks import witnesses
from inspection.draws.verify_draw import ALGORITHM
from inspection.draws.verify_draw import entry_digest
from inspection.draws.verify_draw import nonce_digest
from inspection.draws.verify_draw import pool_hash
from inspection.enterprises.models import RISK_FLAGS
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.parks.models import Park
from inspection.risk.frequency import grade_caps

NO_CLASS = "none"


def candidates(session: Session, task: DrawTask) -> list[queries.DirectoryEntry]:
    """The directory entries a task draws from: the park's active enterprises, filtered when the
    task is 定向."""
    scope = Scope(park_id=task.park_id)
    stmt = queries.directory_select(scope)
    filters = json.loads(task.filters or "{}") if task.directed else {}
    if filters.get("industry"):
        stmt = stmt.where(Enterprise.industry.in_(filters["industry"]))
    if filters.get("zone_id"):
        stmt = stmt.where(Enterprise.zone_id == filters["zone_id"])
    if filters.get("risk") in RISK_FLAGS:
        stmt = stmt.where(getattr(Enterprise, f"risk_{filters['risk']}").is_(True))
    entries = queries.directory(session, scope, list(session.exec(stmt)), task.year)
    if filters.get("credit"):
        entries = [e for e in entries if (e.credit_class or NO_CLASS) in filters["credit"]]
    if filters.get("grade"):
        entries = [e for e in entries if (e.risk_grade or NO_CLASS) in filters["grade"]]
    return entries


def stratum_of(task: DrawTask, entry: queries.DirectoryEntry) -> str:
    """The key of the stratum an enterprise falls in."""
    if task.strata_by == "credit":
        return entry.credit_class or NO_CLASS
    if task.strata_by == "risk":
        return entry.risk_grade or NO_CLASS
    if task.strata_by == "industry":
        return entry.enterprise.industry
    return "all"


def split_by_cap(entries: list[queries.DirectoryEntry]):
    """The enterprises below their yearly cap, and those at it: left out, and listed as such in
    the pool document. The cap is the risk feature's one rule (`risk.frequency.cap_checks`)."""
    below = [e for e in entries if not e.at_cap]
    at_cap = [e for e in entries if e.at_cap]
    return below, at_cap


def freeze(session: Session, *, task: DrawTask, actor: User) -> DrawTask:
    """Freeze the pool: write its canonical document and publish its SHA-256."""
    if task.status != TaskStatus.DRAFT:
        raise DomainError(_("The pool of this task is already frozen."))
    today = clock.today()
    park = session.get(Park, task.park_id)
    below, at_cap = split_by_cap(candidates(session, task))
    if not below:
        raise DomainError(
            _(
                "No enterprise is left to draw from: change the filters, or wait for the next year"
                " if every one has reached its yearly cap."
            )
        )
    quotas = json.loads(task.quotas)
    strata: dict[str, list[queries.DirectoryEntry]] = {}
    for entry in below:
        strata.setdefault(stratum_of(task, entry), []).append(entry)
    for key in strata:
        if key not in quotas and EVERY_STRATUM not in quotas:
            raise DomainError(
                _("Give a quota for the stratum “%(key)s”, or one for every stratum (*).", key=key)
            )
    officers, excluded_officers = _officers(session, task, expert=False, today=today)
    experts, _expired_experts = _officers(session, task, expert=True, today=today)
    if task.with_expert and not experts:
        raise DomainError(_("The task asks for an expert, but the expert pool has none valid."))
    openings, exclusions = {}, []
    conflicts = _conflicts(session, task)
    last = (
        queries.last_officers(session, [e.enterprise.id for e in below])
        if (task.avoid_last_officers)
        else {}
    )
    certificate_of = {o.id: o.certificate_no for o in officers + experts}
    by_user = {o.user_id: o.certificate_no for o in officers if o.user_id}
    short = []
    for entry in below:
        enterprise = entry.enterprise
        opening = secrets.token_hex(16)
        digest = entry_digest(enterprise.credit_code, opening)
        openings[digest] = {
            "enterprise_id": enterprise.id,
            "credit_code": enterprise.credit_code,
            "name": enterprise.name,
            "opening": opening,
        }
        out = {}
        for officer_id in conflicts.get(enterprise.id, ()):
            if officer_id in certificate_of:
                out[certificate_of[officer_id]] = "conflict_declared"
        for user_id in last.get(enterprise.id, ()):
            if user_id in by_user:
                out.setdefault(by_user[user_id], "last_inspection")
        exclusions += [
            {"entry": digest, "certificate": c, "reason": r} for c, r in sorted(out.items())
        ]
        if (
            len([o for o in officers if o.certificate_no not in out])
            < task.inspectors_per_enterprise
        ):
            short.append(enterprise.name)
    if short:
        raise DomainError(
            _(
                "After 回避 too few officers are left for: %(names)s. Add officers to the"
                " directory or lower the team size.",
                names="、".join(short[:5]) + ("…" if len(short) > 5 else ""),
            )
        )
    digest_of = {o["enterprise_id"]: d for d, o in openings.items()}
    document = {
        "algorithm": ALGORITHM,
        "task": {"id": task.id, "name": task.name, "park": park.name, "year": task.year},
        "items": [
            {"code": i.code, "version": i.version, "title": i.title}
            for i in queries.task_items(session, task)
        ],
        "selection": {
            "directed": task.directed,
            "filters": json.loads(task.filters or "{}"),
            "strata_by": task.strata_by,
        },
        # The yearly cap of each risk grade, and how many enterprises it left out, why.
        "yearly_caps": grade_caps(session, task.park_id),
        "left_out": {"yearly_cap_reached": len(at_cap)},
        "inspectors_per_enterprise": task.inspectors_per_enterprise,
        "with_expert": task.with_expert,
        "strata": [
            {
                "key": key,
                "quota": quotas.get(key, quotas.get(EVERY_STRATUM)),
                "entries": [digest_of[e.enterprise.id] for e in strata[key]],
            }
            for key in sorted(strata)
        ],
        "officers": [_public(o) for o in officers],
        "experts": [_public(o) for o in experts] if task.with_expert else [],
        "excluded_officers": excluded_officers,
        "exclusions": exclusions,
        "public_value": {"source": task.public_source, "date": task.public_date.isoformat()},
        "witnesses": [
            {"name": w.name, "role": w.role, "nonce_sha256": nonce_digest(w.nonce)}
            for w in witnesses(session, task)
        ],
    }
    task.pool_document = json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1)
    task.pool_sha256 = pool_hash(document)
    task.openings = json.dumps(
        {
            "entries": openings,
            "at_cap": [
                {
                    "enterprise_id": e.enterprise.id,
                    "count": e.inspections_this_year,
                    "cap": e.yearly_cap,
                }
                for e in at_cap
            ],
        },
        ensure_ascii=False,
    )
    task.status = TaskStatus.FROZEN
    task.frozen_at = clock.now()
    task.frozen_by_id = actor.id
    task.version += 1
    session.add(task)
    session.flush()
    return task


def _public(officer: Officer) -> dict:
    """What the pool publishes of an officer: name, certificate, team and specialty."""
    return {
        "certificate": officer.certificate_no,
        "name": officer.name,
        "team": officer.team or "",
        "specialty": officer.specialty or "",
    }


def _officers(session: Session, task: DrawTask, *, expert: bool, today):
    """The directory's officers (or experts) who may be drawn, and those who may not, why."""
    fit, unfit = [], []
    day = max(today, task.start_date)
    for officer in session.exec(
        select(Officer).where(Officer.park_id == task.park_id, Officer.expert.is_(expert))
    ):
        reason = queries.unfit_reason(officer, today) or queries.unfit_reason(officer, day)
        if reason is None:
            fit.append(officer)
        elif officer.active:
            unfit.append(
                {
                    "certificate": officer.certificate_no,
                    "name": officer.name,
                    "reason": "certificate_not_valid",
                    "until": officer.valid_until.isoformat(),
                }
            )
    fit.sort(key=lambda o: o.certificate_no)
    unfit.sort(key=lambda o: o["certificate"])
    return fit, unfit


def _conflicts(session: Session, task: DrawTask) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for conflict in session.exec(select(Conflict).where(Conflict.park_id == task.park_id)):
        out.setdefault(conflict.enterprise_id, set()).add(conflict.officer_id)
    return out


def document(task: DrawTask) -> dict | None:
    """The frozen pool document of a task."""
    return json.loads(task.pool_document) if task.pool_document else None


def private(task: DrawTask) -> dict:
    """The private side of a frozen pool: openings and the enterprises left out at their cap."""
    return json.loads(task.openings) if task.openings else {"entries": {}, "at_cap": []}
