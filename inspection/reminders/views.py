"""The admin page for the park's reminder rules."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspection import clock
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.db import get_session
from inspection.forms import parse_version
from inspection.parks.queries import require_working_park
from inspection.reminders import policy as policies
from inspection.reminders.forms import PolicyForm
from inspection.reminders.models import SweepState
from inspection.reminders.sweep import JOB
from inspection.security import services as security
from inspection.security.models import EventKind
from inspection.web import commit_or_refuse
from inspection.web import flash_refusal

bp = Blueprint("reminders", __name__, url_prefix="/admin/reminders")


@bp.route("/", methods=["GET", "POST"])
@require(Permission.MANAGE_NOTIFICATIONS)
def policy():
    """Show and change when reminders and escalations go out."""
    db = get_session()
    park = require_working_park(db, current_user)
    current = policies.policy_for(db, park.id)
    form = PolicyForm(obj=current if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = current.version

    def page(status: int = 200):
        state = db.get(SweepState, JOB)
        return render_template(
            "reminders/policy.html",
            form=form,
            last_sweep=state.last_day if state else None,
            today=clock.today(),
        ), status

    if form.validate_on_submit():
        values = {
            name: getattr(form, name).data for name in (*policies.DAY_LISTS, *policies.COUNTS)
        }
        values["digest_hour"] = form.digest_hour.data
        values["on_day"] = form.on_day.data
        return commit_or_refuse(
            lambda: (
                policies.update_policy(
                    db, park.id, values, expected_version=parse_version(form.version.data)
                ),
                security.record(
                    db,
                    kind=EventKind.SETTINGS_CHANGED,
                    actor=current_user,
                    park_id=park.id,
                    data={"setting": "reminder_policy", "values": values},
                ),
            ),
            then=url_for("reminders.policy"),
            message=_("The reminder rules are saved; the next sweep uses them."),
            refused=lambda refused: page(flash_refusal(refused)),
        )
    return page(422 if request.method == "POST" else 200)
