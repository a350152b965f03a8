"""The published item list (一单) and the two directories (两库)."""

from __future__ import annotations

import json

from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.checklists.queries import latest_published
from inspection.checklists.queries import visible_templates
from inspection.db import get_session
from inspection.draws import queries
from inspection.draws import services
from inspection.draws.forms import ConflictForm
from inspection.draws.forms import CreditImportForm
from inspection.draws.forms import ItemForm
from inspection.draws.forms import OfficerForm
from inspection.draws.views import bp
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Zone
from inspection.errors import DomainError
from inspection.forms import choices
from inspection.forms import parse_id
from inspection.pagination import paginate
from inspection.pagination import parse_page
from inspection.parks.queries import require_working_park
from inspection.web import commit_or_refuse


def _checklist_choices(form: ItemForm) -> None:
    db = get_session()
    versions = []
    for template in db.exec(visible_templates(current_user)):
        version = latest_published(db, template.id)
        if version is not None and not template.retired:
            versions.append(version)
    form.checklists.choices = choices(
        (v.id, v.title) for v in sorted(versions, key=lambda v: v.title)
    )


@bp.get("/draws/items")
@require(Permission.PLAN_INSPECTIONS)
def items():
    """一单: the park's inspection items, each version with its publication date."""
    db = get_session()
    rows = list(db.exec(queries.items(db, request_scope(current_user)).order_by("code", "version")))
    return render_template("draws/items.html", rows=rows)


@bp.route("/draws/items/new", methods=["GET", "POST"])
@bp.route("/draws/items/<id:draw_item_id>/version", methods=["GET", "POST"])
@require(Permission.PLAN_INSPECTIONS)
def item_form(draw_item_id: int | None = None):
    """A new item, or a new version of one (a published version is never edited)."""
    db = get_session()
    scope = request_scope(current_user)
    replaces = None
    if draw_item_id is not None:
        replaces = queries.get_item(db, scope, draw_item_id) or abort(404)
    form = ItemForm(obj=replaces if request.method == "GET" else None)
    _checklist_choices(form)
    if request.method == "GET" and replaces is not None:
        form.checklists.data = json.loads(replaces.checklist_ids)

    def page(status: int = 200):
        return render_template("draws/item_form.html", form=form, replaces=replaces), status

    if request.method == "GET":
        return page()
    if not form.validate():
        return page(422)
    return commit_or_refuse(
        lambda: services.save_item(
            db,
            park=require_working_park(db, current_user),
            actor=current_user,
            values=services.ItemInput(
                code=form.code.data,
                title=form.title.data,
                legal_basis=form.legal_basis.data,
                content=form.content.data,
                applies_to=form.applies_to.data,
                method=form.method.data,
                body=form.body.data,
                checklist_ids=form.checklists.data or [],
            ),
            replaces=replaces,
        ),
        then=url_for("draws.items"),
        message=lambda item: _(
            "Item %(code)s version %(version)s saved as a draft.",
            code=item.code,
            version=item.version,
        ),
        refused=lambda refused: page(flash_status(refused)),
    )


def flash_status(refused: DomainError) -> int:
    """Flash a refusal at the top of the form and answer with its status."""
    from inspection.web import flash_refusal

    return flash_refusal(refused)


@bp.post("/draws/items/<id:draw_item_id>/publish")
@require(Permission.PLAN_INSPECTIONS)
def publish_item(draw_item_id: int):
    """Publish a draft version of an item."""
    db = get_session()
    item = queries.get_item(db, request_scope(current_user), draw_item_id) or abort(404)
    require_working_park(db, current_user)
    return commit_or_refuse(
        lambda: services.publish_item(db, item=item),
        then=url_for("draws.items"),
        message=_("Item %(code)s published.", code=item.code),
    )


@bp.get("/draws/officers")
@require(Permission.PLAN_INSPECTIONS)
def officers():
    """人员库: officers and, separately, experts, with why an officer may not be drawn."""
    db = get_session()
    scope = request_scope(current_user)
    today = clock.today()
    rows = [(o, queries.unfit_reason(o, today)) for o in db.exec(queries.officers(db, scope))]
    return render_template(
        "draws/officers.html",
        officers=[r for r in rows if not r[0].expert],
        experts=[r for r in rows if r[0].expert],
        conflicts=queries.conflicts(db, scope),
        conflict_form=_conflict_form(),
    )


def _conflict_form() -> ConflictForm:
    db = get_session()
    scope = request_scope(current_user)
    form = ConflictForm()
    form.officer.choices = choices(
        (o.id, f"{o.name}（{o.certificate_no}）")
        for o in db.exec(queries.officers(db, scope, expert=False))
    )
    form.enterprise.choices = choices(
        (e.id, e.name) for e in db.exec(queries.directory_select(scope))
    )
    return form


