"""The risk pages: an enterprise's grade and why, the warnings, the park's settings and the
month's risk-based inspections."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspection import clock
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.db import get_session
from inspection.enterprises import queries as enterprise_queries
from inspection.forms import choices
from inspection.forms import parse_version
from inspection.inspections import queries as inspection_queries
from inspection.pagination import parse_page
from inspection.parks.queries import require_working_park
from inspection.risk import frequency
from inspection.risk import planning
from inspection.risk import queries
from inspection.risk import services
from inspection.risk import warnings as warning_services
from inspection.risk.chart import history_chart
from inspection.risk.facts import settings_values
from inspection.risk.forms import LiftForm
from inspection.risk.forms import NoteForm
from inspection.risk.forms import OverrideForm
from inspection.risk.forms import ProposalForm
from inspection.risk.forms import SettingsForm
from inspection.risk.models import WarningKind
from inspection.risk.models import WarningStatus
from inspection.risk.scoring import GROUPS
from inspection.risk.scoring import SETTINGS
from inspection.web import commit_or_refuse
from inspection.web import flash_refusal
from inspection.web import under_field_or_flashed

bp = Blueprint("risk", __name__, url_prefix="/risk")

GROUP_TITLES = {
    "inherent": _("Inherent risk (points)"),
    "dynamic": _("What the system knows (points)"),
    "thresholds": _("Thresholds"),
    "rules": _("Mandatory rules"),
    "intervals": _("Inspection intervals"),
    "caps": _("Yearly inspection cap per enterprise"),
    "repeats": _("Repeat hazards"),
}


def thresholds(park_id: int) -> tuple[int, int, int]:
    """A park's yellow, orange and red thresholds."""
    values = settings_values(get_session(), park_id)
    return tuple(values[f"threshold_{g}"] for g in ("yellow", "orange", "red"))


def _enterprise(enterprise_id: int):
    found = enterprise_queries.get_enterprise(get_session(), current_user, enterprise_id)
    return found or abort(404)


@bp.get("/enterprises/<id:enterprise_id>")
@require(Permission.VIEW_HAZARDS)
def enterprise(enterprise_id: int):
    """An enterprise's grade, its breakdown factor by factor, and its history as a chart."""
    db = get_session()
    found = _enterprise(enterprise_id)
    standing = queries.standing(db, request_scope(current_user), found)
    supervising = has_permission(current_user, Permission.SUPERVISE_RISK)
    return render_template(
        "risk/enterprise.html",
        enterprise=found,
        standing=standing,
        chart=history_chart(
            standing.history, _("Risk score over the last year"), thresholds(found.park_id)
        ),
        names={s.name: s.label for s in SETTINGS},
        override_form=OverrideForm() if supervising else None,
        lift_form=LiftForm() if supervising and standing.override else None,
    )


@bp.post("/enterprises/<id:enterprise_id>/override")
@require(Permission.SUPERVISE_RISK)
def override(enterprise_id: int):
    """Set a mandatory grade for an enterprise, with the reason."""
    db = get_session()
    found = _enterprise(enterprise_id)
    form = OverrideForm()
    back = url_for("risk.enterprise", enterprise_id=found.id)
    return commit_or_refuse(
        lambda: services.set_override(
            db,
            enterprise=found,
            actor=current_user,
            grade_=form.grade.data,
            reason=form.reason.data,
        ),
        then=back,
        message=_("The mandatory grade is set and the enterprise regraded."),
        refused=back,
    )


@bp.post("/enterprises/<id:enterprise_id>/override/lift")
@require(Permission.SUPERVISE_RISK)
def lift(enterprise_id: int):
    """End an enterprise's mandatory grade."""
    db = get_session()
    found = _enterprise(enterprise_id)
    form = LiftForm()
    back = url_for("risk.enterprise", enterprise_id=found.id)
    return commit_or_refuse(
        lambda: services.lift_override(
            db, enterprise=found, actor=current_user, reason=form.reason.data
        ),
        then=back,
        message=_("The mandatory grade is lifted and the enterprise regraded."),
        refused=back,
    )


