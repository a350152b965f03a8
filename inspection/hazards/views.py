"""Hazard pages: the list, one hazard with its history and each step of its rectification,
notices and their PDF, the major-hazard register, and bulk actions."""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import stream_with_context
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspection import clock
from inspection import labels
from inspection.auth.models import User
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import is_enterprise_user
from inspection.auth.permissions import require
from inspection.db import get_session
from inspection.enterprises import queries as enterprise_queries
from inspection.enterprises.models import INDUSTRY_SECTORS
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Park
from inspection.enterprises.services import current_park
from inspection.evidence import queries as photo_queries
from inspection.evidence.documents import check_upload
from inspection.evidence.models import Document
from inspection.evidence.services import check_uploads
from inspection.forms import ConfirmForm
from inspection.forms import choices
from inspection.hazards import bulk
from inspection.hazards import export
from inspection.hazards import extensions
from inspection.hazards import followup
from inspection.hazards import lifecycle
from inspection.hazards import listing
from inspection.hazards import plans
from inspection.hazards import queries
from inspection.hazards import services
from inspection.hazards.forms import BulkForm
from inspection.hazards.forms import DecisionCommentForm
from inspection.hazards.forms import ExtensionDecisionForm
from inspection.hazards.forms import ExtensionRequestForm
from inspection.hazards.forms import FixOnSpotForm
from inspection.hazards.forms import ListForm
from inspection.hazards.forms import PlanForm
from inspection.hazards.forms import ReasonForm
from inspection.hazards.forms import ReassignForm
from inspection.hazards.forms import ReviewForm
from inspection.hazards.forms import SubmitRectificationForm
from inspection.hazards.forms import VoidForm
from inspection.hazards.models import ExtensionRequest
from inspection.hazards.models import Hazard
from inspection.hazards.models import Notice
from inspection.inspections.models import Inspection
from inspection.inspections.queries import inspector_names
from inspection.inspections.queries import team
from inspection.pagination import parse_page
from inspection.reports.pdf import render_pdf
from inspection.web import commit_or_refuse

bp = Blueprint("hazards", __name__)

# The forms of the detail page, by the name the template knows them.
DETAIL_FORMS = {
    "submit_form": SubmitRectificationForm,
    "review_form": ReviewForm,
    "fix_form": FixOnSpotForm,
    "void_form": VoidForm,
    "plan_form": PlanForm,
    "extension_form": ExtensionRequestForm,
    "list_form": ListForm,
    "delist_form": DecisionCommentForm,
    "refuse_form": ReasonForm,
    "resume_form": ReasonForm,
}


def _form(name: str, *, empty: bool = False):
    """One of the detail page's forms, with its own prefix so field ids never collide."""
    form_class = DETAIL_FORMS[name]
    prefix = name.removesuffix("_form")
    return form_class(formdata=None, prefix=prefix) if empty else form_class(prefix=prefix)


def _version(form) -> int:
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return -1


def _load(hazard_id: int) -> Hazard:
    return queries.get_hazard(get_session(), current_user, hazard_id) or abort(404)


@bp.get("/hazards/")
@require(Permission.VIEW_HAZARDS)
def index():
    """The hazard list with filters, pagination and bulk actions."""
    db = get_session()
    filters = queries.HazardFilters.from_args(request.args)
    page = queries.list_hazards(
        db,
        current_user,
        filters,
        page=parse_page(request.args.get("page")),
        per_page=current_app.config["PAGE_SIZE"],
    )
    enterprise = None
    if filters.enterprise_id is not None:
        enterprise = enterprise_queries.get_enterprise(db, current_user, filters.enterprise_id)
    zones, inspectors = [], []
    if not is_enterprise_user(current_user):
        zones = enterprise_queries.zones(db, current_park(db).id)
        inspectors = inspector_names(db)
    # Ticking hazards and the bulk form come when asked for (?bulk=1): the everyday list stays
    # light, and a tablet user does not tick boxes by accident.
    can_act_in_bulk = has_permission(current_user, Permission.BULK_ACTIONS)
    bulk_form = None
    if can_act_in_bulk and request.args.get("bulk") == "1":
        bulk_form = BulkForm(formdata=None)
        _inspector_choices(bulk_form, inspectors)
    return render_template(
        "hazards/index.html",
        page=page,
        filters=filters,
        industries=list(INDUSTRY_SECTORS),
        inspectors=inspectors,
        enterprise=enterprise,
        zones=zones,
        bulk_form=bulk_form,
        can_act_in_bulk=can_act_in_bulk,
        today=clock.today(),
        labels=labels,
    )


