"""工作总结数据: the work report's sentences with their numbers filled in from the data, for a
chosen period, as a page and a PDF; each number links to its list."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import render_template
from flask import request
from flask_login import current_user

from inspection import clock
from inspection.assignments.forms import SOURCES
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.checklists.models import ChecklistVersion
from inspection.db import get_session
from inspection.programme import outcomes
from inspection.programme import queries
from inspection.programme.listings import LEVELS
from inspection.programme.views import bp
from inspection.programme.views.grade import history_chart
from inspection.reports.pdf import render_pdf
from inspection.statistics.periods import Period


def _figures():
    db = get_session()
    try:
        period = Period.parse(request.args.get("period"), clock.today())
    except ValueError as error:
        abort(400, str(error))
    scope = request_scope(current_user)
    figures = queries.year_figures(db, scope, period.first_day, period.last_day)
    history = figures.history
    version = db.get(ChecklistVersion, history[-1].version_id) if history else None
    return {
        "period": period,
        "figures": figures,
        "sources": SOURCES,
        "levels": LEVELS,
        "outcomes": outcomes.OUTCOMES,
        "history": history,
        "version": version,
    }


@bp.get("/figures")
@require(Permission.VIEW_DASHBOARD)
def figures():
    """The year in figures, as the work report writes them."""
    context = _figures()
    return render_template(
        "programme/figures.html",
        chart=history_chart(context["history"], context["version"]),
        **context,
    )


@bp.get("/figures.pdf")
@require(Permission.VIEW_DASHBOARD)
def figures_pdf():
    """The same figures as a PDF."""
    context = _figures()
    chart = history_chart(context["history"], context["version"], "print")
    pdf = render_pdf(
        "reports/programme_figures.html",
        charts={"grade": chart} if chart else {},
        generated_at=clock.now(),
        **context,
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=figures-{context['period'].code}.pdf"},
    )
