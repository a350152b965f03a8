"""Going through a checklist in an inspection: adding it, its sections, one tap per answer."""

from __future__ import annotations

from flask import abort
from flask import flash
from flask import jsonify
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
from inspection.checklists import queries as checklist_queries
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistVersion
from inspection.db import get_session
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.evidence import queries as photo_queries
from inspection.evidence.uploads import refused as json_refusal
from inspection.forms import ConfirmForm
from inspection.forms import parse_id
from inspection.inspections import answers
from inspection.inspections import queries
from inspection.inspections.models import InspectionInspector
from inspection.inspections.views import bp
from inspection.inspections.views.visit import load_inspection
from inspection.inspections.views.visit import section_code
from inspection.web import commit_or_refuse


@bp.post("/inspections/<id:inspection_id>/checklists")
@require(Permission.INSPECT)
def add_checklist(inspection_id: int):
    """Use a checklist in this inspection."""
    db = get_session()
    inspection = load_inspection(inspection_id)
    if not ConfirmForm().validate():
        abort(400)
    try:
        version = db.get(ChecklistVersion, parse_id(request.form.get("version_id", "")))
    except ValueError:
        version = None
    if version is None:
        flash(_("Choose a checklist."), "error")
        return redirect(url_for("inspections.detail", inspection_id=inspection_id))
    return commit_or_refuse(
        lambda: answers.add_checklist(
            db, inspection=inspection, version=version, actor=current_user
        ),
        then=url_for("inspections.checklist", inspection_id=inspection_id, version_id=version.id),
        refused=url_for("inspections.detail", inspection_id=inspection_id),
    )


@bp.get("/inspections/<id:inspection_id>/checklists/<id:version_id>")
@require(Permission.VIEW_INSPECTIONS)
def checklist(inspection_id: int, version_id: int):
    """Go through one checklist, section by section, answering each item with one tap."""
    db = get_session()
    inspection = load_inspection(inspection_id)
    version = db.get(ChecklistVersion, version_id)
    if version is None or version.id not in {v.id for v in answers.versions_of(db, inspection.id)}:
        abort(404)
    enterprise = db.get(Enterprise, inspection.enterprise_id)
    sections = checklist_queries.sections_of(db, version.id)
    items = checklist_queries.items_by_section(db, version.id)
    answered = answers.answers_of(db, inspection.id)
    progress, _items = answers.progress(db, version.id, answered)
    current = next((s for s in sections if s.code == request.args.get("section")), None)
    current = current or (sections[0] if sections else None)
    index = sections.index(current) if current else 0
    hazards = {}
    for hazard in queries.hazards_of(db, inspection.id):
        if hazard.checklist_item_id:
            hazards.setdefault(hazard.checklist_item_id, []).append(hazard)
    on_team = db.get(InspectionInspector, (inspection.id, current_user.id)) is not None
    return render_template(
        "inspections/checklist.html",
        inspection=inspection,
        enterprise=enterprise,
        version=version,
        sections=sections,
        section=current,
        previous=sections[index - 1] if index > 0 else None,
        following=sections[index + 1] if index + 1 < len(sections) else None,
        items=items,
        answers=answered,
        progress=progress,
        section_counts={
            s.id: (
                sum(1 for i in items.get(s.id, []) if i.id in answered),
                len(items.get(s.id, [])),
            )
            for s in sections
        },
        section_applies={
            s.id: checklist_queries.applies(s.applies_to, enterprise) for s in sections
        },
        hazards=hazards,
        answer_photos=photo_queries.photos_by_answer(db, [a.id for a in answered.values()]),
        can_answer=on_team
        and has_permission(current_user, Permission.INSPECT)
        and inspection.status != "completed",
        confirm_form=ConfirmForm(),
        labels=labels,
    )


@bp.post("/inspections/<id:inspection_id>/answers/<id:item_id>")
@require(Permission.INSPECT)
def answer(inspection_id: int, item_id: int):
    """Save the answer to one item (a tap); JSON for the page's script, a redirect without it."""
    db = get_session()
    inspection = load_inspection(inspection_id)
    item = db.get(ChecklistItem, item_id) or abort(404)
    wants_json = request.accept_mimetypes.best == "application/json"
    if not ConfirmForm().validate():
        abort(400)
    form = request.form
    back = url_for(
        "inspections.checklist",
        inspection_id=inspection_id,
        version_id=item.version_id,
        section=section_code(item),
        _anchor=f"item-{item.id}",
    )

    def saved_json(saved):
        progress, _items = answers.progress(
            db, item.version_id, answers.answers_of(db, inspection.id)
        )
        return jsonify(
            item=item.id,
            result=saved.result,
            version=saved.version,
            progress={
                "answered": progress.answered,
                "total": progress.total,
                "failed": progress.failed,
                "percent": progress.percent,
            },
            hazard_url=url_for("inspections.new_hazard", inspection_id=inspection.id, item=item.id),
        )

    return commit_or_refuse(
        lambda: answers.record_answer(
            db,
            inspection=inspection,
            item=item,
            actor=current_user,
            result=form.get("result") or None,
            number=_float(form.get("number")),
            choice=form.get("choice") or None,
            text=form.get("text"),
            comment=form.get("comment"),
        ),
        then=saved_json if wants_json else back,
        refused=json_refusal if wants_json else back,
    )


def _float(value: str | None) -> float | None:
    if value is None or not value.strip():
        return None
    try:
        number = float(value.replace(",", "."))
    except ValueError as error:
        raise DomainError(_("“%(value)s” is not a number.", value=value)) from error
    if number != number or number in (float("inf"), float("-inf")):
        raise DomainError(_("“%(value)s” is not a number.", value=value))
    return number