@bp.get("/hazards/export.<any(csv, xlsx):fmt>")
@require(Permission.VIEW_HAZARDS)
def export_list(fmt: str):
    """The filtered list as the hazard ledger, in CSV or Excel, streamed."""
    filters = queries.HazardFilters.from_args(request.args)
    rows = export.rows_for(queries.ledger_statement(current_user, filters))
    stamp = clock.today().strftime("%Y%m%d")
    name = f"hazard-ledger-{stamp}.{fmt}"
    if fmt == "csv":
        body, mimetype = export.csv_lines(rows), "text/csv; charset=utf-8"
    else:
        body = export.xlsx_chunks(rows, title=_("Hazard ledger"))
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        stream_with_context(body),
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


def _inspector_choices(form, inspectors=None) -> None:
    if inspectors is None:
        inspectors = inspector_names(get_session())
    form.inspector_id.choices = choices((u.id, u.display_name) for u in inspectors)


def _render_detail(hazard: Hazard, status: int = 200, error: str | None = None, **forms):
    db = get_session()
    user = current_user
    for name in DETAIL_FORMS:
        forms.setdefault(name, _form(name, empty=True))
    for name in DETAIL_FORMS:
        if not forms[name].version.data:
            forms[name].version.data = hazard.version
    reassign_form = ReassignForm(formdata=None, prefix="reassign")
    _inspector_choices(reassign_form)
    reassign_form.inspector_id.data = hazard.assigned_inspector_id
    notice = db.get(Notice, hazard.notice_id) if hazard.notice_id else None
    plan = plans.current_plan(db, hazard.id)
    requests = extensions.requests_of(db, hazard.id)
    pending = next((r for r in requests if r.status == "pending"), None)
    names = queries.user_names(
        db,
        {
            hazard.found_by_id,
            hazard.reviewed_by_id,
            hazard.closed_by_id,
            hazard.assigned_inspector_id,
        }
        | {r.decided_by_id for r in requests},
    )
    approver = extensions.approver_role(db, hazard)
    return render_template(
        "hazards/detail.html",
        hazard=hazard,
        enterprise=db.get(Enterprise, hazard.enterprise_id),
        inspection=db.get(Inspection, hazard.inspection_id) if hazard.inspection_id else None,
        notice=notice,
        plan=plan,
        plan_document=db.get(Document, plan.document_id) if plan and plan.document_id else None,
        plan_needed=hazard.level == "major" and not plans.plan_complete(db, hazard),
        requests=requests,
        pending=pending,
        decision_form=ExtensionDecisionForm(formdata=None, prefix="decision"),
        can_decide_extension=pending is not None
        and has_permission(user, Permission.DECIDE_EXTENSIONS)
        and user.role == approver,
        photos=photo_queries.photos_of_hazard(db, hazard.id),
        event_photos=photo_queries.photos_by_event(db, hazard.id),
        event_documents=photo_queries.documents_by_event(db, hazard.id),
        events=queries.history(db, hazard.id),
        event_data={e.id: json.loads(e.data) for e, _name in queries.history(db, hazard.id)},
        names=names,
        allowed=lifecycle.allowed_events(hazard, user),
        can=lambda permission: has_permission(user, Permission(permission)),
        reassign_form=reassign_form,
        overdue=hazard.is_overdue(clock.today()),
        today=clock.today(),
        labels=labels,
        confirm_form=ConfirmForm(),
        error=error,
        **forms,
    ), status


