"""The enterprise registry: list, detail, create, edit, import; and the park's zones."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from inspection import clock
from inspection import labels
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.db import get_session
from inspection.enterprises import queries
from inspection.enterprises import services
from inspection.enterprises.forms import EnterpriseForm
from inspection.enterprises.forms import ImportForm
from inspection.enterprises.forms import ZoneForm
from inspection.enterprises.models import INDUSTRY_SECTORS
from inspection.errors import DomainError
from inspection.forms import choices
from inspection.forms import parse_version
from inspection.hazards import queries as hazard_queries
from inspection.inspections import queries as inspection_queries
from inspection.pagination import parse_page
from inspection.parks.queries import require_working_park
from inspection.risk import queries as risk_queries
from inspection.risk.chart import history_chart
from inspection.risk.facts import settings_values
from inspection.risk.queries import current_grades
from inspection.web import commit_or_refuse
from inspection.web import on_field

bp = Blueprint("enterprises", __name__)


def _zone_choices(form: EnterpriseForm) -> None:
    park = require_working_park(get_session(), current_user)
    form.zone_id.choices = choices(
        [("", _("No zone"))]
        + [(zone.id, zone.name) for zone in queries.zones(get_session(), park.id)]
    )


@bp.get("/enterprises/")
@require(Permission.VIEW_ENTERPRISES)
def index():
    """List enterprises with search, filters and pagination."""
    db = get_session()
    filters = queries.EnterpriseFilters.from_args(request.args)
    page = queries.list_enterprises(
        db,
        current_user,
        filters,
        page=parse_page(request.args.get("page")),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "enterprises/index.html",
        page=page,
        grades=current_grades(db, request_scope(current_user), [e.id for e in page.items]),
        filters=filters,
        zones=queries.zones_in(db, request_scope(current_user)),
        zone_names=queries.zone_names(db),
        industries=list(INDUSTRY_SECTORS),
        risk_labels=labels.RISK_FLAGS,
        can_manage=has_permission(current_user, Permission.MANAGE_ENTERPRISES),
    )


@bp.get("/enterprises/<id:enterprise_id>")
@require(Permission.VIEW_ENTERPRISES)
def detail(enterprise_id: int):
    """One enterprise: its details, open hazards and inspections."""
    db = get_session()
    enterprise = queries.get_enterprise(db, current_user, enterprise_id) or abort(404)
    standing = risk_queries.standing(db, request_scope(current_user), enterprise)
    values = settings_values(db, enterprise.park_id)
    return render_template(
        "enterprises/detail.html",
        enterprise=enterprise,
        risk=standing.risk,
        risk_chart=history_chart(
            standing.history,
            _("Risk score over the last year"),
            tuple(values[f"threshold_{g}"] for g in ("yellow", "orange", "red")),
        ),
        zone_names=queries.zone_names(db),
        counts=hazard_queries.enterprise_counts(db, current_user, enterprise.id),
        hazards=hazard_queries.recent_for_enterprise(db, current_user, enterprise.id),
        inspections=inspection_queries.recent_for_enterprise(db, current_user, enterprise.id),
        can_manage=has_permission(current_user, Permission.MANAGE_ENTERPRISES),
        can_inspect=has_permission(current_user, Permission.INSPECT),
        today=clock.today(),
    )


@bp.route("/enterprises/new", methods=["GET", "POST"])
@require(Permission.MANAGE_ENTERPRISES)
def create():
    """Register an enterprise."""
    form = EnterpriseForm()
    _zone_choices(form)

    def page():
        return render_template("enterprises/form.html", form=form, enterprise=None)

    if form.validate_on_submit():
        db = get_session()
        park = require_working_park(db, current_user)
        return commit_or_refuse(
            lambda: services.create_enterprise(db, park=park, values=form.values()),
            then=lambda enterprise: url_for("enterprises.detail", enterprise_id=enterprise.id),
            message=lambda enterprise: _("%(name)s has been registered.", name=enterprise.name),
            refused=_on_fields(form, page),
        )
    return page()


@bp.route("/enterprises/<id:enterprise_id>/edit", methods=["GET", "POST"])
@require(Permission.MANAGE_ENTERPRISES)
def edit(enterprise_id: int):
    """Change an enterprise's details."""
    db = get_session()
    enterprise = queries.get_enterprise(db, current_user, enterprise_id) or abort(404)
    form = EnterpriseForm(obj=enterprise if request.method == "GET" else None)
    _zone_choices(form)
    if request.method == "GET":
        form.version.data = enterprise.version

    def page():
        return render_template("enterprises/form.html", form=form, enterprise=enterprise), (
            409 if form.errors or request.method == "POST" else 200
        )

    if form.validate_on_submit():
        return commit_or_refuse(
            lambda: services.update_enterprise(
                db,
                enterprise,
                values=form.values(),
                expected_version=parse_version(form.version.data),
            ),
            then=url_for("enterprises.detail", enterprise_id=enterprise.id),
            message=_("The changes have been saved."),
            refused=_on_fields(form, page),
        )
    return page()


def _on_fields(form: EnterpriseForm, page):
    """A refusal's answer: each wrong field's message under it (any other refusal said at the
    top), and the form again."""

    def answer(refused: DomainError):
        if isinstance(refused, services.InvalidEnterprise):
            for name, message in refused.problems.items():
                form[name].errors = [*form[name].errors, message]
        else:
            flash(refused.message, "error")
        return page()

    return answer


@bp.route("/enterprises/import", methods=["GET", "POST"])
@require(Permission.MANAGE_ENTERPRISES)
def import_file():
    """Import enterprises from CSV or Excel: every row, or none if any row is wrong."""
    form = ImportForm()

    def page(report=None):
        status = 422 if report is not None and not report.ok else 200
        return render_template("enterprises/import.html", form=form, report=report), status

    def refused(error: DomainError):
        if isinstance(error, services.ImportRefused):
            return page(error.report)
        return on_field(form.file, page)(error)

    if not form.validate_on_submit():
        return page()
    db = get_session()
    park = require_working_park(db, current_user)
    upload = form.file.data

    def change():
        report = services.import_enterprises(
            db,
            park=park,
            filename=upload.filename or "",
            data=upload.read(),
            max_rows=current_app.config["IMPORT_MAX_ROWS"],
        )
        if not report.ok:
            raise services.ImportRefused(report)
        return report

    return commit_or_refuse(
        change,
        then=url_for("enterprises.index"),
        message=lambda report: ngettext(
            "%(num)d enterprise has been imported.",
            "%(num)d enterprises have been imported.",
            len(report.created),
        ),
        refused=refused,
    )


@bp.get("/enterprises/import/template.csv")
@require(Permission.MANAGE_ENTERPRISES)
def import_template():
    """A CSV template with the expected headings."""
    return Response(
        services.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=enterprises-template.csv"},
    )


@bp.route("/zones/", methods=["GET", "POST"])
@require(Permission.MANAGE_ENTERPRISES)
def zones():
    """The park's zones, and a form to add one."""
    db = get_session()
    park = require_working_park(db, current_user)
    form = ZoneForm()

    def page():
        return render_template(
            "enterprises/zones.html", form=form, zones=queries.zones(db, park.id), park=park
        )

    if form.validate_on_submit():
        return commit_or_refuse(
            lambda: services.create_zone(
                db, park=park, name=form.name.data, description=form.description.data
            ),
            then=url_for("enterprises.zones"),
            message=_("The zone has been added."),
            refused=on_field(form.name, page),
        )
    return page()
