"""The checklist library and its editor: list, view, import, export, edit drafts, publish."""

from __future__ import annotations

import json

from flask import Blueprint
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
from inspection.checklists import loader
from inspection.checklists import queries
from inspection.checklists import services
from inspection.checklists.forms import DraftForm
from inspection.checklists.forms import ImportChecklistForm
from inspection.checklists.forms import ItemForm
from inspection.checklists.forms import NewTemplateForm
from inspection.checklists.forms import SectionForm
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistSection
from inspection.checklists.models import ChecklistTemplate
from inspection.checklists.models import ChecklistVersion
from inspection.db import get_session
from inspection.errors import DomainError
from inspection.hazards.forms import ConfirmForm
from inspection.web import parse_version

bp = Blueprint("checklists", __name__, url_prefix="/checklists")


def _version(version_id: int) -> ChecklistVersion:
    return get_session().get(ChecklistVersion, version_id) or abort(404)


def _template(template_id: int) -> ChecklistTemplate:
    return get_session().get(ChecklistTemplate, template_id) or abort(404)


@bp.get("/")
@require(Permission.VIEW_CHECKLISTS)
def index():
    """The library: every checklist with its current version."""
    show_retired = request.args.get("retired") == "1"
    return render_template(
        "checklists/index.html",
        rows=queries.library(get_session(), include_retired=show_retired),
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
    if form.validate():
        try:
            version = services.create_template(
                db,
                code=form.code.data,
                title=form.title.data,
                standard=form.standard.data,
                kind=form.kind.data,
                actor=current_user,
            )
        except DomainError as refused:
            db.rollback()
            form.code.errors = [*form.code.errors, refused.message]
        else:
            db.commit()
            return redirect(url_for("checklists.edit", version_id=version.id))
    return render_template(
        "checklists/index.html",
        rows=queries.library(db),
        show_retired=False,
        new_form=form,
        import_form=ImportChecklistForm(formdata=None),
        can_manage=True,
        labels=labels,
    ), 422


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
            problems = [loader.Problem(upload.filename, 1, _("The file is not UTF-8 text."))]
        else:
            try:
                definition = loader.parse(text, upload.filename or "upload.yaml")
            except loader.InvalidChecklist as invalid:
                problems = invalid.problems
            else:
                result = services.import_definition(db, definition, actor=current_user)
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
        rows=queries.library(db),
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
    template = _template(template_id)
    versions = queries.versions(db, template.id)
    published = [v for v in versions if v.status == "published"]
    return render_template(
        "checklists/detail.html",
        template=template,
        versions=versions,
        current=published[0] if published else None,
        draft=services.draft_of(db, template.id),
        published=published,
        can_manage=has_permission(current_user, Permission.MANAGE_CHECKLISTS),
        confirm_form=ConfirmForm(),
        labels=labels,
    )


@bp.post("/<id:template_id>/draft")
@require(Permission.MANAGE_CHECKLISTS)
def start_draft(template_id: int):
    """Edit a checklist: continue its draft, or start one from the current version."""
    db = get_session()
    template = _template(template_id)
    try:
        draft = services.start_draft(db, template, actor=current_user)
    except DomainError as refused:
        db.rollback()
        flash(refused.message, "error")
        return redirect(url_for("checklists.detail", template_id=template_id))
    db.commit()
    return redirect(url_for("checklists.edit", version_id=draft.id))


@bp.post("/<id:template_id>/retire")
@require(Permission.MANAGE_CHECKLISTS)
def retire(template_id: int):
    """Stop offering a checklist (its past use stays readable), or offer it again."""
    db = get_session()
    template = _template(template_id)
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


@bp.get("/<id:template_id>/compare")
@require(Permission.VIEW_CHECKLISTS)
def compare(template_id: int):
    """Two versions side by side: what was added, removed or changed."""
    db = get_session()
    template = _template(template_id)
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
    version = _version(version_id)
    return render_template(
        "checklists/view.html",
        version=version,
        template=db.get(ChecklistTemplate, version.template_id),
        sections=services.sections_of(db, version.id),
        items=services.items_by_section(db, version.id),
        labels=labels,
    )


@bp.get("/versions/<id:version_id>/export.yaml")
@require(Permission.VIEW_CHECKLISTS)
def export(version_id: int):
    """Download a version in the checklist file format."""
    db = get_session()
    version = _version(version_id)
    template = db.get(ChecklistTemplate, version.template_id)
    return Response(
        services.export_yaml(db, version),
        mimetype="application/yaml",
        headers={
            "Content-Disposition": f"attachment; filename={template.code}-v{version.number}.yaml"
        },
    )


def _draft_form(version: ChecklistVersion) -> DraftForm:
    form = DraftForm(formdata=None, obj=version)
    form.fill_applies(json.loads(version.applies_to))
    form.bands.data = "\n".join(
        f"{band['min_percent']} {band['label']}"
        for band in (json.loads(version.scoring)["bands"] if version.scoring else [])
    )
    form.version.data = version.edit_version
    return form


def _render_edit(version: ChecklistVersion, status: int = 200, **forms):
    db = get_session()
    forms.setdefault("draft_form", _draft_form(version))
    forms.setdefault(
        "section_form", SectionForm(formdata=None, prefix="section", version=version.edit_version)
    )
    return render_template(
        "checklists/edit.html",
        version=version,
        template=db.get(ChecklistTemplate, version.template_id),
        sections=services.sections_of(db, version.id),
        items=services.items_by_section(db, version.id),
        confirm_form=ConfirmForm(),
        labels=labels,
        **forms,
    ), status


@bp.route("/versions/<id:version_id>/edit", methods=["GET", "POST"])
@require(Permission.MANAGE_CHECKLISTS)
def edit(version_id: int):
    """Edit a draft: its title, standard and where it applies; its sections and items."""
    db = get_session()
    version = _version(version_id)
    if version.status != "draft":
        flash(
            _(
                "Version %(number)s is published and can no longer change. Edit the checklist"
                " to start a new version.",
                number=version.number,
            ),
            "error",
        )
        return redirect(url_for("checklists.view", version_id=version.id))
    if request.method == "GET":
        return _render_edit(version)
    form = DraftForm()
    if not form.validate():
        return _render_edit(version, 422, draft_form=form)
    try:
        bands = _parse_bands(form.bands.data)
        locked = services.editable(db, version.id, parse_version(form.version.data))
        values = {
            "title": form.title.data,
            "standard": form.standard.data,
            "issuer": form.issuer.data,
            "description": form.description.data,
            "kind": form.kind.data,
            "applies_to": form.applies_value(),
        }
        if bands is not None:
            values["scoring"] = {"bands": bands}
        services.update_draft(db, locked, values)
    except DomainError as refused:
        db.rollback()
        form.title.errors = [*form.title.errors, refused.message]
        return _render_edit(_version(version_id), refused.status, draft_form=form)
    db.commit()
    flash(_("The changes have been saved."), "success")
    return redirect(url_for("checklists.edit", version_id=version.id))


def _parse_bands(text: str | None) -> list[dict] | None:
    if not (text or "").strip():
        return None
    bands = []
    for line in text.splitlines():
        if not line.strip():
            continue
        number, _sep, label = line.strip().partition(" ")
        try:
            bands.append({"min_percent": float(number), "label": label.strip()})
        except ValueError as error:
            raise DomainError(
                _("Write each band as a percent and a label, e.g. “90 达标”.")
            ) from error
    return bands


@bp.post("/versions/<id:version_id>/sections")
@require(Permission.MANAGE_CHECKLISTS)
def add_section(version_id: int):
    """Add a section to a draft."""
    db = get_session()
    form = SectionForm(prefix="section")
    if not form.validate():
        return _render_edit(_version(version_id), 422, section_form=form)
    try:
        version = services.editable(db, version_id, parse_version(form.version.data))
        section = services.add_section(db, version, code=form.code.data, title=form.title.data)
        section.applies_to = json.dumps(form.applies_value(), ensure_ascii=False)
    except DomainError as refused:
        db.rollback()
        form.code.errors = [*form.code.errors, refused.message]
        return _render_edit(_version(version_id), refused.status, section_form=form)
    db.commit()
    return redirect(url_for("checklists.edit", version_id=version_id, _anchor=f"s{section.id}"))


def _section(section_id: int) -> ChecklistSection:
    return get_session().get(ChecklistSection, section_id) or abort(404)


@bp.route("/sections/<id:section_id>/edit", methods=["GET", "POST"])
@require(Permission.MANAGE_CHECKLISTS)
def edit_section(section_id: int):
    """Rename a section or change where it applies."""
    db = get_session()
    section = _section(section_id)
    version = _version(section.version_id)
    form = SectionForm(obj=section if request.method == "GET" else None, prefix="section")
    if request.method == "GET":
        form.fill_applies(json.loads(section.applies_to))
        form.version.data = version.edit_version
    elif form.validate():
        try:
            services.editable(db, version.id, parse_version(form.version.data))
            services.update_section(
                db,
                section,
                code=form.code.data,
                title=form.title.data,
                applies_to=form.applies_value(),
            )
        except DomainError as refused:
            db.rollback()
            form.code.errors = [*form.code.errors, refused.message]
        else:
            db.commit()
            return redirect(
                url_for("checklists.edit", version_id=version.id, _anchor=f"s{section.id}")
            )
    return render_template(
        "checklists/section_form.html", form=form, section=section, version=version
    ), 422 if form.errors else 200


@bp.post("/sections/<id:section_id>/move")
@require(Permission.MANAGE_CHECKLISTS)
def move_section(section_id: int):
    """Move a section up or down."""
    db = get_session()
    section = _section(section_id)
    try:
        services.editable(db, section.version_id)
    except DomainError as refused:
        abort(409, refused.message)
    services.move(
        db,
        section,
        services.sections_of(db, section.version_id),
        -1 if request.form.get("direction") == "up" else 1,
    )
    db.commit()
    return redirect(
        url_for("checklists.edit", version_id=section.version_id, _anchor=f"s{section.id}")
    )


@bp.post("/sections/<id:section_id>/delete")
@require(Permission.MANAGE_CHECKLISTS)
def delete_section(section_id: int):
    """Remove a section and its items from a draft."""
    db = get_session()
    section = _section(section_id)
    version_id = section.version_id
    try:
        services.editable(db, version_id)
    except DomainError as refused:
        abort(409, refused.message)
    services.delete_section(db, section)
    db.commit()
    flash(_("The section has been removed."), "success")
    return redirect(url_for("checklists.edit", version_id=version_id))


def _item_form_page(form, version, section, item, status=200):
    return render_template(
        "checklists/item_form.html",
        form=form,
        version=version,
        section=section,
        item=item,
        labels=labels,
    ), status


@bp.route("/sections/<id:section_id>/items/new", methods=["GET", "POST"])
@require(Permission.MANAGE_CHECKLISTS)
def new_item(section_id: int):
    """Add an item to a section of a draft."""
    db = get_session()
    section = _section(section_id)
    version = _version(section.version_id)
    form = ItemForm()
    if request.method == "GET":
        form.version.data = version.edit_version
        return _item_form_page(form, version, section, None)
    if not form.validate():
        return _item_form_page(form, version, section, None, 422)
    try:
        services.editable(db, version.id, parse_version(form.version.data))
        item = services.add_item(db, section, form.values())
    except DomainError as refused:
        db.rollback()
        form.code.errors = [*form.code.errors, refused.message]
        return _item_form_page(form, _version(section.version_id), section, None, refused.status)
    db.commit()
    return redirect(url_for("checklists.edit", version_id=version.id, _anchor=f"i{item.id}"))


def _item(item_id: int) -> ChecklistItem:
    return get_session().get(ChecklistItem, item_id) or abort(404)


@bp.route("/items/<id:item_id>/edit", methods=["GET", "POST"])
@require(Permission.MANAGE_CHECKLISTS)
def edit_item(item_id: int):
    """Change an item of a draft."""
    db = get_session()
    item = _item(item_id)
    version = _version(item.version_id)
    section = db.get(ChecklistSection, item.section_id)
    if request.method == "GET":
        form = ItemForm(obj=item)
        form.choices.data = "\n".join(json.loads(item.choices))
        form.fail_choices.data = "\n".join(json.loads(item.fail_choices))
        form.sources.data = ", ".join(json.loads(item.sources))
        form.version.data = version.edit_version
        return _item_form_page(form, version, section, item)
    form = ItemForm()
    if not form.validate():
        return _item_form_page(form, version, section, item, 422)
    try:
        services.editable(db, version.id, parse_version(form.version.data))
        services.update_item(db, item, form.values())
    except DomainError as refused:
        db.rollback()
        form.code.errors = [*form.code.errors, refused.message]
        return _item_form_page(form, _version(item.version_id), section, item, refused.status)
    db.commit()
    flash(_("The item has been saved."), "success")
    return redirect(url_for("checklists.edit", version_id=version.id, _anchor=f"i{item.id}"))


@bp.post("/items/<id:item_id>/move")
@require(Permission.MANAGE_CHECKLISTS)
def move_item(item_id: int):
    """Move an item up or down within its section."""
    db = get_session()
    item = _item(item_id)
    try:
        services.editable(db, item.version_id)
    except DomainError as refused:
        abort(409, refused.message)
    siblings = services.items_by_section(db, item.version_id).get(item.section_id, [])
    services.move(db, item, siblings, -1 if request.form.get("direction") == "up" else 1)
    db.commit()
    return redirect(url_for("checklists.edit", version_id=item.version_id, _anchor=f"i{item.id}"))


@bp.post("/items/<id:item_id>/delete")
@require(Permission.MANAGE_CHECKLISTS)
def delete_item(item_id: int):
    """Remove an item from a draft."""
    db = get_session()
    item = _item(item_id)
    version_id = item.version_id
    try:
        services.editable(db, version_id)
    except DomainError as refused:
        abort(409, refused.message)
    services.delete_item(db, item)
    db.commit()
    flash(_("The item has been removed."), "success")
    return redirect(url_for("checklists.edit", version_id=version_id))


@bp.post("/versions/<id:version_id>/publish")
@require(Permission.MANAGE_CHECKLISTS)
def publish(version_id: int):
    """Publish a draft: it is checked like a file, then frozen as the current version."""
    db = get_session()
    try:
        version = services.editable(db, version_id)
        services.publish(db, version, actor=current_user)
    except DomainError as refused:
        db.rollback()
        version = _version(version_id)
        if version.status != "draft":
            abort(409, refused.message)
        return _render_edit(version, 422, publish_error=refused.message)
    db.commit()
    flash(
        _("Version %(number)s is published; new inspections use it.", number=version.number),
        "success",
    )
    return redirect(url_for("checklists.detail", template_id=version.template_id))
