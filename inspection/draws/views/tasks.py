"""Tasks: drafting one, freezing its pool, the draw, adjustments, the campaign and results."""

from __future__ import annotations

import csv
import io
import json

from flask import Response
from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from inspection import clock
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.db import get_session
from inspection.draws import drawing
from inspection.draws import pool
from inspection.draws import queries
from inspection.draws import results as result_services
from inspection.draws import tasks
from inspection.draws.forms import AdjustmentForm
from inspection.draws.forms import DrawForm
from inspection.draws.forms import ResultForm
from inspection.draws.forms import ReviewForm
from inspection.draws.forms import TaskForm
from inspection.draws.views import bp
from inspection.draws.views.directories import _id
from inspection.draws.views.directories import flash_status
from inspection.enterprises.models import INDUSTRY_SECTORS
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.forms import ConfirmForm
from inspection.forms import choices
from inspection.forms import parse_version
from inspection.parks.queries import require_working_park
from inspection.risk.frequency import grade_caps
from inspection.web import commit_or_refuse


@bp.get("/draws/")
@require(Permission.PLAN_INSPECTIONS)
def index():
    """The park's 双随机 tasks, newest first, and the way to the list and directories."""
    db = get_session()
    rows = list(db.exec(queries.tasks(db, request_scope(current_user))))
    return render_template("draws/index.html", rows=rows)


def _task_form() -> TaskForm:
    db = get_session()
    form = TaskForm()
    form.items.choices = choices(
        (i.id, f"{i.code} v{i.version} {i.title}")
        for i in queries.current_items(db, request_scope(current_user), published_only=True)
    )
    form.industry.choices = choices([("", _("Any"))] + [(k, k) for k in INDUSTRY_SECTORS])
    form.credit.choices = choices([("", _("Any"))] + [(c, c) for c in "ABCD"])
    return form


def _witnesses(text: str) -> list[tuple[str, str, str]]:
    out = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if not any(parts):
            continue
        if len(parts) != 3:
            raise DomainError(
                _("Write each witness as: name, role, nonce (e.g. 王敏, 纪检监察员, 7f3k-river).")
            )
        out.append((parts[0], parts[1], parts[2]))
    return out


def _quotas(text: str) -> dict[str, str]:
    out = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        key, sep, value = line.replace("＝", "=").partition("=")
        if not sep:
            raise DomainError(_("Write each quota as: stratum = ratio or count (e.g. A = 5%)."))
        out[key.strip()] = value.strip()
    return out


@bp.route("/draws/tasks/new", methods=["GET", "POST"])
@require(Permission.PLAN_INSPECTIONS)
def create_task():
    """Draft a task: items, 定向 filters, strata and quotas, teams, the seed's inputs."""
    db = get_session()
    form = _task_form()
    if request.method == "GET":
        today = clock.today()
        form.year.data = today.year
        form.start_date.data = today
        form.due_date.data = today.replace(day=28)
        form.public_date.data = today

    def page(status: int = 200):
        return render_template("draws/task_form.html", form=form), status

    if request.method == "GET":
        return page()
    if not form.validate():
        return page(422)

    def change():
        filters = {}
        if form.industry.data:
            filters["industry"] = [form.industry.data]
        if form.credit.data:
            filters["credit"] = [form.credit.data]
        return tasks.create_task(
            db,
            park=require_working_park(db, current_user),
            actor=current_user,
            values=tasks.TaskInput(
                name=form.name.data,
                year=form.year.data,
                body=form.body.data,
                item_ids=form.items.data or [],
                start_date=form.start_date.data,
                due_date=form.due_date.data,
                public_source=form.public_source.data,
                public_date=form.public_date.data,
                directed=form.directed.data,
                filters=filters,
                strata_by=form.strata_by.data,
                quotas=_quotas(form.quotas.data),
                inspectors_per_enterprise=form.inspectors_per_enterprise.data,
                with_expert=form.with_expert.data,
                avoid_last_officers=form.avoid_last_officers.data,
                witnesses=_witnesses(form.witnesses.data),
            ),
        )

    return commit_or_refuse(
        change,
        then=lambda task: url_for("draws.task", task_id=task.id),
        message=_("The task is drafted. Freeze its pool to publish the hash."),
        refused=lambda refused: page(flash_status(refused)),
    )


def _task(task_id: int):
    return queries.get_task(get_session(), request_scope(current_user), task_id) or abort(404)


