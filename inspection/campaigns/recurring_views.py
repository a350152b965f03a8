"""Pages for recurring inspection plans and the holidays they plan around."""

from __future__ import annotations

import json

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlmodel import select

from inspection import clock
from inspection import labels
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.campaigns import queries
from inspection.campaigns import recurring
from inspection.campaigns.forms import HolidayForm
from inspection.campaigns.forms import RecurringPlanForm
from inspection.campaigns.models import Campaign
from inspection.campaigns.models import RecurringPlan
from inspection.campaigns.views import checklist_choices
from inspection.campaigns.views import inspector_choices
from inspection.checklists.models import ChecklistVersion
from inspection.db import get_session
from inspection.enterprises import queries as enterprise_queries
from inspection.enterprises.models import INDUSTRY_SECTORS
from inspection.forms import ConfirmForm
from inspection.forms import choices
from inspection.forms import parse_version
from inspection.parks.queries import require_working_park
from inspection.web import commit_or_refuse
from inspection.web import under_field_or_flashed

bp = Blueprint("recurring", __name__, url_prefix="/campaigns")


@bp.get("/recurring")
@require(Permission.PLAN_INSPECTIONS)
def index():
    """The recurring plans, when each next inspects, and any problem planning them."""
    db = get_session()
    plans = list(
        db.exec(
            select(RecurringPlan)
            .where(request_scope(current_user).rows(RecurringPlan.park_id))
            .order_by(RecurringPlan.name)
        )
    )
    made = {
        plan.id: db.exec(
            select(Campaign)
            .where(Campaign.recurring_plan_id == plan.id)
            .order_by(Campaign.occurrence.desc())
            .limit(1)
        ).first()
        for plan in plans
    }
    return render_template(
        "campaigns/recurring.html",
        plans=plans,
        next_dates={plan.id: recurring.next_occurrence(db, plan) for plan in plans},
        latest=made,
        checklist_names={plan.id: _version_titles(db, plan) for plan in plans},
        inspector_names={
            plan.id: [u.display_name for u in recurring.team_members_of(db, plan)] for plan in plans
        },
        labels=labels,
        confirm_form=ConfirmForm(),
    )


def _version_titles(db, plan: RecurringPlan) -> list[str]:
    versions = (db.get(ChecklistVersion, vid) for vid in json.loads(plan.version_ids or "[]"))
    return [version.title for version in versions if version is not None]


def _choices(form: RecurringPlanForm) -> None:
    db = get_session()
    form.industry.choices = choices(
        [("", _("All industries"))] + [(n, n) for n in INDUSTRY_SECTORS]
    )
    form.risk.choices = choices([("", _("Any"))] + list(labels.RISK_FLAGS.items()))
    zones = enterprise_queries.zones(db, require_working_park(db, current_user).id)
    form.zone.choices = choices([("", _("All zones"))] + [(str(z.id), z.name) for z in zones])
    checklist_choices(form)
    inspector_choices(form)


@bp.route("/recurring/new", methods=["GET", "POST"])
@bp.route("/recurring/<id:plan_id>", methods=["GET", "POST"])
@require(Permission.PLAN_INSPECTIONS)
def edit(plan_id: int | None = None):
    """Create or change a recurring plan."""
    db = get_session()
    plan = queries.get_plan(db, current_user, plan_id) if plan_id else None
    if plan_id and plan is None:
        abort(404)
    form = RecurringPlanForm(obj=plan if request.method == "GET" else None)
    _choices(form)
    if request.method == "GET":
        if plan is not None:
            form.version.data = plan.version
            form.checklists.data = json.loads(plan.version_ids)
            form.inspectors.data = json.loads(plan.inspector_ids)
            form.zone.data = str(plan.zone_id or "")
            form.industry.data = plan.industry or ""
            form.risk.data = plan.risk or ""
        elif current_user.role == "inspector":
            form.inspectors.data = [current_user.id]

    def page(status: int = 200):
        return render_template("campaigns/recurring_form.html", form=form, plan=plan), status

    if form.validate_on_submit():
        zone = form.zone.data or ""
        values = {
            "name": form.name.data,
            "recurrence": form.recurrence.data,
            "type": form.type.data,
            "day": form.day.data,
            "days_before_holiday": form.days_before_holiday.data,
            "lead_days": form.lead_days.data,
            "duration_days": form.duration_days.data,
            "industry": form.industry.data or None,
            "risk": form.risk.data or None,
            "zone_id": int(zone) if zone.isdigit() else None,
            "version_ids": form.checklists.data or [],
            "inspector_ids": form.inspectors.data or [],
            "active": form.active.data,
            "over_cap_reason": form.over_cap_reason.data,
        }
        return commit_or_refuse(
            lambda: recurring.save_plan(
                db,
                actor=current_user,
                park=require_working_park(db, current_user),
                plan=plan,
                values=values,
                expected_version=parse_version(form.version.data),
            ),
            then=url_for("recurring.index"),
            message=lambda saved: _("The plan %(name)s is saved.", name=saved.name),
            refused=under_field_or_flashed(form, page),
        )
    return page(422 if request.method == "POST" else 200)


@bp.post("/recurring/plan-now")
@require(Permission.PLAN_INSPECTIONS)
def plan_now():
    """Make the inspections that are due to be planned now, without waiting for the night."""
    if not ConfirmForm().validate():
        abort(400)
    result = recurring.plan_due(get_session(), request_scope(current_user))
    if result.problems:
        flash(
            ngettext(
                "%(num)d occurrence could not be planned; see the plans below.",
                "%(num)d occurrences could not be planned; see the plans below.",
                result.problems,
            ),
            "error",
        )
    flash(
        _(
            "%(campaigns)s campaigns with %(inspections)s inspections planned.",
            campaigns=result.campaigns,
            inspections=result.inspections,
        ),
        "success",
    )
    return redirect(url_for("recurring.index"))


@bp.route("/holidays", methods=["GET", "POST"])
@require(Permission.PLAN_INSPECTIONS)
def holidays():
    """The holidays that plans inspect before."""
    db = get_session()
    form = HolidayForm()

    def page(status: int = 200):
        return render_template(
            "campaigns/holidays.html",
            form=form,
            holidays=recurring.holidays_in(db, request_scope(current_user)),
            today=clock.today(),
            confirm_form=ConfirmForm(),
        ), status

    if form.validate_on_submit():
        return commit_or_refuse(
            lambda: recurring.add_holiday(
                db,
                park=require_working_park(db, current_user),
                name=form.name.data,
                start=form.start_date.data,
                end=form.end_date.data,
            ),
            then=url_for("recurring.holidays"),
            message=lambda holiday: _("%(name)s is added.", name=holiday.name),
            refused=under_field_or_flashed(form, page),
        )
    return page(422 if request.method == "POST" else 200)


@bp.post("/holidays/<id:holiday_id>/delete")
@require(Permission.PLAN_INSPECTIONS)
def delete_holiday(holiday_id: int):
    """Take a holiday off the list."""
    db = get_session()
    holiday = queries.get_holiday(db, current_user, holiday_id) or abort(404)
    if not ConfirmForm().validate():
        abort(400)
    db.delete(holiday)
    db.commit()
    flash(_("%(name)s is removed.", name=holiday.name), "success")
    return redirect(url_for("recurring.holidays"))
