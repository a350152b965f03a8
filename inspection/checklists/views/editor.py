"""The checklist editor: a draft's details, its sections and items, and publishing it."""

from __future__ import annotations

import json

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
from inspection.auth.permissions import require
from inspection.checklists import queries
from inspection.checklists import services
from inspection.checklists.forms import DraftForm
from inspection.checklists.forms import ItemForm
from inspection.checklists.forms import SectionForm
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistSection
from inspection.checklists.models import ChecklistTemplate
from inspection.checklists.models import ChecklistVersion
from inspection.checklists.views import bp
from inspection.checklists.views import browse
from inspection.db import get_session
from inspection.errors import DomainError
from inspection.forms import ConfirmForm
from inspection.forms import parse_version
from inspection.web import commit_or_refuse
from inspection.web import on_field


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
        sections=queries.sections_of(db, version.id),
        items=queries.items_by_section(db, version.id),
        confirm_form=ConfirmForm(),
        labels=labels,
        **forms,
    ), status


@bp.route("/versions/<id:version_id>/edit", methods=["GET", "POST"])
@require(Permission.MANAGE_CHECKLISTS)
def edit(version_id: int):
    """Edit a draft: its title, standard and where it applies; its sections and items."""
    db = get_session()
    version = load_version(version_id)
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

    def change():
        bands = _parse_bands(form.bands.data)
        locked = services.editable(
            db, version.id, parse_version(form.version.data), actor=current_user
        )
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

    return commit_or_refuse(
        change,
        then=url_for("checklists.edit", version_id=version.id),
        message=_("The changes have been saved."),
        refused=_on_field(
            form.title,
            lambda status: _render_edit(load_version(version_id), status, draft_form=form),
        ),
    )


def _on_field(field, render):
    """A refusal's answer: its message under `field`, and the page again with its status."""

    def answer(refused: DomainError):
        field.errors = [*field.errors, refused.message]
        return render(refused.status)

    return answer


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
    load_version(version_id)
    form = SectionForm(prefix="section")
    if not form.validate():
        return _render_edit(load_version(version_id), 422, section_form=form)

    def change():
        version = services.editable(
            db, version_id, parse_version(form.version.data), actor=current_user
        )
        section = services.add_section(db, version, code=form.code.data, title=form.title.data)
        section.applies_to = json.dumps(form.applies_value(), ensure_ascii=False)
        return section

    return commit_or_refuse(
        change,
        then=lambda section: url_for(
            "checklists.edit", version_id=version_id, _anchor=f"s{section.id}"
        ),
        refused=_on_field(
            form.code,
            lambda status: _render_edit(load_version(version_id), status, section_form=form),
        ),
    )


def load_version(version_id: int) -> ChecklistVersion:
    """A version of a checklist the user keeps (every page here changes one), or 404/403."""
    return browse.load_version(version_id, to_edit=True)


def _section(section_id: int) -> ChecklistSection:
    section = get_session().get(ChecklistSection, section_id) or abort(404)
    load_version(section.version_id)
    return section


@bp.route("/sections/<id:section_id>/edit", methods=["GET", "POST"])
@require(Permission.MANAGE_CHECKLISTS)
def edit_section(section_id: int):
    """Rename a section or change where it applies."""
    db = get_session()
    section = _section(section_id)
    version = load_version(section.version_id)
    form = SectionForm(obj=section if request.method == "GET" else None, prefix="section")

    def page():
        return render_template(
            "checklists/section_form.html", form=form, section=section, version=version
        ), 422 if form.errors else 200

    if request.method == "GET":
        form.fill_applies(json.loads(section.applies_to))
        form.version.data = version.edit_version
    elif form.validate():

        def change():
            services.editable(db, version.id, parse_version(form.version.data), actor=current_user)
            services.update_section(
                db,
                section,
                code=form.code.data,
                title=form.title.data,
                applies_to=form.applies_value(),
            )

        return commit_or_refuse(
            change,
            then=url_for("checklists.edit", version_id=version.id, _anchor=f"s{section.id}"),
            refused=on_field(form.code, page),
        )
    return page()


@bp.post("/sections/<id:section_id>/move")
@require(Permission.MANAGE_CHECKLISTS)
def move_section(section_id: int):
    """Move a section up or down."""
    db = get_session()
    section = _section(section_id)

    def change():
        services.editable(db, section.version_id, actor=current_user)
        services.move(
            db,
            section,
            queries.sections_of(db, section.version_id),
            -1 if request.form.get("direction") == "up" else 1,
        )

    return commit_or_refuse(
        change,
        then=url_for("checklists.edit", version_id=section.version_id, _anchor=f"s{section.id}"),
        refused=_conflict,
    )


