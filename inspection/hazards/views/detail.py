"""One hazard's page: what was found, its photos and history, and the forms of its next steps;
the helpers every action on it shares."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from inspection import clock
from inspection import labels
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.auth.scope import Scope
from inspection.auth.scope import request_scope
from inspection.db import get_session
from inspection.downloads import content_disposition
from inspection.downloads import csv_text
from inspection.downloads import file_name
from inspection.enterprises.models import Enterprise
from inspection.evidence import queries as photo_queries
from inspection.evidence.models import Document
from inspection.evidence.services import unclaimed_uploads
from inspection.evidence.uploads import posted_ids
from inspection.forms import ConfirmForm
from inspection.forms import choices
from inspection.forms import parse_version
from inspection.hazards import extensions
from inspection.hazards import lifecycle
from inspection.hazards import plans
from inspection.hazards import queries
from inspection.hazards import services
from inspection.hazards.confirmation import awaits_confirmation
from inspection.hazards.context import park_of
from inspection.hazards.forms import ConfirmFindingForm
from inspection.hazards.forms import DecisionCommentForm
from inspection.hazards.forms import ExtensionDecisionForm
from inspection.hazards.forms import ExtensionRequestForm
from inspection.hazards.forms import FixOnSpotForm
from inspection.hazards.forms import ListForm
from inspection.hazards.forms import PlanForm
from inspection.hazards.forms import ReasonForm
from inspection.hazards.forms import ReassignForm
from inspection.hazards.forms import ResumptionForm
from inspection.hazards.forms import ReviewForm
from inspection.hazards.forms import SubmitRectificationForm
from inspection.hazards.forms import VoidForm
from inspection.hazards.models import Hazard
from inspection.hazards.models import Notice
from inspection.hazards.reviewers import reviewers
from inspection.hazards.views import bp
from inspection.inspections.models import Inspection
from inspection.inspections.queries import inspector_names
from inspection.security import services as security
from inspection.web import commit_or_refuse
from inspection.web import place_under_fields

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
    "confirm_finding_form": ConfirmFindingForm,
    "resumption_form": ResumptionForm,
}


# The detail forms that carry photos, uploaded ahead as they are chosen.
PHOTO_FORMS = ("submit_form", "review_form", "fix_form")


def upload_field(form) -> str:
    """The name under which a photo form posts the ids of the photos it uploaded ahead."""
    return f"{form._prefix}photo_ids"


def uploaded_ids(form) -> list[int]:
    return posted_ids(upload_field(form))


def kept_uploads(hazard_id: int, forms: dict) -> dict[str, list[int]]:
    """For each photo form, the photos a refused submission had uploaded ahead and that are
    still unclaimed, so the form comes back with them."""
    kept = {}
    for name in PHOTO_FORMS:
        ids = uploaded_ids(forms[name]) if forms[name].is_submitted() else []
        free = set(unclaimed_uploads(get_session(), ids, actor=current_user, hazard_id=hazard_id))
        kept[name] = [i for i in ids if i in free]
    return kept


def detail_form(name: str, *, empty: bool = False):
    """One of the detail page's forms, with its own prefix so field ids never collide."""
    form_class = DETAIL_FORMS[name]
    prefix = name.removesuffix("_form")
    return form_class(formdata=None, prefix=prefix) if empty else form_class(prefix=prefix)


def form_version(form) -> int:
    """The hazard version a detail form was filled in on."""
    return parse_version(form.version.data)


def load_hazard(hazard_id: int) -> Hazard:
    return queries.get_hazard(get_session(), current_user, hazard_id) or abort(404)


def inspector_choices(form, inspectors=None, parks: Scope | None = None) -> None:
    """The inspectors a form may choose: of the parks in scope (the user's, by default)."""
    if inspectors is None:
        inspectors = inspector_names(get_session(), parks or request_scope(current_user))
    form.inspector_id.choices = choices((u.id, u.display_name) for u in inspectors)


def render_detail(
    hazard: Hazard, status: int = 200, error: str | None = None, decision_form=None, **forms
):
    db = get_session()
    user = current_user
    # The forms sent (refused): the summary at the top links to their wrong fields.
    posted_forms = [*forms.values(), decision_form]
    for name in DETAIL_FORMS:
        forms.setdefault(name, detail_form(name, empty=True))
    for name in DETAIL_FORMS:
        if not forms[name].version.data:
            forms[name].version.data = hazard.version
    _resume_report(hazard, forms["submit_form"])
    if hazard.listed:
        # Accepting a listed hazard does not close it: a supervisor's 摘牌 does.
        forms["review_form"].decision.choices = choices(
            [
                ("accept", _("Accept (a supervisor's removal from the list closes it)")),
                ("reject", _("Reject")),
            ]
        )
    reassign_form = ReassignForm(formdata=None, prefix="reassign")
    inspector_choices(reassign_form, parks=Scope(park_id=hazard.park_id))
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
    allowed = lifecycle.allowed_events(hazard, user)
    # Re-inspection the user may not do himself: say up front who can (they were notified).
    review_by = (
        [u.display_name for u in reviewers(db, hazard)]
        if hazard.state == "submitted"
        and has_permission(user, Permission.REVIEW_RECTIFICATION)
        and not {"accept", "reject"} & allowed
        else None
    )
    return render_template(
        "hazards/detail.html",
        hazard=hazard,
        enterprise=db.get(Enterprise, hazard.enterprise_id),
        inspection=db.get(Inspection, hazard.inspection_id) if hazard.inspection_id else None,
        notice=notice,
        plan=plan,
        plan_document=db.get(Document, plan.document_id) if plan and plan.document_id else None,
        plan_needed=hazard.level == "major" and not plans.plan_complete(db, hazard),
        awaits_confirmation=awaits_confirmation(hazard),
        evaluation_required=services.evaluation_required(hazard),
        confirmation_min_people=park_of(db, hazard).confirmation_min_people,
        requests=requests,
        pending=pending,
        decision_form=decision_form or ExtensionDecisionForm(formdata=None, prefix="decision"),
        can_decide_extension=pending is not None
        and has_permission(user, Permission.DECIDE_EXTENSIONS)
        and user.role == approver,
        photos=photo_queries.photos_of_hazard(db, hazard.id),
        event_photos=photo_queries.photos_by_event(db, hazard.id),
        event_documents=photo_queries.documents_by_event(db, hazard.id),
        events=queries.history(db, hazard.id),
        event_data={e.id: json.loads(e.data) for e, _name in queries.history(db, hazard.id)},
        names=names,
        allowed=allowed,
        review_by=review_by,
        can=lambda permission: has_permission(user, Permission(permission)),
        reassign_form=reassign_form,
        overdue=hazard.is_overdue(clock.today()),
        today=clock.today(),
        # The park's cap on extensions: the date picker refuses what the server would.
        extension_max=extensions.latest_deadline(park_of(db, hazard), hazard),
        extension_min=max(hazard.deadline, clock.today()) + timedelta(days=1)
        if hazard.deadline
        else clock.today(),
        labels=labels,
        confirm_form=ConfirmForm(),
        kept=kept_uploads(hazard.id, forms),
        posted_forms=posted_forms,
        upload_fields={name: upload_field(forms[name]) for name in PHOTO_FORMS},
        photo_upload_url=url_for("hazards.upload_photo", hazard_id=hazard.id),
        error=error,
        **forms,
    ), status


