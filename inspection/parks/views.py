"""Choosing the park a bureau user works in (or the whole region)."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import redirect
from flask import request
from flask import session as web_session
from flask import url_for
from flask_login import current_user
from flask_login import login_required

from inspection.auth.permissions import refuse
from inspection.auth.scope import CHOSEN_PARK
from inspection.auth.scope import scope_of
from inspection.db import get_session
from inspection.forms import parse_id
from inspection.parks.models import Park
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