@bp.get("/draws/tasks/<id:task_id>")
@require(Permission.PLAN_INSPECTIONS)
def task(task_id: int):
    """A task: its items, pool, draw, teams, adjustments and results."""
    db = get_session()
    found = _task(task_id)
    scope = request_scope(current_user)
    private = pool.private(found)
    at_cap = []
    if private["at_cap"]:
        names = dict(
            db.exec(
                select(Enterprise.id, Enterprise.name).where(
                    Enterprise.id.in_([e["enterprise_id"] for e in private["at_cap"]])
                )
            ).all()
        )
        at_cap = [
            (names.get(e["enterprise_id"]), e["count"], e.get("cap")) for e in private["at_cap"]
        ]
    rows = queries.results(db, scope, found)
    teams = queries.teams(db, found)
    adjust = AdjustmentForm()
    adjust.enterprise.choices = choices((e.id, e.name) for r, e in rows if not r.withdrawn)
    officers = list(db.exec(queries.officers(db, scope)))
    adjust.officer_out.choices = choices([("", "—")] + [(o.id, o.name) for o in officers])
    adjust.officer_in.choices = choices([("", "—")] + [(o.id, o.name) for o in officers])
    return render_template(
        "draws/task.html",
        task=found,
        items=queries.task_items(db, found),
        document=pool.document(found),
        caps=(pool.document(found) or {}).get("yearly_caps") or grade_caps(db, found.park_id),
        witnesses=tasks.witnesses(db, found),
        at_cap=at_cap,
        rows=rows,
        teams=teams,
        adjustments=drawing.record(db, found)["adjustments"] if found.pool_document else [],
        draw_form=DrawForm(),
        adjust_form=adjust,
        confirm=ConfirmForm(),
        codes=result_services.RESULT_CODES,
        can_review=has_permission(current_user, Permission.SUPERVISE_MAJOR),
    )


@bp.post("/draws/tasks/<id:task_id>/freeze")
@require(Permission.PLAN_INSPECTIONS)
def freeze(task_id: int):
    """Freeze the pool and publish its hash."""
    db = get_session()
    found = _task(task_id)
    return commit_or_refuse(
        lambda: pool.freeze(db, task=found, actor=_working(found)),
        then=url_for("draws.task", task_id=task_id),
        message=lambda frozen: _(
            "The pool is frozen. Its hash %(hash)s is published.",
            hash=frozen.pool_sha256[:16] + "…",
        ),
    )


def _working(task):
    """The actor, after checking they work in the task's park (not the whole region)."""
    park = require_working_park(get_session(), current_user)
    if park.id != task.park_id:
        abort(404)
    return current_user


@bp.post("/draws/tasks/<id:task_id>/draw")
@require(Permission.PLAN_INSPECTIONS)
def run_draw(task_id: int):
    """Draw, with the public value as it became known."""
    db = get_session()
    found = _task(task_id)
    form = DrawForm()
    return commit_or_refuse(
        lambda: drawing.run_draw(
            db, task=found, actor=_working(found), public_value=form.public_value.data or ""
        ),
        then=url_for("draws.task", task_id=task_id),
        message=_("Drawn. The result and the record are on the public page."),
    )


@bp.post("/draws/tasks/<id:task_id>/adjust")
@require(Permission.PLAN_INSPECTIONS)
def adjust(task_id: int):
    """A manual adjustment after the draw, with its reason."""
    db = get_session()
    found = _task(task_id)
    scope = request_scope(current_user)
    form = AdjustmentForm()

    def change():
        enterprise = db.exec(
            select(Enterprise).where(
                Enterprise.id == (_id(form.enterprise.data) or 0),
                scope.rows(Enterprise.park_id, Enterprise.id),
            )
        ).first()
        if enterprise is None:
            raise DomainError(_("Choose a drawn enterprise."))
        out_id, in_id = _id(form.officer_out.data), _id(form.officer_in.data)
        return drawing.adjust(
            db,
            task=found,
            actor=_working(found),
            enterprise=enterprise,
            kind=form.kind.data,
            reason=form.reason.data or "",
            officer_out=queries.get_officer(db, scope, out_id) if out_id else None,
            officer_in=queries.get_officer(db, scope, in_id) if in_id else None,
        )

    return commit_or_refuse(
        change,
        then=url_for("draws.task", task_id=task_id),
        message=_("The adjustment is recorded and published with its reason."),
    )