@bp.get("/hazards/<id:hazard_id>")
@require(Permission.VIEW_HAZARDS)
def detail(hazard_id: int):
    """One hazard: what was found, the photos, the history and the next step."""
    return _render_detail(_load(hazard_id))


def _act(hazard_id: int, form_name: str, form, perform):
    """Run one action on a hazard: check the form, call the service, commit once.

    On a refusal nothing is kept: the page comes back with the message and what was typed.
    """
    hazard = _load(hazard_id)
    if not form.validate():
        return _render_detail(hazard, 422, **{form_name: form})
    return commit_or_refuse(
        lambda: perform(get_session(), hazard, form),
        then=url_for("hazards.detail", hazard_id=hazard_id),
        message=lambda said: said,
        refused=_shown_again(hazard_id, **{form_name: form}),
    )


def _shown_again(hazard_id: int, **forms):
    """A refusal's answer: the hazard's page again, with the message and what was typed."""
    return lambda refused: _render_detail(
        _load(hazard_id), refused.status, error=refused.message, **forms
    )


@bp.post("/hazards/<id:hazard_id>/submit")
@require(Permission.RECTIFY)
def submit(hazard_id: int):
    """The enterprise submits its rectification with after-photos."""

    def perform(db, hazard, form):
        services.submit_rectification(
            db,
            hazard=hazard,
            actor=current_user,
            measures=form.measures.data,
            responsible_person=form.responsible_person.data,
            funding_yuan=form.funding_yuan.data,
            photos=check_uploads(form.photos.data),
            expected_version=_version(form),
        )
        return _("The rectification has been submitted for re-inspection.")

    return _act(hazard_id, "submit_form", _form("submit_form"), perform)


@bp.post("/hazards/<id:hazard_id>/plan")
@require(Permission.RECTIFY)
def file_plan(hazard_id: int):
    """The enterprise files its rectification plan (五落实 for a major hazard)."""

    def perform(db, hazard, form):
        plans.file_plan(
            db,
            hazard=hazard,
            actor=current_user,
            responsible_person=form.responsible_person.data,
            measures=form.measures.data,
            funding_yuan=form.funding_yuan.data,
            planned_completion=form.planned_completion.data,
            contingency_plan=form.contingency_plan.data,
            document=check_upload(form.document.data),
            expected_version=_version(form),
        )
        return _("The rectification plan has been filed.")

    return _act(hazard_id, "plan_form", _form("plan_form"), perform)


@bp.post("/hazards/<id:hazard_id>/extension")
@require(Permission.RECTIFY)
def request_extension(hazard_id: int):
    """The enterprise asks for a later deadline."""

    def perform(db, hazard, form):
        extensions.request_extension(
            db,
            hazard=hazard,
            actor=current_user,
            reason=form.reason.data,
            requested_deadline=form.requested_deadline.data,
            expected_version=_version(form),
        )
        return _("The extension request has been sent.")

    return _act(hazard_id, "extension_form", _form("extension_form"), perform)


@bp.post("/extensions/<id:request_id>/decision")
@require(Permission.DECIDE_EXTENSIONS)
def decide_extension(request_id: int):
    """A supervisor (or inspector, per park) approves or refuses an extension request."""
    db = get_session()
    extension = db.get(ExtensionRequest, request_id) or abort(404)
    hazard = _load(extension.hazard_id)
    form = ExtensionDecisionForm(prefix="decision")
    if not form.validate():
        return _render_detail(hazard, 422)
    approve = form.decision.data == "approve"
    return commit_or_refuse(
        lambda: extensions.decide_extension(
            db, request=extension, actor=current_user, approve=approve, comment=form.comment.data
        ),
        then=url_for("hazards.detail", hazard_id=hazard.id),
        message=_("The extension was approved.") if approve else _("The extension was refused."),
        refused=_shown_again(hazard.id),
    )


