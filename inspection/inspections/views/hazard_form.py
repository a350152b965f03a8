"""Logging a hazard during an inspection, from a failed checklist item or on its own."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspection import clock
from inspection import labels
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.checklists.models import ChecklistItem
from inspection.db import get_session
from inspection.enterprises.models import Enterprise
from inspection.evidence.services import check_uploads
from inspection.forms import choices
from inspection.forms import parse_id
from inspection.hazards.forms import HazardForm
from inspection.hazards.recording import DEFAULT_DEADLINE_DAYS
from inspection.hazards.recording import FoundHazard
from inspection.hazards.recording import default_deadline
from inspection.hazards.recording import park_levels
from inspection.hazards.recording import record_hazard
from inspection.inspections import answers
from inspection.inspections.views import bp
from inspection.inspections.views.visit import load_inspection
from inspection.inspections.views.visit import section_code
from inspection.parks.models import Park
from inspection.web import commit_or_refuse
from inspection.web import on_field


@bp.route("/inspections/<id:inspection_id>/hazards/new", methods=["GET", "POST"])
@require(Permission.INSPECT)
def new_hazard(inspection_id: int):
    """Log a hazard with its photos."""
    db = get_session()
    inspection = load_inspection(inspection_id)
    enterprise = db.get(Enterprise, inspection.enterprise_id)
    form = HazardForm()
    form.level.choices = choices(
        (level, labels.label(labels.HAZARD_LEVELS, level))
        for level in park_levels(db.get(Park, inspection.park_id))
    )
    item = _item_of(request.args.get("item") or form.item_id.data, inspection.id)
    if request.method == "GET":
        form.deadline.data = default_deadline("general")
        if item is not None:
            _prefill(form, item)

    def page():
        return render_template(
            "inspections/hazard_form.html",
            form=form,
            inspection=inspection,
            enterprise=enterprise,
            item=item,
        ), 422 if form.errors else 200

    def change():
        fixed = form.fixed_on_spot.data
        found = FoundHazard(
            title=form.title.data,
            description=form.description.data,
            location=form.location.data,
            level=form.level.data,
            category=form.category.data,
            aspect=form.aspect.data,
            basis=form.basis.data,
            deadline=form.deadline.data,
            required_measures=form.required_measures.data,
            override_reason=form.override_reason.data,
            item_id=item.id if item is not None else None,
            photos=check_uploads(form.photos.data),
            photo_ids=_ids("photo_ids"),
            fixed_on_spot=fixed,
            fix_note=form.fix_note.data,
            after_photos=check_uploads(form.after_photos.data) if fixed else [],
            after_photo_ids=_ids("after_photo_ids") if fixed else [],
        )
        return record_hazard(db, inspection=inspection, actor=current_user, found=found)

    if not form.validate_on_submit():
        return page()
    if item is not None:
        back = url_for(
            "inspections.checklist",
            inspection_id=inspection.id,
            version_id=item.version_id,
            section=section_code(item),
            _anchor=f"item-{item.id}",
        )
    else:
        back = url_for("inspections.detail", inspection_id=inspection.id)
    return commit_or_refuse(
        change,
        then=back,
        message=lambda hazard: (
            _("Hazard %(number)s was fixed on the spot and closed.", number=hazard.number)
            if hazard.state == "closed"
            else _("Hazard %(number)s has been recorded.", number=hazard.number)
        ),
        refused=on_field(form.title, page),
    )


def _ids(name: str) -> list[int]:
    """Record ids posted in a repeated form field; anything that is not one is dropped."""
    ids = []
    for raw in request.form.getlist(name):
        try:
            ids.append(parse_id(raw))
        except ValueError:
            continue
    return ids


def _item_of(raw: object, inspection_id: int) -> ChecklistItem | None:
    """The checklist item a hazard is raised from, if it belongs to this inspection."""
    try:
        item_id = parse_id(raw)
    except ValueError:
        return None
    db = get_session()
    item = db.get(ChecklistItem, item_id)
    if item is None or item.version_id not in {
        v.id for v in answers.versions_of(db, inspection_id)
    }:
        return None
    return item


def _prefill(form: HazardForm, item: ChecklistItem) -> None:
    """Fill the hazard form from a failed item: title, category, basis, deadline, level."""
    form.item_id.data = item.id
    form.title.data = item.hazard_title or item.text[:200]
    form.description.data = _("Checklist item %(code)s: %(text)s", code=item.code, text=item.text)
    form.category.data = item.category
    form.level.data = "major" if item.major else "general"
    form.basis.data = item.basis
    days = item.deadline_days or DEFAULT_DEADLINE_DAYS[form.level.data]
    form.deadline.data = clock.today() + timedelta(days=days)
