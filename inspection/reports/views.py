"""Report pages: ask for a supervision report or a hazard ledger, watch it being built,
download it when it is ready."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from inspection import clock
from inspection import labels
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.dashboard.queries import period_choices
from inspection.db import get_session
from inspection.downloads import content_disposition
from inspection.downloads import file_name
from inspection.enterprises import queries as enterprise_queries
from inspection.errors import DomainError
from inspection.forms import ConfirmForm
from inspection.pagination import paginate
from inspection.pagination import parse_page
from inspection.reports import jobs
from inspection.reports.models import JobStatus
from inspection.reports.models import ReportJob
from inspection.security import services as security
from inspection.statistics.periods import Period
from inspection.storage.serving import send_stored
from inspection.web import commit_or_refuse

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _job(job_id: int) -> ReportJob:
    job = get_session().exec(jobs.visible(current_user).where(ReportJob.id == job_id)).first()
    if job is None:
        abort(404)
    return job


@bp.get("/")
@login_required
def index():
    """The reports asked for, newest first, and the form to ask for another."""
    db = get_session()
    page = paginate(
        db,
        jobs.visible(current_user).order_by(ReportJob.created_at.desc(), ReportJob.id.desc()),
        page=parse_page(request.args.get("page")),
        per_page=current_app.config["PAGE_SIZE"],
    )
    staff = has_permission(current_user, Permission.VIEW_DASHBOARD)
    return render_template(
        "reports/index.html",
        page=page,
        staff=staff,
        periods=[p for p in period_choices(clock.today()) if len(p.months) <= 3],
        stages=jobs.STAGES,
        titles={job.id: jobs.title_of(db, job) for job in page.items},
        labels=labels,
        confirm_form=ConfirmForm(),
    )


@bp.post("/")
@require(Permission.VIEW_DASHBOARD)
def request_supervision():
    """Ask for a supervision report; the scheduler builds it."""
    if not ConfirmForm().validate():
        abort(400)

    def change():
        try:
            period = Period.parse(request.form.get("period"), clock.today())
        except ValueError as error:
            raise DomainError(str(error)) from error
        return jobs.request_supervision(
            get_session(), actor=current_user, period=period, parks=request_scope(current_user)
        )

    return commit_or_refuse(
        change,
        then=lambda job: url_for("reports.job", job_id=job.id),
        refused=url_for("reports.index"),
    )


@bp.post("/ledger/<id:enterprise_id>")
@login_required
def ledger(enterprise_id: int):
    """Ask for an enterprise's hazard ledger as a PDF."""
    if not ConfirmForm().validate():
        abort(400)
    db = get_session()
    enterprise = enterprise_queries.get_enterprise(db, current_user, enterprise_id)
    if enterprise is None:
        abort(404)
    return commit_or_refuse(
        lambda: jobs.request_ledger(db, actor=current_user, enterprise=enterprise),
        then=lambda job: url_for("reports.job", job_id=job.id),
        refused=url_for("reports.index"),
    )


@bp.get("/<id:job_id>")
@login_required
def job(job_id: int):
    """How far a report has got; the download once it is ready."""
    report = _job(job_id)
    return render_template(
        "reports/job.html",
        job=report,
        title=jobs.title_of(get_session(), report),
        stages=jobs.STAGES,
        waiting=_waiting_too_long(report),
    )


@bp.get("/<id:job_id>/status")
@login_required
def status(job_id: int):
    """The progress, for the page to poll."""
    report = _job(job_id)
    return jsonify(
        status=report.status,
        progress=report.progress,
        stage=str(jobs.STAGES.get(report.stage or "queued", "")),
        error=report.error,
        download=url_for("reports.download", job_id=report.id)
        if report.status == JobStatus.DONE
        else None,
        waiting_too_long=_waiting_too_long(report),
    )


@bp.get("/<id:job_id>/download")
@login_required
def download(job_id: int):
    """The finished PDF."""
    report = _job(job_id)
    key = jobs.pdf_key(report)
    if key is None:
        abort(404)
    db = get_session()
    security.record_download(
        db,
        actor=current_user,
        what="report_pdf",
        park_id=report.park_id,
        report=report.id,
        title=report.title,
    )
    db.commit()
    response = send_stored(
        key, mimetype="application/pdf", as_attachment=False, etag=report.file_name, max_age=0
    )
    response.headers["Content-Disposition"] = content_disposition(
        f"{file_name(report.title)}.pdf", inline=True
    )
    return response


def _waiting_too_long(report: ReportJob) -> bool:
    """Queued for over two minutes: the scheduler is probably not running."""
    return (
        report.status == JobStatus.QUEUED
        and (clock.now() - report.created_at).total_seconds() > 120
    )
