"""Choosing the park a bureau user works in (or the whole region), and the park's settings."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import session as web_session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required

from inspection.auth.permissions import Permission
from inspection.auth.permissions import refuse
from inspection.auth.permissions import require
from inspection.auth.scope import CHOSEN_PARK
from inspection.auth.scope import scope_of
from inspection.db import get_session
from inspection.forms import parse_id
from inspection.parks import services
from inspection.parks.forms import WorkflowSettingsForm
from inspection.parks.models import Park
from inspection.parks.queries import require_working_park
from inspection.parks.queries import working_park
from inspection.web import commit_or_refuse
from inspection.web import flash_refusal
from inspection.web import safe_next

bp = Blueprint("parks", __name__)


@bp.post("/parks/choose")
@login_required
def choose():
    """Narrow a bureau user's pages to one park of the region, or widen them to all of it."""
    if current_user.region_id is None:
        refuse()
    value = request.form.get("park", "")
    if value in ("", "all"):
        web_session.pop(CHOSEN_PARK, None)
    else:
        try:
            park = get_session().get(Park, parse_id(value))
        except ValueError:
            park = None
        if park is None or not scope_of(current_user).covers(park):
            abort(404)
        web_session[CHOSEN_PARK] = park.id
    return redirect(safe_next(request.form.get("next")) or url_for("auth.index"))


@bp.route("/park/settings", methods=["GET", "POST"])
@require(Permission.MANAGE_PARK)
def settings():
    """The park's workflow settings: levels, 研判, re-inspection and the extension rules."""
    db = get_session()
    park = working_park(db, current_user)
    form = WorkflowSettingsForm(obj=park) if request.method == "GET" else WorkflowSettingsForm()

    def page(status: int = 200):
        return render_template("parks/settings.html", form=form, park=park), status

    if park is None or not form.validate_on_submit():
        return page(422 if form.errors else 200)
    return commit_or_refuse(
        lambda: services.update_workflow_settings(
            db,
            park=require_working_park(db, current_user),
            actor=current_user,
            settings={name: getattr(form, name).data for name in services.WORKFLOW_SETTINGS},
        ),
        then=url_for("parks.settings"),
        message=_("The park's settings have been saved."),
        refused=lambda refused: page(flash_refusal(refused)),
    )