@bp.post("/hazards/<id:hazard_id>/review")
@require(Permission.REVIEW_RECTIFICATION)
def review(hazard_id: int):
    """The re-inspector accepts (closes) or rejects the rectification."""

    def perform(db, hazard, form):
        photos = check_uploads(form.photos.data)
        if form.decision.data == "accept":
            services.accept_rectification(
                db,
                hazard=hazard,
                actor=current_user,
                comment=form.comment.data,
                photos=photos,
                expected_version=_version(form),
                review_mode=form.mode.data,
            )
            if hazard.state == "accepted":
                return _(
                    "Hazard %(number)s passed re-inspection; a supervisor must approve its"
                    " removal from the list to close it.",
                    number=hazard.number,
                )
            return _("Hazard %(number)s is closed.", number=hazard.number)
        services.reject_rectification(
            db,
            hazard=hazard,
            actor=current_user,
            reason=form.comment.data,
            new_deadline=form.new_deadline.data,
            photos=photos,
            expected_version=_version(form),
            review_mode=form.mode.data,
        )
        return _("The rectification was rejected and sent back to the enterprise.")

    return _act(hazard_id, "review_form", _form("review_form"), perform)


@bp.post("/hazards/<id:hazard_id>/fix-on-spot")
@require(Permission.INSPECT)
def fix_on_spot(hazard_id: int):
    """即查即改: close a hazard fixed during the inspection, with its after-photo."""

    def perform(db, hazard, form):
        services.fix_on_spot(
            db,
            hazard=hazard,
            actor=current_user,
            comment=form.comment.data,
            photos=check_uploads(form.photos.data),
            expected_version=_version(form),
        )
        return _("Hazard %(number)s was fixed on the spot and closed.", number=hazard.number)

    return _act(hazard_id, "fix_form", _form("fix_form"), perform)


@bp.post("/hazards/<id:hazard_id>/void")
@require(Permission.VOID_HAZARDS)
def void(hazard_id: int):
    """Withdraw a hazard recorded in error."""

    def perform(db, hazard, form):
        services.void_hazard(
            db,
            hazard=hazard,
            actor=current_user,
            reason=form.reason.data,
            expected_version=_version(form),
        )
        return _("Hazard %(number)s has been voided.", number=hazard.number)

    return _act(hazard_id, "void_form", _form("void_form"), perform)


@bp.post("/hazards/<id:hazard_id>/list")
@require(Permission.SUPERVISE_MAJOR)
def list_for_supervision(hazard_id: int):
    """挂牌督办: list an open major hazard for supervision."""

    def perform(db, hazard, form):
        listing.list_hazard(
            db,
            hazard=hazard,
            actor=current_user,
            level=form.level.data,
            body=form.body.data,
            listed_on=form.listed_on.data,
            stop_production=form.stop_production.data,
            comment=form.comment.data,
            expected_version=_version(form),
        )
        return _("Hazard %(number)s is listed for supervision.", number=hazard.number)

    return _act(hazard_id, "list_form", _form("list_form"), perform)


@bp.post("/hazards/<id:hazard_id>/delist")
@require(Permission.SUPERVISE_MAJOR)
def delist(hazard_id: int):
    """摘牌销号: approve removing an accepted listed hazard from the list; it closes."""

    def perform(db, hazard, form):
        listing.delist_hazard(
            db,
            hazard=hazard,
            actor=current_user,
            comment=form.comment.data,
            expected_version=_version(form),
        )
        return _("Hazard %(number)s is removed from the list and closed.", number=hazard.number)

    return _act(hazard_id, "delist_form", _form("delist_form"), perform)