def _conflict(refused: DomainError):
    """A refusal's answer where the page offered a change that no longer applies."""
    abort(409, refused.message)


@bp.post("/sections/<id:section_id>/delete")
@require(Permission.MANAGE_CHECKLISTS)
def delete_section(section_id: int):
    """Remove a section and its items from a draft."""
    db = get_session()
    section = _section(section_id)
    version_id = section.version_id

    def change():
        services.editable(db, version_id, actor=current_user)
        services.delete_section(db, section)

    return commit_or_refuse(
        change,
        then=url_for("checklists.edit", version_id=version_id),
        message=_("The section has been removed."),
        refused=_conflict,
    )


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
    version = load_version(section.version_id)
    form = ItemForm()
    if request.method == "GET":
        form.version.data = version.edit_version
        return _item_form_page(form, version, section, None)
    if not form.validate():
        return _item_form_page(form, version, section, None, 422)

    def change():
        services.editable(db, version.id, parse_version(form.version.data), actor=current_user)
        return services.add_item(db, section, form.values())

    return commit_or_refuse(
        change,
        then=lambda item: url_for("checklists.edit", version_id=version.id, _anchor=f"i{item.id}"),
        refused=_on_field(
            form.code,
            lambda status: _item_form_page(
                form, load_version(section.version_id), section, None, status
            ),
        ),
    )


def _item(item_id: int) -> ChecklistItem:
    item = get_session().get(ChecklistItem, item_id) or abort(404)
    load_version(item.version_id)
    return item


@bp.route("/items/<id:item_id>/edit", methods=["GET", "POST"])
@require(Permission.MANAGE_CHECKLISTS)
def edit_item(item_id: int):
    """Change an item of a draft."""
    db = get_session()
    item = _item(item_id)
    version = load_version(item.version_id)
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

    def change():
        services.editable(db, version.id, parse_version(form.version.data), actor=current_user)
        services.update_item(db, item, form.values())

    return commit_or_refuse(
        change,
        then=url_for("checklists.edit", version_id=version.id, _anchor=f"i{item.id}"),
        message=_("The item has been saved."),
        refused=_on_field(
            form.code,
            lambda status: _item_form_page(
                form, load_version(item.version_id), section, item, status
            ),
        ),
    )


@bp.post("/items/<id:item_id>/move")
@require(Permission.MANAGE_CHECKLISTS)
def move_item(item_id: int):
    """Move an item up or down within its section."""
    db = get_session()
    item = _item(item_id)

    def change():
        services.editable(db, item.version_id, actor=current_user)
        siblings = queries.items_by_section(db, item.version_id).get(item.section_id, [])
        services.move(db, item, siblings, -1 if request.form.get("direction") == "up" else 1)

    return commit_or_refuse(
        change,
        then=url_for("checklists.edit", version_id=item.version_id, _anchor=f"i{item.id}"),
        refused=_conflict,
    )


@bp.post("/items/<id:item_id>/delete")
@require(Permission.MANAGE_CHECKLISTS)
def delete_item(item_id: int):
    """Remove an item from a draft."""
    db = get_session()
    item = _item(item_id)
    version_id = item.version_id

    def change():
        services.editable(db, version_id, actor=current_user)
        services.delete_item(db, item)

    return commit_or_refuse(
        change,
        then=url_for("checklists.edit", version_id=version_id),
        message=_("The item has been removed."),
        refused=_conflict,
    )


@bp.post("/versions/<id:version_id>/publish")
@require(Permission.MANAGE_CHECKLISTS)
def publish(version_id: int):
    """Publish a draft: it is checked like a file, then frozen as the current version."""
    db = get_session()
    load_version(version_id)

    def change():
        version = services.editable(db, version_id, actor=current_user)
        services.publish(db, version, actor=current_user)
        return version

    def refused(error: DomainError):
        version = load_version(version_id)
        if version.status != "draft":
            _conflict(error)
        return _render_edit(version, 422, publish_error=error.message)

    return commit_or_refuse(
        change,
        then=lambda version: url_for("checklists.detail", template_id=version.template_id),
        message=lambda version: _(
            "Version %(number)s is published; new inspections use it.", number=version.number
        ),
        refused=refused,
    )
