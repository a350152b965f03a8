"""Assigned problems: the case list, importing a batch, one case and its steps, its case file
(一案一档), and the public posting page (公示) that needs no login."""

from __future__ import annotations

import re

from flask import Blueprint
from flask import Response
from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspection import clock
from inspection.assignments import importing
from inspection.assignments import lifecycle
from inspection.assignments import queries
from inspection.assignments import services
from inspection.assignments.forms import SOURCES
from inspection.assignments.forms import BatchForm
from inspection.assignments.forms import StepForm
from inspection.assignments.models import AssignedCase
from inspection.assignments.models import AssignmentBatch
from inspection.assignments.models import CaseState
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.db import get_session
from inspection.errors import DomainError
from inspection.evidence.documents import check_upload
from inspection.forms import parse_version
from inspection.i18n import lazy_gettext as _l
from inspection.pagination import paginate
from inspection.pagination import parse_page
from inspection.parks.models import Park
from inspection.parks.queries import require_working_park
from inspection.reports.pdf import render_pdf
from inspection.storage.content import content_key
from inspection.storage.serving import send_stored
from inspection.verification import services as verifying
from inspection.web import commit_or_refuse
from inspection.web import flash_refusal

bp = Blueprint("assignments", __name__)

STEP_NAMES = "plan,report,submit,accept,reject,post,object,close"
STEP_DONE = {
    "acknowledge": _l("The case has been acknowledged."),
    "plan": _l("The rectification plan has been filed."),
    "report": _l("The progress report has been kept."),
    "submit": _l("The case has been submitted for acceptance."),
    "accept": _l("The acceptance has been recorded."),
    "reject": _l("The case has been sent back for rectification."),
    "post": _l("The case is now publicly posted."),
    "object": _l("The objection has been recorded and the case reopened."),
    "close": _l("The case has been closed (销号)."),
}


def _context() -> dict:
    return {
        "states": lifecycle.CASE_STATES,
        "events": lifecycle.CASE_EVENTS,
        "sources": SOURCES,
        "today": clock.today(),
    }


@bp.get("/assignments/")
@require(Permission.VIEW_HAZARDS)
def index():
    """The cases the user may see, most urgent first, filtered by state, source and batch."""
    db = get_session()
    stmt = queries.visible_cases(current_user)
    state, source = request.args.get("state", ""), request.args.get("source", "")
    batch = request.args.get("batch", "")
    if state in set(CaseState):
        stmt = stmt.where(AssignedCase.state == state)
    elif state == "open":
        stmt = stmt.where(AssignedCase.state != CaseState.CLOSED)
    if source in SOURCES:
        stmt = stmt.where(AssignedCase.source == source)
    if batch.isdigit() and len(batch) < 10:
        stmt = stmt.where(AssignedCase.batch_id == int(batch))
    page = paginate(
        db,
        stmt.order_by(AssignedCase.deadline, AssignedCase.id),
        page=parse_page(request.args.get("page")),
        per_page=25,
    )
    return render_template(
        "assignments/index.html",
        page=page,
        names=queries.responsible_names(db, page.items),
        state=state,
        source=source,
        can_import=has_permission(current_user, Permission.PLAN_INSPECTIONS),
        **_context(),
    )


@bp.get("/assignments/batches")
@require(Permission.VIEW_INSPECTIONS)
def batches():
    """Every batch received, newest first."""
    db = get_session()
    rows = db.exec(
        queries.visible_batches(current_user).order_by(
            AssignmentBatch.received_on.desc(), AssignmentBatch.id.desc()
        )
    ).all()
    return render_template("assignments/batches.html", rows=rows, **_context())


@bp.route("/assignments/import", methods=["GET", "POST"])
@require(Permission.PLAN_INSPECTIONS)
def import_batch():
    """Import a batch from the issuing body's sheet: every row, or none."""
    db = get_session()
    form = BatchForm()

    def page(status: int = 200, problems=()):
        return render_template(
            "assignments/import.html", form=form, problems=problems, **_context()
        ), status

    if request.method == "GET":
        form.received_on.data = clock.today()
        return page()
    if not form.validate():
        return page(422)
    upload = form.file.data

    def change():
        return importing.import_batch(
            db,
            park=require_working_park(db, current_user),
            actor=current_user,
            facts=importing.BatchFacts(
                source=form.source.data,
                issuer=form.issuer.data,
                name=form.name.data,
                received_on=form.received_on.data,
                deadline=form.deadline.data,
            ),
            filename=upload.filename or "",
            data=upload.read(),
        )

    def refused(error: DomainError):
        return page(flash_refusal(error), getattr(error, "problems", ()))

    return commit_or_refuse(
        change,
        then=lambda result: url_for("assignments.batch", batch_id=result.batch.id),
        message=lambda result: _("%(count)s cases have been imported.", count=len(result.cases)),
        refused=refused,
    )


