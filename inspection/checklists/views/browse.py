"""The checklist library's pages: the list, a checklist and its versions, comparing two,
viewing and exporting a version, importing a file, starting a new checklist or a draft."""

from __future__ import annotations

from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspection import labels
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.checklists import fileformat
from inspection.checklists import library
from inspection.checklists import loader
from inspection.checklists import queries
from inspection.checklists import services
from inspection.checklists.forms import ImportChecklistForm
from inspection.checklists.forms import NewTemplateForm
from inspection.checklists.models import ChecklistTemplate
from inspection.checklists.models import ChecklistVersion
from inspection.checklists.views import bp
from inspection.db import get_session
from inspection.errors import DomainError
from inspection.forms import ConfirmForm
from inspection.forms import parse_version
from inspection.parks.queries import require_working_park
from inspection.parks.queries import working_park
from inspection.web import commit_or_refuse
from inspection.web import on_field


def load_version(version_id: int, *, to_edit: bool = False) -> ChecklistVersion:
    """A version the user may see (and, `to_edit`, change), or 404 (403)."""
    db = get_session()
    version = queries.get_version(db, current_user, version_id) or abort(404)
    if to_edit:
        services.check_may_edit(db, current_user, db.get(ChecklistTemplate, version.template_id))
    return version


def load_template(template_id: int, *, to_edit: bool = False) -> ChecklistTemplate:
    """A template the user may see (and, `to_edit`, change), or 404 (403)."""
    db = get_session()
    template = queries.get_template(db, current_user, template_id) or abort(404)
    if to_edit:
        services.check_may_edit(db, current_user, template)
    return template


@bp.get("/")
@require(Permission.VIEW_CHECKLISTS)
def index():
    """The library: every checklist with its current version."""
    show_retired = request.args.get("retired") == "1"
    return render_template(
        "checklists/index.html",
        rows=queries.library(get_session(), current_user, include_retired=show_retired),
        park=working_park(get_session(), current_user),
        show_retired=show_retired,
        new_form=NewTemplateForm(formdata=None),
        import_form=ImportChecklistForm(formdata=None),
        can_manage=has_permission(current_user, Permission.MANAGE_CHECKLISTS),
        labels=labels,
    )


@bp.post("/new")
@require(Permission.MANAGE_CHECKLISTS)
def create():
    """Start a new, empty checklist."""
    form = NewTemplateForm()
    db = get_session()

    def page():
        return render_template(
            "checklists/index.html",
            rows=queries.library(db, current_user),
            show_retired=False,
            new_form=form,
            import_form=ImportChecklistForm(formdata=None),
            can_manage=True,
            labels=labels,
        ), 422

    if not form.validate():
        return page()
    return commit_or_refuse(
        lambda: services.create_template(
            db,
            park=services.home_park_for_new(db, current_user),
            code=form.code.data,
            title=form.title.data,
            standard=form.standard.data,
            kind=form.kind.data,
            actor=current_user,
        ),
        then=lambda version: url_for("checklists.edit", version_id=version.id),
        refused=on_field(form.code, page),
    )


@bp.post("/import")
@require(Permission.MANAGE_CHECKLISTS)
def import_file():
    """Check an uploaded checklist file and import it as a new published version."""
    form = ImportChecklistForm()
    db = get_session()
    problems = []
    if form.validate():
        upload = form.file.data
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            problems = [fileformat.Problem(upload.filename, 1, _("The file is not UTF-8 text."))]
        else:
            try:
                definition = loader.parse(text, upload.filename or "upload.yaml")
            except fileformat.InvalidChecklist as invalid:
                problems = invalid.problems
            else:
                home = services.home_park_for_new(db, current_user)
                result = library.import_definition(
                    db, definition, actor=current_user, park_id=home.id if home else None
                )
                db.commit()
                if result.created:
                    flash(
                        _(
                            "%(code)s was imported as version %(number)s.",
                            code=result.code,
                            number=result.version,
                        ),
                        "success",
                    )
                else:
                    flash(
                        _(
                            "%(code)s is unchanged: that content is already its current version.",
                            code=result.code,
                        ),
                        "info",
                    )
                return redirect(url_for("checklists.index"))
    return render_template(
        "checklists/index.html",
        rows=queries.library(db, current_user),
        show_retired=False,
        new_form=NewTemplateForm(formdata=None),
        import_form=form,
        import_problems=problems,
        can_manage=True,
        labels=labels,
    ), 422