def _resume_report(hazard: Hazard, form) -> None:
    """After a rejection the report form starts from the last report, to be corrected."""
    if form.measures.data or form.responsible_person.data or not hazard.rectification_measures:
        return
    form.measures.data = hazard.rectification_measures
    form.responsible_person.data = hazard.responsible_person
    form.funding_yuan.data = hazard.funding_yuan


@bp.get("/hazards/<id:hazard_id>")
@require(Permission.VIEW_HAZARDS)
def detail(hazard_id: int):
    """One hazard: what was found, the photos, the history and the next step."""
    return render_detail(load_hazard(hazard_id))


def act(hazard_id: int, form_name: str, form, perform):
    """Run one action on a hazard: check the form, call the service, commit once.

    On a refusal nothing is kept: the page comes back with the message and what was typed.
    """
    hazard = load_hazard(hazard_id)
    done = _already_done(hazard, form_name, form)
    if done is not None:
        flash(
            _(
                "This was already saved (%(action)s, %(time)s); it was not saved a second time.",
                action=labels.event_label(done.event, done.to_state),
                time=format_datetime(done.at, "yyyy-MM-dd HH:mm"),
            ),
            "warning",
        )
        return redirect(url_for("hazards.detail", hazard_id=hazard_id))
    if not form.validate():
        return render_detail(hazard, 422, **{form_name: form})
    return commit_or_refuse(
        lambda: perform(get_session(), hazard, form),
        then=url_for("hazards.detail", hazard_id=hazard_id),
        message=lambda said: said,
        refused=shown_again(hazard_id, **{form_name: form}),
    )


# The steps each detail form takes, to know a form sent again (Back, then Save) from a new one.
FORM_EVENTS = {
    "submit_form": {"submit"},
    "review_form": {"accept", "reject"},
    "fix_form": {"fix_on_spot"},
    "void_form": {"void"},
    "plan_form": {"plan"},
    "extension_form": {"request_extension"},
    "list_form": {"list"},
    "delist_form": {"delist"},
    "refuse_form": {"refuse"},
    "resume_form": {"resume"},
}


def _already_done(hazard: Hazard, form_name: str, form):
    """The step this very form already made, when it is sent a second time: it was filled in on
    the version just before the latest, and the latest step is this user's of the same kind."""
    if form_version(form) != hazard.version - 1:
        return None
    history = queries.history(get_session(), hazard.id)
    if not history:
        return None
    last = history[-1][0]
    if last.actor_id != current_user.id or last.event not in FORM_EVENTS.get(form_name, ()):
        return None
    return last


def shown_again(hazard_id: int, **forms):
    """A refusal's answer: the hazard's page again, with what was typed, and each message under
    the field it is about (`DomainError.fields`), or at the top when it concerns no one field."""

    def refused(error):
        placed = place_under_fields(error, *forms.values())
        hazard = load_hazard(hazard_id)
        if placed:
            return render_detail(hazard, error.status, **forms)
        return render_detail(hazard, error.status, error=error.message, **forms)

    return refused


@bp.get("/hazards/<id:hazard_id>/history.csv")
@require(Permission.VIEW_HAZARDS)
def history_csv(hazard_id: int):
    """The hazard's whole history, with each event's hash, as CSV."""
    hazard = load_hazard(hazard_id)
    db = get_session()
    heading = [
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
    rows = [
        [
            event.seq,
            clock.local(event.at).isoformat(timespec="seconds"),
            labels.event_label(event.event, event.to_state),
            labels.label(labels.HAZARD_STATES, event.from_state),
            labels.label(labels.HAZARD_STATES, event.to_state),
            actor or "",
            event.comment or "",
            event.data,
            event.hash,
        ]
        for event, actor in queries.history(db, hazard.id)
    ]
    name = _("%(number)s history", number=hazard.number)
    security.record_download(
        db, actor=current_user, what="hazard_history", park_id=hazard.park_id, hazard=hazard.number
    )
    db.commit()
    return Response(
        "".join(csv_text([heading, *rows])),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition(file_name(name) + ".csv")},
    )