@bp.get("/assignments/template.xlsx")
@require(Permission.PLAN_INSPECTIONS)
def template():
    """The sheet to fill in."""
    return Response(
        importing.template_xlsx(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=assigned-cases-template.xlsx"},
    )


@bp.get("/assignments/batches/<id:batch_id>")
@require(Permission.VIEW_INSPECTIONS)
def batch(batch_id: int):
    """One batch and its cases."""
    db = get_session()
    found = queries.get_batch(db, current_user, batch_id) or abort(404)
    cases = db.exec(
        queries.visible_cases(current_user)
        .where(AssignedCase.batch_id == found.id)
        .order_by(AssignedCase.number)
    ).all()
    return render_template(
        "assignments/batch.html",
        batch=found,
        cases=cases,
        names=queries.responsible_names(db, cases),
        **_context(),
    )


def _load(case_id: int) -> AssignedCase:
    return queries.get_case(get_session(), current_user, case_id) or abort(404)


def _detail(case: AssignedCase, form: StepForm | None = None, *, error=None, status: int = 200):
    db = get_session()
    return render_template(
        "assignments/case.html",
        case=case,
        batch=db.get(AssignmentBatch, case.batch_id),
        responsible=queries.responsible_names(db, [case]).get(case.id, case.department),
        history=queries.history(db, case.id),
        allowed=lifecycle.allowed_events(case, current_user) - {"remind"},
        form=form or StepForm(formdata=None),
        error=error,
        **_context(),
    ), status


@bp.get("/assignments/cases/<id:case_id>")
@require(Permission.VIEW_HAZARDS)
def case(case_id: int):
    """One case: the problem, who owes it, its history with evidence, and the next steps."""
    return _detail(_load(case_id))


@bp.post("/assignments/cases/<id:case_id>/acknowledge")
@require(Permission.VIEW_HAZARDS)
def acknowledge(case_id: int):
    """签收."""
    found = _load(case_id)
    db = get_session()
    form = StepForm()
    return commit_or_refuse(
        lambda: services.acknowledge(
            db, case=found, actor=current_user, version=parse_version(form.version.data)
        ),
        then=url_for("assignments.case", case_id=found.id),
        message=str(STEP_DONE["acknowledge"]),
    )


@bp.post(f"/assignments/cases/<id:case_id>/<any({STEP_NAMES}):step>")
@require(Permission.VIEW_HAZARDS)
def act(case_id: int, step: str):
    """Any later step of the case: the lifecycle decides whether this user may take it now."""
    found = _load(case_id)
    db = get_session()
    form = StepForm()
    if not form.validate():
        return _detail(found, form, error=_("Correct the marked fields."), status=422)

    def change():
        document = check_upload(form.file.data)
        return services.STEPS[step](
            db,
            case=found,
            actor=current_user,
            step=services.Step(
                text=form.text.data or "",
                on=form.on.data,
                body=form.body.data or "",
                percent=form.percent.data,
                files=(document,) if document else (),
            ),
            version=parse_version(form.version.data),
        )

    def refused(error: DomainError):
        db.refresh(found)
        return _detail(found, form, status=flash_refusal(error))

    return commit_or_refuse(
        change,
        then=url_for("assignments.case", case_id=found.id),
        message=str(STEP_DONE[step]),
        refused=refused,
    )


@bp.get("/assignments/evidence/<id:evidence_id>")
@require(Permission.VIEW_HAZARDS)
def evidence(evidence_id: int):
    """Download one file of a case the user may see."""
    found = queries.get_evidence(get_session(), current_user, evidence_id) or abort(404)
    return send_stored(
        content_key(found.sha256),
        mimetype=found.content_type,
        etag=found.sha256,
        max_age=3600,
        as_attachment=True,
        download_name=found.filename,
    )


@bp.get("/assignments/cases/<id:case_id>/file.pdf")
@require(Permission.VIEW_HAZARDS)
def case_file(case_id: int):
    """一案一档: the case, every step and the files it kept, as one PDF."""
    found = _load(case_id)
    db = get_session()
    pdf = render_pdf(
        "reports/case_file.html",
        verifying.stamp(verifying.CASE, found.id),
        case=found,
        batch=db.get(AssignmentBatch, found.batch_id),
        responsible=queries.responsible_names(db, [found]).get(found.id, found.department),
        history=queries.history(db, found.id),
        generated_at=clock.now(),
        **_context(),
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=case-{found.id}.pdf"},
    )


# 公示: public pages, no login, showing only cases being posted and only the responsible unit.
@bp.get("/public/<id:park_id>/postings")
def postings(park_id: int):
    """The park's cases being publicly posted now."""
    db = get_session()
    park = db.get(Park, park_id) or abort(404)
    cases = queries.posted_cases(db, park.id)
    return render_template(
        "assignments/public_list.html",
        park=park,
        cases=cases,
        names=queries.responsible_names(db, cases),
        **_context(),
    )


@bp.get("/public/postings/<string(length=24):token>")
def posting(token: str):
    """One case being posted: the problem, what was done, the acceptance and the period."""
    db = get_session()
    found = queries.posted_case(db, token) or abort(404)
    return render_template(
        "assignments/public_case.html",
        case=found,
        park=db.get(Park, found.park_id),
        responsible=queries.responsible_names(db, [found]).get(found.id, found.department),
        done=[event for event, _files in queries.history(db, found.id) if event.event == "submit"],
        **_context(),
    )


PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)|(?<!\d)(0\d{2,3}-?)\d{7,8}(?!\d)")


@bp.app_template_filter("public_text")
def public_text(text: str | None) -> str:
    """Text for the public page with telephone numbers masked (1380000****)."""
    return PHONE.sub(lambda m: (m.group(1) or m.group(3)) + "****" + (m.group(2) or ""), text or "")
