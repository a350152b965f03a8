"""The annual plan (年度检查计划) page and its export."""

from __future__ import annotations

import csv
import io

from flask import Response
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from inspection import clock
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.db import get_session
from inspection.draws import plan
from inspection.draws.labels import LABELS
from inspection.draws.views import bp


def _year() -> int:
    text = request.args.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else clock.today().year


@bp.get("/draws/plan")
@require(Permission.PLAN_INSPECTIONS)
def annual_plan():
    """The annual plan: items, key enterprises and random tasks in one plan."""
    year = _year()
    return render_template(
        "draws/plan.html",
        plan=plan.annual_plan(get_session(), request_scope(current_user), year),
        year=year,
    )


@bp.get("/draws/plan.csv")
@require(Permission.PLAN_INSPECTIONS)
def annual_plan_export():
    """The annual plan as CSV, in the published plans' columns."""
    year = _year()
    found = plan.annual_plan(get_session(), request_scope(current_user), year)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "序号",
            "检查事项",
            "实施依据",
            "检查对象（重点检查 / 双随机抽查）",
            "检查内容",
            "检查方式",
            "检查频次和上限",
            "检查时间安排",
            "承办机构",
        ]
    )
    for number, row in enumerate(found.rows, start=1):
        writer.writerow(
            [
                number,
                row.item.title,
                row.item.legal_basis,
                plan_objects(found, row),
                row.item.content,
                str(LABELS["method_label"](row.item.method)),
                "；".join(
                    _("once a year, at most %(cap)s a year per enterprise", cap=t.yearly_cap)
                    for t in row.tasks
                ),
                "；".join(
                    f"{t.start_date.isoformat()}—{t.due_date.isoformat()}" for t in row.tasks
                ),
                row.item.body,
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=annual-plan-{year}.csv"},
    )


def plan_objects(found, row) -> str:
    """The plan's 检查对象 cell: the key enterprises by name, then each random task's pool."""
    parts = []
    if found.key:
        parts.append(
            _("Key inspections: %(names)s", names="、".join(k.enterprise.name for k in found.key))
        )
    for t in row.tasks:
        quotas = "，".join(
            f"{LABELS['stratum_label'](k)} {LABELS['quota_label'](q)}"
            for k, q in sorted(t.quotas.items())
        )
        parts.append(
            _(
                "Random: %(task)s, %(size)s enterprises, %(quotas)s",
                task=t.name,
                size=t.pool_size if t.pool_size is not None else "—",
                quotas=quotas,
            )
        )
    return "；".join(parts)
