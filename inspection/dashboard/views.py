"""Supervision pages: the dashboard, an enterprise's scorecard and the inspectors' workload."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from inspection import clock
from inspection import labels
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.dashboard import queries
from inspection.db import get_session
from inspection.enterprises import queries as enterprise_queries
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Zone
from inspection.risk import queries as risk_queries
from inspection.statistics import summary
from inspection.statistics.figures import Subject
from inspection.statistics.periods import Period

bp = Blueprint("dashboard", __name__)

# The dashboard's scope filters, by query-string name (the hazard list uses the same names).
SCOPES = ("zone", "industry", "enterprise", "inspector", "category", "source")


def read_period() -> tuple[Period, list[str]]:
    """The period asked for, or this year with a message saying why not."""
    try:
        return Period.parse(request.args.get("period"), clock.today()), []
    except ValueError as wrong:
        return Period.parse("", clock.today()), [str(wrong)]


def read_subject() -> tuple[Subject, list[str]]:
    """The parks in the user's scope, narrowed by at most one filter; nonsense is named and
    left out."""
    parks = request_scope(current_user)
    checks = {
        "zone": lambda v: v.isdigit() and len(v) < 10,
        "enterprise": lambda v: v.isdigit() and len(v) < 10,
        "inspector": lambda v: v.isdigit() and len(v) < 10,
        "category": lambda v: v in labels.HAZARD_CATEGORIES,
        "source": lambda v: v in labels.INSPECTION_TYPES,
        "industry": lambda v: len(v) <= 32,
    }
    for name in SCOPES:
        value = (request.args.get(name) or "").strip()
        if not value:
            continue
        if not checks[name](value):
            message = _(
                "“%(value)s” is not a valid %(filter)s; the figures are for the whole park.",
                value=value[:40],
                filter=labels.label(labels.FILTER_NAMES, name),
            )
            return Subject(parks), [message]
        return Subject(parks, name, value), []
    return Subject(parks), []


def _render(template: str, period: Period, subject: Subject, problems: list[str], **context):
    db = get_session()
    return render_template(
        template,
        summary=summary.summarise(db, period, subject),
        period=period,
        scope=subject,
        problems=problems,
        list_args=summary.list_args,
        periods=queries.period_choices(clock.today()),
        today=clock.today(),
        labels=labels,
        **context,
    )


@bp.get("/dashboard")
@require(Permission.VIEW_DASHBOARD)
def index():
    """The period's figures with their trend and one breakdown (`by`), and how things stand
    now."""
    db = get_session()
    period, problems = read_period()
    subject, subject_problems = read_subject()
    titles = summary.titles(subject.parks)
    by = request.args.get("by")
    if by not in titles:
        by = next(iter(titles))
    whole = subject.dimension == "park"
    return _render(
        "dashboard/index.html",
        period,
        subject,
        problems + subject_problems,
        scope_name=queries.scope_name(db, subject),
        by=by,
        breakdown=summary.breakdown(db, period, by, subject.parks) if whole else None,
        breakdown_titles=titles,
        parks=summary.compare_parks(db, period, subject.parks) if subject.parks.is_region else None,
        overdue=queries.overdue_list(db, current_user),
        major=queries.open_major(db, current_user),
        grades=risk_queries.distribution(db, subject.parks),
        worse=risk_queries.getting_worse(db, subject.parks),
    )


@bp.get("/enterprises/<id:enterprise_id>/scorecard")
@require(Permission.VIEW_ENTERPRISES)
def scorecard(enterprise_id: int):
    """One enterprise's figures (staff view)."""
    db = get_session()
    enterprise = enterprise_queries.get_enterprise(db, current_user, enterprise_id) or abort(404)
    return _scorecard(enterprise)


@bp.get("/portal/scorecard")
@require(Permission.RECTIFY)
def own_scorecard():
    """The enterprise's own figures, in its portal."""
    db = get_session()
    own = current_user.enterprise_id
    enterprise = enterprise_queries.get_enterprise(db, current_user, own) or abort(404)
    return _scorecard(enterprise)


def _scorecard(enterprise: Enterprise):
    period, problems = read_period()
    zone = get_session().get(Zone, enterprise.zone_id) if enterprise.zone_id else None
    return _render(
        "dashboard/scorecard.html",
        period,
        Subject(request_scope(current_user), "enterprise", str(enterprise.id)),
        problems,
        enterprise=enterprise,
        zone=zone,
    )


@bp.get("/dashboard/inspectors")
@require(Permission.VIEW_DASHBOARD)
def workload():
    """Each inspector's open hazards, re-inspections waiting and inspections planned."""
    db = get_session()
    period, problems = read_period()
    return render_template(
        "dashboard/workload.html",
        rows=queries.workload(db, period, request_scope(current_user)),
        period=period,
        problems=problems,
        periods=queries.period_choices(clock.today()),
        list_args=summary.list_args,
        today=clock.today(),
    )
