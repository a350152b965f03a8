"""The annual plan (年度检查计划) page, its export, and the supervisor's key enterprises."""

from __future__ import annotations

import csv
import io

from flask import Response
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
from inspection.draws import plan
from inspection.draws import queries
from inspection.draws.forms import KeyChoiceForm
from inspection.draws.labels import LABELS
from inspection.draws.views import bp
from inspection.draws.views.directories import _id
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.forms import ConfirmForm
from inspection.forms import choices
from inspection.web import commit_or_refuse


def _year(text: str | None = None) -> int:
    text = text if text is not None else request.args.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else clock.today().year


def _key_form() -> KeyChoiceForm:
    db = get_session()
    form = KeyChoiceForm()
    form.enterprise.choices = choices(
        (e.id, e.name) for e in db.exec(queries.directory_select(request_scope(current_user)))
    )
    return form


@bp.get("/draws/plan")
@require(Permission.PLAN_INSPECTIONS)
def annual_plan():
    """The annual plan: items, key enterprises and random tasks in one plan."""
    year = _year()
    return render_template(
        "draws/plan.html",
        plan=plan.annual_plan(get_session(), request_scope(current_user), year),
        year=year,
        key_form=_key_form(),
        confirm=ConfirmForm(),
        can_choose=has_permission(current_user, Permission.SUPERVISE_MAJOR),
        key_reasons=key_reasons,
        frequency=frequency,
    )


@bp.post("/draws/plan/key")
@require(Permission.SUPERVISE_MAJOR)
def choose_key():
    """重点检查: a supervisor names an enterprise for the year's key list, with the reason."""
    db = get_session()
    form = _key_form()
    year = _year(request.form.get("year", ""))
    back = url_for("draws.annual_plan", year=year)

    def change():
        enterprise = db.exec(
            queries.directory_select(request_scope(current_user)).where(
                Enterprise.id == (_id(form.enterprise.data) or 0)
            )
        ).first()
        if enterprise is None:
            raise DomainError(_("Choose the enterprise to inspect by name."))
        return plan.choose_key(
            db, actor=current_user, enterprise=enterprise, year=year, reason=form.reason.data
        )

    return commit_or_refuse(
        change, then=back, message=_("The enterprise is on the year's key list.")
    )


@bp.post("/draws/plan/key/<id:choice_id>/drop")
@require(Permission.SUPERVISE_MAJOR)
def drop_key(choice_id: int):
    """Take a supervisor's choice off the key list."""
    db = get_session()
    choice = plan.get_choice(db, request_scope(current_user), choice_id) or abort(404)
    back = url_for("draws.annual_plan", year=choice.year)
    return commit_or_refuse(
        lambda: plan.drop_key(db, actor=current_user, choice=choice),
        then=back,
        message=_("The enterprise is off the key list."),
    )


@bp.get("/draws/plan.csv")
@require(Permission.PLAN_INSPECTIONS)
def annual_plan_export():
    """The annual plan as CSV, in the published plans' columns, then the key enterprises."""
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
                frequency(found, row),
                "；".join(
                    f"{t.start_date.isoformat()}—{t.due_date.isoformat()}" for t in row.tasks
                ),
                "；".join(dict.fromkeys([row.item.body] + [t.body for t in row.tasks])),
            ]
        )
    writer.writerow([])
    writer.writerow(["重点检查企业名单"])
    writer.writerow(
        ["序号", "企业名称", "统一社会信用代码", "列入理由", "检查频次", "年度检查上限"]
    )
    for number, key in enumerate(found.key, start=1):
        writer.writerow(
            [
                number,
                key.enterprise.name,
                key.enterprise.credit_code,
                key_reasons(key),
                _("every %(days)s days", days=key.interval_days),
                key.yearly_cap,
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=annual-plan-{year}.csv"},
    )


def key_reasons(key: plan.KeyEnterprise) -> str:
    """Why an enterprise is on the key list, in words; a supervisor's choice with its reason."""
    words = [str(LABELS["key_reason"](r)) for r in key.reasons if r != "chosen"]
    if key.chosen is not None:
        words.append(_("chosen by the supervisor: %(reason)s", reason=key.chosen.reason))
    return "、".join(words)


def frequency(found: plan.AnnualPlan, row: plan.PlanRow) -> str:
    """The plan's 检查频次和上限 cell: key enterprises by their grade's interval, the random
    tasks of the year, and each grade's yearly cap."""
    parts = []
    if found.key:
        parts.append(_("Key inspections: at their risk grade's interval"))
    if row.tasks:
        parts.append(_("Random: %(n)s draw(s) in the year", n=len(row.tasks)))
        parts.append(
            _("yearly cap per enterprise: %(caps)s", caps=LABELS["caps_label"](row.tasks[0].caps))
        )
    return "；".join(parts)


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
