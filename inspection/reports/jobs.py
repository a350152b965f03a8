"""Report jobs: asked for on a page, built by the scheduler with progress, downloaded when done.

A job is claimed with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), so a second scheduler
never builds the same report and a build cut short by a crash is taken up again later.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_
from sqlalchemy import or_
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.auth.scope import request_scope
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.reports import ledger
from inspection.reports import supervision
from inspection.reports.models import JobStatus
from inspection.reports.models import ReportJob
from inspection.reports.models import ReportKind
from inspection.reports.pdf import render_document
from inspection.statistics.periods import Period
from inspection.storage import storage
from inspection.verification import services as verifying

log = logging.getLogger(__name__)

STAGES = {
    "queued": _l("Waiting for the scheduler to start it"),
    "figures": _l("Reading the figures"),
    "breakdowns": _l("Working out the tables by zone and industry"),
    "hazards": _l("Collecting the hazards"),
    "photos": _l("Choosing the photos"),
    "inspections": _l("Listing the inspections"),
    "rendering": _l("Laying out the pages"),
    "saving": _l("Saving the PDF"),
    "done": _l("Ready"),
    "failed": _l("Failed"),
}
LEASE = timedelta(minutes=15)


def request_supervision(
    session: Session, *, actor: User, period: Period, parks: Scope
) -> ReportJob:
    """Ask for a supervision report for a period: of one park, or comparing a region's parks."""
    if actor.role not in (Role.SUPERVISOR, Role.INSPECTOR, Role.ADMIN):
        raise DomainError(_("Only park staff can ask for supervision reports."))
    if period.start > clock.today():
        raise DomainError(_("That period has not begun yet."))
    if parks.nothing:
        raise DomainError(_("Only park staff can ask for supervision reports."))
    job = ReportJob(
        kind=ReportKind.SUPERVISION,
        park_id=parks.park_id,
        region_id=parks.region_id if parks.is_region else None,
        period=period.code,
        title=_("Supervision report, %(period)s", period=period.label()),
        stage="queued",
        locale=actor.locale,
        requested_by_id=actor.id,
    )
    session.add(job)
    session.flush()
    return job


def title_of(session: Session, job: ReportJob) -> str:
    """A report's title in the reader's language (the stored title is in the asker's)."""
    if job.kind == ReportKind.SUPERVISION and job.period:
        try:
            period = Period.parse(job.period, clock.today())
        except ValueError:
            return job.title
        return _("Supervision report, %(period)s", period=period.label())
    if job.kind == ReportKind.LEDGER and job.enterprise_id:
        enterprise = session.get(Enterprise, job.enterprise_id)
        if enterprise is not None:
            return _("Hazard ledger of %(enterprise)s", enterprise=enterprise.name)
    return job.title


def request_ledger(session: Session, *, actor: User, enterprise: Enterprise) -> ReportJob:
    """Ask for an enterprise's hazard ledger (its own users, or staff)."""
    if actor.role == Role.ENTERPRISE and actor.enterprise_id != enterprise.id:
        raise DomainError(_("There is nothing here, or it is not yours to see."))
    job = ReportJob(
        kind=ReportKind.LEDGER,
        park_id=enterprise.park_id,
        enterprise_id=enterprise.id,
        title=_("Hazard ledger of %(enterprise)s", enterprise=enterprise.name),
        stage="queued",
        locale=actor.locale,
        requested_by_id=actor.id,
    )
    session.add(job)
    session.flush()
    return job


def visible(user: User):
    """The jobs a user may see: staff their parks' reports (and bureau staff the region's
    comparisons); an enterprise its own ledgers only."""
    scope = request_scope(user)
    stmt = select(ReportJob)
    if user.role == Role.ENTERPRISE:
        return stmt.where(
            ReportJob.kind == ReportKind.LEDGER,
            scope.rows(ReportJob.park_id, ReportJob.enterprise_id),
        )
    if scope.is_region:
        return stmt.where(
            or_(scope.parks(ReportJob.park_id), ReportJob.region_id == scope.region_id)
        )
    return stmt.where(scope.parks(ReportJob.park_id))


def claim(session: Session) -> ReportJob | None:
    """Take the oldest queued job (or one whose builder died) and commit the claim."""
    now = clock.now()
    stmt = (
        select(ReportJob)
        .where(
            or_(
                ReportJob.status == JobStatus.QUEUED,
                and_(ReportJob.status == JobStatus.RUNNING, ReportJob.lease_until < now),
            )
        )
        .order_by(ReportJob.created_at, ReportJob.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    job = session.exec(stmt).first()
    if job is None:
        session.rollback()
        return None
    job.status = JobStatus.RUNNING
    job.started_at = now
    job.lease_until = now + LEASE
    job.progress = 0
    session.commit()
    return job


def build(session: Session, job: ReportJob) -> None:
    """Build one claimed job, committing its progress as it goes."""

    def step(stage: str, progress: int) -> None:
        job.stage = stage
        job.progress = progress
        job.lease_until = clock.now() + LEASE
        session.commit()

    try:
        with force_locale(job.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            if job.kind == ReportKind.SUPERVISION:
                period = Period.parse(job.period, clock.today())
                context = supervision.context(session, period, job_scope(job), step)
                template = "reports/supervision.html"
            else:
                enterprise = session.get(Enterprise, job.enterprise_id or 0)
                if enterprise is None:
                    raise DomainError(_("The enterprise no longer exists."))
                context = ledger.context(session, enterprise, step)
                template = "reports/ledger.html"
            step("rendering", 60)
            stamp = verifying.stamp(verifying.REPORT, job.id)
            pdf, pages = render_document(template, stamp, **context)
        step("saving", 95)
        name = f"{job.id}-{secrets.token_hex(8)}.pdf"
        storage().put(f"reports/{name}", pdf)
        job.file_name, job.size_bytes, job.pages = name, len(pdf), pages
        job.status, job.stage, job.progress = JobStatus.DONE, "done", 100
        job.finished_at = clock.now()
        job.lease_until = None
        session.commit()
    except Exception as broken:  # the page must say what happened, not spin for ever
        session.rollback()
        log.exception("report job %s failed", job.id)
        job = session.get(ReportJob, job.id)
        job.status, job.stage = JobStatus.FAILED, "failed"
        job.error = getattr(broken, "message", None) or repr(broken)[:500]
        job.finished_at = clock.now()
        job.lease_until = None
        session.commit()


def job_scope(job: ReportJob) -> Scope:
    """The parks a supervision report is about: its park, or its region's parks."""
    if job.park_id is not None:
        return Scope(park_id=job.park_id)
    if job.region_id is not None:
        return Scope(region_id=job.region_id)
    raise DomainError(_("The report names no park or region."))


def run_queued(
    session: Session, *, limit: int = 3, stop: Callable[[], bool] = lambda: False
) -> int:
    """Build up to `limit` waiting jobs (the scheduler calls this every few seconds); none more
    once `stop` says the process is shutting down."""
    built = 0
    while built < limit and not stop() and (job := claim(session)) is not None:
        build(session, job)
        built += 1
    return built


def pdf_key(job: ReportJob) -> str | None:
    """The storage key of a finished job's PDF."""
    if job.status != JobStatus.DONE or not job.file_name:
        return None
    return f"reports/{job.file_name}"
