"""The enterprise portal: an enterprise user's home, showing only its own enterprise."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask_login import current_user

from inspection import clock
from inspection import labels
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.db import get_session
from inspection.enterprises.models import Enterprise
from inspection.hazards import queries as hazard_queries
from inspection.hazards.models import OPEN_STATES
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardState
from inspection.risk import queries as risk_queries

bp = Blueprint("portal", __name__)


@bp.get("/portal")
@require(Permission.RECTIFY)
def index():
    """Notices to acknowledge, hazards to rectify (overdue first) and those recently closed."""
    db = get_session()
    enterprise = db.get(Enterprise, current_user.enterprise_id)
    visible = hazard_queries.visible_hazards(current_user)
    open_hazards = list(
        db.exec(visible.where(Hazard.state.in_(OPEN_STATES)).order_by(Hazard.deadline, Hazard.id))
    )
    closed = list(
        db.exec(
            visible.where(Hazard.state == HazardState.CLOSED)
            .order_by(Hazard.closed_at.desc())
            .limit(10)
        )
    )
    return render_template(
        "portal/index.html",
        enterprise=enterprise,
        notices=hazard_queries.notices_of_enterprise(
            db, current_user, enterprise.id, unacknowledged_only=True
        ),
        open_hazards=open_hazards,
        closed=closed,
        counts=hazard_queries.enterprise_counts(db, current_user, enterprise.id),
        risk=risk_queries.standing(db, request_scope(current_user), enterprise).risk,
        today=clock.today(),
        labels=labels,
    )