@bp.post("/draws/tasks/<id:task_id>/campaign")
@require(Permission.PLAN_INSPECTIONS)
def start_campaign(task_id: int):
    """Turn the draw into a campaign of planned inspections."""
    db = get_session()
    found = _task(task_id)
    return commit_or_refuse(
        lambda: drawing.start_campaign(db, task=found, actor=_working(found)),
        then=lambda campaign: url_for("campaigns.detail", campaign_id=campaign.id),
        message=_("The inspections of the drawn enterprises are planned."),
    )


def _result(result_id: int):
    """A result the user may see, and its task; 404 otherwise."""
    db = get_session()
    scope = request_scope(current_user)
    found = queries.get_result(db, scope, result_id) or abort(404)
    return found, queries.get_task(db, scope, found.task_id) or abort(404)


@bp.route("/draws/results/<id:result_id>", methods=["GET", "POST"])
@require(Permission.PLAN_INSPECTIONS)
def result(result_id: int):
    """录入 a result, and 审核 and 公示 it."""
    db = get_session()
    found, found_task = _result(result_id)
    enterprise = db.get(Enterprise, found.enterprise_id)
    form = ResultForm(obj=found if request.method == "GET" else None)
    form.codes.choices = choices(result_services.RESULT_CODES.items())
    if request.method == "GET":
        form.codes.data = (found.codes or "").split(",") if found.codes else []
        form.version.data = found.version

    def page(status: int = 200):
        return render_template(
            "draws/result.html",
            result=found,
            task=found_task,
            enterprise=enterprise,
            form=form,
            review=ReviewForm(formdata=None, version=found.version),
            confirm=ConfirmForm(),
            hazards=queries.hazard_states(db, found.inspection_id),
            codes=result_services.RESULT_CODES,
        ), status

    if request.method == "GET":
        return page()
    if not form.validate():
        return page(422)
    return commit_or_refuse(
        lambda: result_services.enter_result(
            db,
            result=found,
            actor=_working(found_task),
            codes=form.codes.data or [],
            inspected_on=form.inspected_on.data,
            follow_up=form.follow_up.data,
            note=form.note.data,
            version=parse_version(form.version.data),
        ),
        then=url_for("draws.result", result_id=result_id),
        message=_("The result is entered and waits for review."),
        refused=lambda refused: page(flash_status(refused)),
    )


@bp.post("/draws/results/<id:result_id>/review")
@require(Permission.PLAN_INSPECTIONS)
def review(result_id: int):
    """审核: approve a result or send it back."""
    db = get_session()
    found, found_task = _result(result_id)
    form = ReviewForm()
    return commit_or_refuse(
        lambda: result_services.review_result(
            db,
            result=found,
            actor=_working(found_task),
            approve=form.decision.data == "approve",
            opinion=form.opinion.data,
            version=parse_version(form.version.data),
        ),
        then=url_for("draws.result", result_id=result_id),
        message=_("The review is recorded."),
    )


@bp.post("/draws/results/<id:result_id>/publish")
@require(Permission.PLAN_INSPECTIONS)
def publish(result_id: int):
    """公示: publish a reviewed result."""
    db = get_session()
    found, found_task = _result(result_id)
    return commit_or_refuse(
        lambda: result_services.publish_result(db, result=found, actor=_working(found_task)),
        then=url_for("draws.result", result_id=result_id),
        message=_("The result is published."),
    )


@bp.get("/draws/tasks/<id:task_id>/results.csv")
@require(Permission.PLAN_INSPECTIONS)
def export(task_id: int):
    """The published results, in the columns the credit-information platforms take."""
    db = get_session()
    found = _task(task_id)
    return _csv(found, queries.published_results(db, found))


def _csv(task, rows) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "任务编号",
            "任务名称",
            "检查机关",
            "检查对象",
            "统一社会信用代码",
            "检查日期",
            "检查结果代码",
            "检查结果",
            "后续处置",
            "公示日期",
        ]
    )
    for found, enterprise in rows:
        codes = (found.codes or "").split(",")
        writer.writerow(
            [
                task.id,
                task.name,
                task.body,
                enterprise.name,
                enterprise.credit_code,
                found.inspected_on.isoformat() if found.inspected_on else "",
                ",".join(codes),
                "；".join(str(result_services.RESULT_CODES.get(c, c)) for c in codes),
                found.follow_up or "",
                clock.local(found.published_at).date().isoformat() if found.published_at else "",
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=draw-{task.id}-results.csv"},
    )


def record_json(record: dict) -> Response:
    """A draw record as a downloadable JSON file."""
    return Response(
        json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True),
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=draw-{record['task']['id']}.json"},
    )
