"""Logging a hazard during an inspection, from a failed checklist item or on its own."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace

from flask import flash
from flask import redirect
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
from inspection.evidence.services import unclaimed_uploads
from inspection.evidence.uploads import posted_ids as _ids
from inspection.forms import choices
from inspection.forms import parse_id
from inspection.hazards.forms import HazardForm
from inspection.hazards.models import Hazard
from inspection.hazards.recording import DEFAULT_DEADLINE_DAYS
from inspection.hazards.recording import FoundHazard
from inspection.hazards.recording import default_deadline
from inspection.hazards.recording import park_levels
from inspection.hazards.recording import record_hazard
from inspection.inspections import answers
from inspection.inspections import queries
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
        form.form_key.data = str(uuid.uuid4())
        if item is not None:
            _prefill(form, item)
    else:
        saved = _saved_before(form.form_key.data, inspection.id)
        if saved is not None:
            flash(
                _(
                    "Hazard %(number)s was already saved from this form; it was not saved a"
                    " second time.",
                    number=saved.number,
                ),
                "warning",
            )
            return redirect(url_for("hazards.detail", hazard_id=saved.id))

    def page():
        return render_template(
            "inspections/hazard_form.html",
            form=form,
            inspection=inspection,
            enterprise=enterprise,
            item=item,
            today=clock.today(),
            kept=kept_uploads(inspection.id),
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
            danger_reason=form.danger_reason.data,
            occurrence_link=form.occurrence_link.data or None,
            deadline=form.deadline.data,
            required_measures=form.required_measures.data,
            override_reason=form.override_reason.data,
            item_id=item.id if item is not None else None,
            device_id=_form_key(form.form_key.data),
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
        # Back at the item, where the confirmation is shown (a flash at the top of the page
        # would be off screen).
        def back(hazard):
            return url_for(
                "inspections.checklist",
                inspection_id=inspection.id,
                version_id=item.version_id,
                section=section_code(item),
                saved=hazard.id,
                _anchor=f"item-{item.id}",
            )
    else:

        def back(hazard):
            return url_for("inspections.detail", inspection_id=inspection.id)

    return commit_or_refuse(
        change,
        then=back,
        message=None if item is not None else saved_message,
        refused=on_field(form.title, page, form),
    )


def saved_message(hazard) -> str:
    """What saving a hazard did: recorded, or fixed on the spot and closed."""
    if hazard.state == "closed":
        return _("Hazard %(number)s was fixed on the spot and closed.", number=hazard.number)
    return _("Hazard %(number)s has been recorded.", number=hazard.number)


def kept_uploads(inspection_id: int) -> SimpleNamespace:
    """The photos a refused form had uploaded ahead, still this user's and unclaimed, so the
    form comes back with them."""
    if request.method != "POST":
        return SimpleNamespace(photo_ids=[], after_photo_ids=[])
    wanted = {name: _ids(name) for name in ("photo_ids", "after_photo_ids")}
    free = set(
        unclaimed_uploads(
            get_session(),
            [i for ids in wanted.values() for i in ids],
            inspection_id=inspection_id,
            actor=current_user,
        )
    )
    return SimpleNamespace(**{name: [i for i in ids if i in free] for name, ids in wanted.items()})


def _form_key(raw: str | None) -> str | None:
    """The key the form was shown with, if it is one we made (a UUID)."""
    try:
        return str(uuid.UUID(str(raw or "")))
    except ValueError:
        return None


def _saved_before(raw: str | None, inspection_id: int) -> Hazard | None:
    """The hazard this form already made, when it is sent again."""
    key = _form_key(raw)
    if key is None:
        return None
    return queries.hazard_saved_from(
        get_session(), key=key, inspection_id=inspection_id, user_id=current_user.id
    )


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