@bp.get("/<id:template_id>")
@require(Permission.VIEW_CHECKLISTS)
def detail(template_id: int):
    """A checklist: its versions, its draft, and a comparison of two versions."""
    db = get_session()
    template = load_template(template_id)
    versions = queries.versions(db, template.id)
    published = [v for v in versions if v.status == "published"]
    return render_template(
        "checklists/detail.html",
        template=template,
        versions=versions,
        current=published[0] if published else None,
        draft=queries.draft_of(db, template.id),
        published=published,
        can_manage=has_permission(current_user, Permission.MANAGE_CHECKLISTS)
        and _may_edit(template),
        copy_to=_copy_target(template),
        confirm_form=ConfirmForm(),
        labels=labels,
    )


@bp.post("/<id:template_id>/draft")
@require(Permission.MANAGE_CHECKLISTS)
def start_draft(template_id: int):
    """Edit a checklist: continue its draft, or start one from the current version."""
    db = get_session()
    template = load_template(template_id, to_edit=True)
    return commit_or_refuse(
        lambda: services.start_draft(db, template, actor=current_user),
        then=lambda draft: url_for("checklists.edit", version_id=draft.id),
        refused=url_for("checklists.detail", template_id=template_id),
    )


@bp.post("/<id:template_id>/retire")
@require(Permission.MANAGE_CHECKLISTS)
def retire(template_id: int):
    """Stop offering a checklist (its past use stays readable), or offer it again."""
    db = get_session()
    template = load_template(template_id, to_edit=True)
    retired = request.form.get("retired") == "1"
    services.set_retired(db, template, retired=retired)
    db.commit()
    flash(
        _("The checklist is retired; past inspections still show it.")
        if retired
        else _("The checklist is offered again."),
        "success",
    )
    return redirect(url_for("checklists.detail", template_id=template_id))


@bp.post("/<id:template_id>/copy")
@require(Permission.MANAGE_CHECKLISTS)
def copy_to_park(template_id: int):
    """Make the working park's own copy of a library checklist, to adapt and publish."""
    db = get_session()
    template = load_template(template_id)
    if not ConfirmForm().validate():
        abort(400)
    return commit_or_refuse(
        lambda: services.copy_to_park(
            db, template, park=require_working_park(db, current_user), actor=current_user
        ),
        then=lambda draft: url_for("checklists.edit", version_id=draft.id),
        message=lambda _draft: _(
            "The park's own copy is a draft: adapt it, then publish it to use it in inspections."
        ),
        refused=url_for("checklists.detail", template_id=template_id),
    )


def _may_edit(template: ChecklistTemplate) -> bool:
    try:
        services.check_may_edit(get_session(), current_user, template)
    except DomainError:
        return False
    return True


def _copy_target(template: ChecklistTemplate):
    """The park a library checklist may be copied to (the working park, without a copy yet)."""
    if template.park_id is not None:
        return None
    db = get_session()
    park = working_park(db, current_user)
    if park is None or queries.park_copy(db, template, park.id) is not None:
        return None
    return park


@bp.get("/<id:template_id>/compare")
@require(Permission.VIEW_CHECKLISTS)
def compare(template_id: int):
    """Two versions side by side: what was added, removed or changed."""
    db = get_session()
    template = load_template(template_id)
    versions = {v.number: v for v in queries.versions(db, template.id)}
    left = versions.get(parse_version(request.args.get("a")))
    right = versions.get(parse_version(request.args.get("b")))
    if left is None or right is None:
        flash(_("Choose two versions of this checklist to compare."), "error")
        return redirect(url_for("checklists.detail", template_id=template_id))
    return render_template(
        "checklists/compare.html",
        template=template,
        left=left,
        right=right,
        changes=queries.compare(db, left, right),
        labels=labels,
    )


@bp.get("/versions/<id:version_id>")
@require(Permission.VIEW_CHECKLISTS)
def view(version_id: int):
    """A version as the inspector will see it."""
    db = get_session()
    version = load_version(version_id)
    return render_template(
        "checklists/view.html",
        version=version,
        template=db.get(ChecklistTemplate, version.template_id),
        sections=queries.sections_of(db, version.id),
        items=queries.items_by_section(db, version.id),
        labels=labels,
    )


@bp.get("/versions/<id:version_id>/export.yaml")
@require(Permission.VIEW_CHECKLISTS)
def export(version_id: int):
    """Download a version in the checklist file format."""
    db = get_session()
    version = load_version(version_id)
    template = db.get(ChecklistTemplate, version.template_id)
    return Response(
        library.export_yaml(db, version),
        mimetype="application/yaml",
        headers={
            "Content-Disposition": f"attachment; filename={template.code}-v{version.number}.yaml"
        },
    )