@bp.post("/hazards/<id:hazard_id>/refuse")
@require(Permission.FOLLOW_UP)
def refuse(hazard_id: int):
    """拒不整改: record the enterprise's refusal and escalate to enforcement."""

    def perform(db, hazard, form):
        services.lock(db, hazard)
        lifecycle.apply(
            db,
            hazard,
            "refuse",
            current_user,
            comment=form.reason.data,
            expected_version=_version(form),
        )
        return _("Hazard %(number)s is escalated to enforcement.", number=hazard.number)

    return _act(hazard_id, "refuse_form", _form("refuse_form"), perform)


@bp.post("/hazards/<id:hazard_id>/resume")
@require(Permission.SUPERVISE_MAJOR)
def resume(hazard_id: int):
    """Send an escalated hazard back to rectification."""

    def perform(db, hazard, form):
        services.lock(db, hazard)
        lifecycle.apply(
            db,
            hazard,
            "resume",
            current_user,
            comment=form.reason.data,
            expected_version=_version(form),
        )
        return _("Hazard %(number)s is back in rectification.", number=hazard.number)

    return _act(hazard_id, "resume_form", _form("resume_form"), perform)


@bp.post("/hazards/<id:hazard_id>/reassign")
@require(Permission.FOLLOW_UP)
def reassign(hazard_id: int):
    """Give the hazard's follow-up to another inspector."""
    form = ReassignForm(prefix="reassign")
    _inspector_choices(form)
    hazard = _load(hazard_id)
    if not form.validate():
        return _render_detail(hazard, 422, error=_("Choose an active inspector."))
    db = get_session()
    inspector = db.get(User, form.inspector_id.data) if form.inspector_id.data else None
    return commit_or_refuse(
        lambda: followup.reassign(db, hazard=hazard, actor=current_user, inspector=inspector),
        then=url_for("hazards.detail", hazard_id=hazard_id),
        message=lambda _hazard: _(
            "%(name)s now follows this hazard up.", name=inspector.display_name
        ),
        refused=_shown_again(hazard_id),
    )


@bp.post("/hazards/<id:hazard_id>/remind")
@require(Permission.FOLLOW_UP)
def remind(hazard_id: int):
    """Remind the enterprise of the deadline now."""
    hazard = _load(hazard_id)
    if not ConfirmForm().validate():
        abort(400)
    return commit_or_refuse(
        lambda: followup.remind(get_session(), hazard=hazard, actor=current_user),
        then=url_for("hazards.detail", hazard_id=hazard_id),
        message=_("The enterprise has been reminded."),
        refused=_shown_again(hazard_id),
    )