@bp.route("/draws/officers/new", methods=["GET", "POST"])
@bp.route("/draws/officers/<id:officer_id>", methods=["GET", "POST"])
@require(Permission.PLAN_INSPECTIONS)
def officer_form(officer_id: int | None = None):
    """Add an officer or expert, or correct one (renewing a certificate, for example)."""
    db = get_session()
    scope = request_scope(current_user)
    officer = None
    if officer_id is not None:
        officer = queries.get_officer(db, scope, officer_id) or abort(404)
    form = OfficerForm(obj=officer if request.method == "GET" else None)
    staff = db.exec(
        select(User)
        .where(
            scope.staff(),
            User.role == Role.INSPECTOR,
            User.active.is_(True),
            User.third_party.is_(False),
        )
        .order_by(User.display_name)
    ).all()
    form.user.choices = choices(
        [("", _("— none (an expert) —"))] + [(u.id, u.display_name) for u in staff]
    )
    if request.method == "GET" and officer is not None:
        form.user.data = str(officer.user_id or "")

    def page(status: int = 200):
        return render_template("draws/officer_form.html", form=form, officer=officer), status

    if request.method == "GET":
        return page()
    if not form.validate():
        return page(422)
    user_id = form.user.data
    return commit_or_refuse(
        lambda: services.save_officer(
            db,
            park=require_working_park(db, current_user),
            officer=officer,
            values=services.OfficerInput(
                name=form.name.data,
                certificate_no=form.certificate_no.data,
                valid_from=form.valid_from.data,
                valid_until=form.valid_until.data,
                specialty=form.specialty.data,
                team=form.team.data,
                expert=form.expert.data,
                user_id=_id(user_id),
            ),
        ),
        then=url_for("draws.officers"),
        message=lambda saved: _("%(name)s is in the directory.", name=saved.name),
        refused=lambda refused: page(flash_status(refused)),
    )


def _id(value: str | None) -> int | None:
    """An optional id from a select; a garbled one is refused."""
    if not value:
        return None
    try:
        return parse_id(value)
    except ValueError:
        raise DomainError(_("Choose from the list.")) from None


@bp.post("/draws/conflicts")
@require(Permission.PLAN_INSPECTIONS)
def declare_conflict():
    """回避: record an officer's conflict with an enterprise."""
    db = get_session()
    scope = request_scope(current_user)
    form = _conflict_form()

    def change():
        officer = queries.get_officer(db, scope, _id(form.officer.data) or 0)
        enterprise = db.exec(
            queries.directory_select(scope).where(Enterprise.id == (_id(form.enterprise.data) or 0))
        ).first()
        if officer is None or enterprise is None:
            raise DomainError(_("Choose the officer and the enterprise."))
        require_working_park(db, current_user)
        return services.declare_conflict(
            db,
            officer=officer,
            enterprise=enterprise,
            reason=form.reason.data,
            actor=current_user,
        )

    return commit_or_refuse(
        change, then=url_for("draws.officers"), message=_("The conflict is recorded.")
    )


@bp.get("/draws/directory")
@require(Permission.PLAN_INSPECTIONS)
def directory():
    """检查对象名录库: the enterprises with their tags, and the yearly cap watch."""
    db = get_session()
    scope = request_scope(current_user)
    year = clock.today().year
    stmt = queries.directory_select(scope)
    q = request.args.get("q", "").strip()[:100]
    if q:
        stmt = stmt.where(Enterprise.name.contains(q) | Enterprise.credit_code.contains(q))
    page = paginate(db, stmt, page=parse_page(request.args.get("page")), per_page=50)
    entries = queries.directory(db, scope, list(page.items), year)
    return render_template(
        "draws/directory.html",
        page=page,
        zones=dict(db.exec(select(Zone.id, Zone.name).where(scope.rows(Zone.park_id))).all()),
        entries=entries,
        year=year,
        q=q,
        form=CreditImportForm(),
    )


@bp.post("/draws/directory/credit")
@require(Permission.PLAN_INSPECTIONS)
def import_credit():
    """Import credit classes A–D from a file."""
    db = get_session()
    form = CreditImportForm()
    upload = form.file.data

    def change():
        if upload is None or not getattr(upload, "filename", ""):
            raise DomainError(_("Choose the file to import."))
        report = services.import_credit_classes(
            db,
            park=require_working_park(db, current_user),
            filename=upload.filename,
            data=upload.read(),
            source=form.source.data,
        )
        if report.problems:
            raise DomainError(" ".join(report.problems[:10]))
        return report

    return commit_or_refuse(
        change,
        then=url_for("draws.directory"),
        message=lambda report: _("%(count)s credit classes imported.", count=report.imported),
    )