@bp.get("/warnings")
@require(Permission.SUPERVISE_RISK)
def warnings():
    """The warnings of the supervisor's parks, newest first, filtered by kind and status."""
    db = get_session()
    scope = request_scope(current_user)
    kind = request.args.get("kind") or None
    status = request.args.get("status", WarningStatus.NEW)
    if kind not in (None, *WarningKind):
        kind = None
    if status not in (*WarningStatus, "all"):
        status = WarningStatus.NEW
    page = queries.warnings(
        db,
        scope,
        kind=kind,
        status=None if status == "all" else status,
        page=parse_page(request.args.get("page")),
    )
    rows = [
        (w, name, json.loads(w.details), warning_services.summary(w.kind, json.loads(w.details)))
        for w, name in page.items
    ]
    return render_template(
        "risk/warnings.html",
        page=page,
        rows=rows,
        kind=kind,
        status=status,
        counts=queries.open_warning_counts(db, scope),
        form=NoteForm(),
    )


def _warning_action(warning_id: int, action):
    db = get_session()
    found = queries.warning(db, request_scope(current_user), warning_id) or abort(404)
    form = NoteForm()
    back = request.form.get("next") or url_for("risk.warnings")
    if not back.startswith("/risk/warnings"):
        back = url_for("risk.warnings")
    return commit_or_refuse(
        lambda: action(
            db,
            warning=found,
            actor=current_user,
            note=form.note.data,
            expected_version=parse_version(form.version.data),
        ),
        then=back,
        message=_("The warning is updated."),
        refused=back,
    )


@bp.post("/warnings/<id:warning_id>/acknowledge")
@require(Permission.SUPERVISE_RISK)
def acknowledge(warning_id: int):
    """Mark a warning as seen."""
    return _warning_action(warning_id, warning_services.acknowledge)


@bp.post("/warnings/<id:warning_id>/handle")
@require(Permission.SUPERVISE_RISK)
def handle(warning_id: int):
    """Mark a warning as dealt with, saying how."""
    return _warning_action(warning_id, warning_services.handle)


@bp.route("/settings", methods=["GET", "POST"])
@require(Permission.SUPERVISE_RISK)
def settings():
    """The park's weights, thresholds, mandatory rules, intervals and caps, with their sources."""
    db = get_session()
    park = require_working_park(db, current_user)
    scope = request_scope(current_user)
    row = queries.settings_row(db, scope, park.id)
    values = settings_values(db, park.id)
    form = SettingsForm(data=values if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = row.version if row else 1

    def page(status: int = 200):
        return render_template(
            "risk/settings.html",
            form=form,
            park=park,
            groups=[(g, GROUP_TITLES[g], [s for s in SETTINGS if s.group == g]) for g in GROUPS],
            changes=queries.settings_changes(db, scope, park.id),
        ), status

    if form.validate_on_submit():
        wanted = {s.name: getattr(form, s.name).data for s in SETTINGS}

        def refused(error):
            for name, text in getattr(error, "fields", {}).items():
                target = getattr(form, name, None)
                if target is not None:
                    target.errors = [*target.errors, text]
            return page(flash_refusal(error))

        return commit_or_refuse(
            lambda: services.update_settings(
                db,
                park_id=park.id,
                actor=current_user,
                values=wanted,
                reason=form.reason.data,
                expected_version=parse_version(form.version.data),
            ),
            then=url_for("risk.settings"),
            message=lambda change: _(
                "The settings are saved; every enterprise was regraded (%(count)s changed grade"
                " or score).",
                count=change.regraded,
            ),
            refused=refused,
        )
    return page(422 if request.method == "POST" else 200)


@bp.route("/plan", methods=["GET", "POST"])
@require(Permission.SUPERVISE_RISK)
def plan():
    """The coming month's inspections the grades' intervals call for, to review and confirm."""
    db = get_session()
    park = require_working_park(db, current_user)
    today = clock.today()
    month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    found = frequency.proposals(db, park.id, month)
    form = ProposalForm()
    form.enterprise_ids.choices = choices((p.enterprise_id, p.name) for p in found)
    form.inspector_ids.choices = choices(
        (u.id, u.display_name)
        for u in inspection_queries.active_inspectors(db, request_scope(current_user))
    )
    if request.method == "GET":
        form.enterprise_ids.data = [p.enterprise_id for p in found if not p.over_cap]

    def page(status: int = 200):
        return render_template(
            "risk/plan.html", form=form, proposals=found, month=month, park=park
        ), status

    if form.validate_on_submit():
        return commit_or_refuse(
            lambda: planning.confirm(
                db,
                park=park,
                actor=current_user,
                month=month,
                enterprise_ids=form.enterprise_ids.data,
                inspector_ids=form.inspector_ids.data,
                over_cap_reason=form.over_cap_reason.data,
            ),
            then=url_for("inspections.all"),
            message=lambda planned: _("%(count)s inspections are planned.", count=len(planned)),
            refused=under_field_or_flashed(form, page),
        )
    return page(422 if request.method == "POST" else 200)