@bp.get("/hazards/<id:hazard_id>/history.csv")
@require(Permission.VIEW_HAZARDS)
def history_csv(hazard_id: int):
    """The hazard's whole history, with each event's hash, as CSV."""
    hazard = _load(hazard_id)
    db = get_session()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            str(h)
            for h in (
                _("Step"),
                _("Time"),
                _("Action"),
                _("From"),
                _("To"),
                _("By"),
                _("Comment"),
                _("Details"),
                _("Hash"),
            )
        ]
    )
    for event, actor in queries.history(db, hazard.id):
        writer.writerow(
            [
                event.seq,
                clock.local(event.at).isoformat(timespec="seconds"),
                labels.label(labels.HAZARD_EVENTS, event.event),
                labels.label(labels.HAZARD_STATES, event.from_state),
                labels.label(labels.HAZARD_STATES, event.to_state),
                actor or "",
                event.comment or "",
                event.data,
                event.hash,
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={hazard.number}-history.csv"},
    )


@bp.post("/hazards/bulk")
@require(Permission.BULK_ACTIONS)
def bulk_action():
    """One action on the ticked hazards, or on all that match the list's filters."""
    db = get_session()
    form = BulkForm()
    _inspector_choices(form)
    if not form.validate():
        flash(_("Choose an action."), "error")
        return redirect(url_for("hazards.index", **request.args))
    filters = queries.HazardFilters.from_args(request.args)
    if form.scope.data == "all":
        rows = queries.filtered(db, current_user, filters)
    else:
        ids = [int(i) for i in request.form.getlist("hazard") if i.isdigit() and len(i) < 10]
        rows = queries.filtered(db, current_user, None, ids=ids)
    if not rows:
        flash(_("No hazards were chosen. Tick some, or choose all that match."), "error")
        return redirect(url_for("hazards.index", **request.args))
    if form.action.data == "export":
        return Response(
            stream_with_context(export.csv_lines(rows)),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=hazards.csv"},
        )
    inspector = db.get(User, form.inspector_id.data) if form.inspector_id.data else None
    report = bulk.run(
        db,
        hazards=[hazard for hazard, _name in rows],
        actor=current_user,
        action=form.action.data,
        inspector=inspector,
        new_deadline=form.new_deadline.data,
        reason=form.reason.data,
    )
    db.commit()
    return render_template(
        "hazards/bulk_report.html",
        report=report,
        labels=labels,
        back=url_for("hazards.index", **request.args),
    )


@bp.get("/major-hazards")
@require(Permission.VIEW_DASHBOARD)
def major_register():
    """The register of major hazards and their state (重大事故隐患台账)."""
    rows = queries.major_register(get_session(), open_only=request.args.get("open") == "1")
    return render_template(
        "hazards/major_register.html",
        rows=rows,
        today=clock.today(),
        open_only=request.args.get("open") == "1",
        labels=labels,
    )


@bp.get("/notices/<id:notice_id>")
@require(Permission.VIEW_HAZARDS)
def notice(notice_id: int):
    """A rectification notice and the hazards it lists."""
    db = get_session()
    found = queries.get_notice(db, current_user, notice_id) or abort(404)
    return render_template(
        "hazards/notice.html",
        notice=found,
        hazards=_notice_hazards(db, found),
        enterprise=db.get(Enterprise, found.enterprise_id),
        names=queries.user_names(db, {found.issued_by_id, found.acknowledged_by_id}),
        can_acknowledge=has_permission(current_user, Permission.RECTIFY)
        and found.acknowledged_at is None,
        confirm_form=ConfirmForm(),
        labels=labels,
        today=clock.today(),
    )


def _notice_hazards(db, found: Notice) -> list[Hazard]:
    return [
        h
        for h in queries.hazards_of_notice(db, found.id)
        if queries.get_hazard(db, current_user, h.id) is not None
    ]


@bp.get("/notices/<id:notice_id>/pdf")
@require(Permission.VIEW_HAZARDS)
def notice_pdf(notice_id: int):
    """The notice as a PDF in the official layout."""
    db = get_session()
    found = queries.get_notice(db, current_user, notice_id) or abort(404)
    enterprise = db.get(Enterprise, found.enterprise_id)
    inspection = db.get(Inspection, found.inspection_id) if found.inspection_id else None
    inspectors = [u.display_name for u, _lead in team(db, inspection.id)] if inspection else []
    acknowledged_by = db.get(User, found.acknowledged_by_id) if found.acknowledged_by_id else None
    pdf = render_pdf(
        "reports/notice.html",
        notice=found,
        park=db.get(Park, found.park_id),
        enterprise=enterprise,
        inspection=inspection,
        inspectors=inspectors,
        acknowledged_by=acknowledged_by.display_name if acknowledged_by else None,
        hazards=_notice_hazards(db, found),
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="notice-{found.id}.pdf"'},
    )


@bp.post("/notices/<id:notice_id>/acknowledge")
@require(Permission.RECTIFY)
def acknowledge(notice_id: int):
    """签收: the enterprise confirms receipt of the notice."""
    db = get_session()
    found = queries.get_notice(db, current_user, notice_id) or abort(404)
    if not ConfirmForm().validate():
        abort(400)
    return commit_or_refuse(
        lambda: services.acknowledge_notice(db, notice=found, actor=current_user),
        then=url_for("hazards.notice", notice_id=notice_id),
        message=_("Notice %(number)s has been acknowledged.", number=found.number),
    )
