"""Inspection pages: my inspections today, the list, one inspection, logging hazards."""

from __future__ import annotations

import contextlib
from datetime import datetime
from datetime import timedelta

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from inspection import clock
from inspection import labels
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.checklists import services as checklist_services
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistSection
from inspection.checklists.models import ChecklistVersion
from inspection.db import get_session
from inspection.enterprises import queries as enterprise_queries
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.evidence import queries as photo_queries
from inspection.evidence.services import check_uploads
from inspection.evidence.services import keep_photos
from inspection.evidence.storage import storage
from inspection.forms import ConfirmForm
from inspection.forms import choices
from inspection.forms import parse_id
from inspection.hazards import services as hazard_services
from inspection.hazards.forms import HazardForm
from inspection.hazards.models import HazardState
from inspection.hazards.queries import user_names
from inspection.hazards.recording import DEFAULT_DEADLINE_DAYS
from inspection.hazards.recording import FoundHazard
from inspection.hazards.recording import default_deadline
from inspection.hazards.recording import record_hazard
from inspection.inspections import answers
from inspection.inspections import queries
from inspection.inspections import record
from inspection.inspections import services
from inspection.inspections import signatures
from inspection.inspections.forms import CompleteForm
from inspection.inspections.forms import InspectionForm
from inspection.inspections.models import InspectionInspector
from inspection.inspections.models import Signature
from inspection.pagination import parse_page
from inspection.reports.pdf import render_pdf
from inspection.web import commit_or_refuse
from inspection.web import on_field

bp = Blueprint("inspections", __name__)


@bp.get("/inspections/")
@require(Permission.VIEW_INSPECTIONS)
def index():
    """The inspector's start page: today's inspections and those still open."""
    if not has_permission(current_user, Permission.INSPECT):
        return redirect(url_for("inspections.all"))
    db = get_session()
    return render_template(
        "inspections/index.html",
        rows=queries.my_open_inspections(db, current_user),
        today=clock.today(),
        labels=labels,
    )


@bp.get("/inspections/all")
@require(Permission.VIEW_INSPECTIONS)
def all():
    """Every inspection, with filters and pagination."""
    db = get_session()
    filters = queries.InspectionFilters.from_args(request.args)
    page = queries.list_inspections(
        db,
        current_user,
        filters,
        page=parse_page(request.args.get("page")),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template("inspections/all.html", page=page, filters=filters, labels=labels)


def _enterprise_choices(form: InspectionForm) -> None:
    db = get_session()
    enterprises = db.exec(
        enterprise_queries.visible_enterprises(current_user)
        .where(Enterprise.active.is_(True))
        .order_by(Enterprise.name)
    )
    form.enterprise_id.choices = choices((e.id, e.name) for e in enterprises)
    form.co_inspectors.choices = choices(
        (u.id, u.display_name + (f"（{u.organisation}）" if u.organisation else ""))
        for u in queries.active_inspectors(db)
        if u.id != current_user.id
    )


@bp.route("/inspections/new", methods=["GET", "POST"])
@require(Permission.INSPECT)
def create():
    """Start an inspection at an enterprise."""
    form = InspectionForm()
    _enterprise_choices(form)
    if request.method == "GET":
        form.planned_date.data = clock.today()
        with contextlib.suppress(ValueError):
            form.enterprise_id.data = parse_id(request.args.get("enterprise", ""))
        if current_user.third_party:
            form.type.data = "third_party"

    def page():
        return render_template("inspections/form.html", form=form), 422 if form.errors else 200

    if form.validate_on_submit():
        db = get_session()
        enterprise = enterprise_queries.get_enterprise(db, current_user, form.enterprise_id.data)
        if enterprise is None:
            abort(404)
        return commit_or_refuse(
            lambda: services.create_inspection(
                db,
                enterprise=enterprise,
                actor=current_user,
                type=form.type.data,
                planned_date=form.planned_date.data,
                enforcement=form.enforcement.data,
                co_inspector_ids=form.co_inspectors.data,
                summary=form.summary.data,
            ),
            then=lambda inspection: url_for("inspections.detail", inspection_id=inspection.id),
            message=_("The inspection has started."),
            refused=on_field(form.enforcement, page),
        )
    return page()


def _load(inspection_id: int):
    return queries.get_inspection(get_session(), current_user, inspection_id) or abort(404)


@bp.get("/inspections/<id:inspection_id>")
@require(Permission.VIEW_INSPECTIONS)
def detail(inspection_id: int):
    """One inspection: the team, the hazards found, issuing the notice."""
    db = get_session()
    inspection = _load(inspection_id)
    team = queries.team(db, inspection.id)
    hazards = queries.hazards_of(db, inspection.id)
    on_team = any(member.id == current_user.id for member, _lead in team)
    enterprise = db.get(Enterprise, inspection.enterprise_id)
    suited, others = checklist_services.offered_versions(db, enterprise)
    used = answers.versions_of(db, inspection.id)
    used_templates = {v.template_id for v in used}
    return render_template(
        "inspections/detail.html",
        checklists=_checklist_rows(db, inspection, used),
        suited=[v for v in suited if v.template_id not in used_templates],
        others=[v for v in others if v.template_id not in used_templates],
        inspection=inspection,
        enterprise=enterprise,
        team=team,
        hazards=hazards,
        waiting=[h for h in hazards if h.state == HazardState.FOUND],
        on_team=on_team and has_permission(current_user, Permission.INSPECT),
        confirm_form=ConfirmForm(),
        complete_form=CompleteForm(),
        names=user_names(db, {inspection.created_by_id}),
        labels=labels,
        today=clock.today(),
    )


@bp.route("/inspections/<id:inspection_id>/hazards/new", methods=["GET", "POST"])
@require(Permission.INSPECT)
def new_hazard(inspection_id: int):
    """Log a hazard with its photos."""
    db = get_session()
    inspection = _load(inspection_id)
    enterprise = db.get(Enterprise, inspection.enterprise_id)
    form = HazardForm()
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
            section=_section_code(item),
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


def _section_code(item: ChecklistItem) -> str:
    section = get_session().get(ChecklistSection, item.section_id)
    return section.code if section else ""


def _checklist_rows(db, inspection, versions):
    """Each checklist of an inspection with its progress and, for assessments, its score."""
    answered = answers.answers_of(db, inspection.id)
    rows = []
    for version in versions:
        progress, items = answers.progress(db, version.id, answered)
        score = None
        if version.kind == "assessment":
            score = checklist_services.score(
                version, items, {i: a.result for i, a in answered.items() if a.result}
            )
        rows.append((version, progress, score))
    return rows


@bp.post("/inspections/<id:inspection_id>/checklists")
@require(Permission.INSPECT)
def add_checklist(inspection_id: int):
    """Use a checklist in this inspection."""
    db = get_session()
    inspection = _load(inspection_id)
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
    inspection = _load(inspection_id)
    version = db.get(ChecklistVersion, version_id)
    if version is None or version.id not in {v.id for v in answers.versions_of(db, inspection.id)}:
        abort(404)
    enterprise = db.get(Enterprise, inspection.enterprise_id)
    sections = checklist_services.sections_of(db, version.id)
    items = checklist_services.items_by_section(db, version.id)
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
            s.id: checklist_services.applies(s.applies_to, enterprise) for s in sections
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
    inspection = _load(inspection_id)
    item = db.get(ChecklistItem, item_id) or abort(404)
    wants_json = request.accept_mimetypes.best == "application/json"
    if not ConfirmForm().validate():
        abort(400)
    form = request.form
    back = url_for(
        "inspections.checklist",
        inspection_id=inspection_id,
        version_id=item.version_id,
        section=_section_code(item),
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
        refused=_json_refusal if wants_json else back,
    )


def _json_refusal(refused: DomainError):
    return jsonify(error=refused.message), refused.status


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


@bp.post("/inspections/<id:inspection_id>/issue")
@require(Permission.ISSUE_NOTICES)
def issue(inspection_id: int):
    """Issue the inspection's hazards to the enterprise as a numbered notice."""
    db = get_session()
    inspection = _load(inspection_id)
    if not ConfirmForm().validate():
        abort(400)
    return commit_or_refuse(
        lambda: hazard_services.issue_notice(db, inspection=inspection, actor=current_user),
        then=lambda notice: url_for("hazards.notice", notice_id=notice.id),
        message=lambda notice: _(
            "Notice %(number)s has been issued to the enterprise.", number=notice.number
        ),
        refused=url_for("inspections.detail", inspection_id=inspection_id),
    )


@bp.post("/inspections/<id:inspection_id>/complete")
@require(Permission.INSPECT)
def complete(inspection_id: int):
    """Complete and lock the record once everyone has signed."""
    db = get_session()
    inspection = _load(inspection_id)
    form = CompleteForm()
    if not form.validate():
        abort(400)
    return commit_or_refuse(
        lambda: services.complete_inspection(
            db, inspection=inspection, actor=current_user, summary=form.summary.data
        ),
        then=url_for("inspections.detail", inspection_id=inspection_id),
        message=_("The inspection is completed and its record is locked."),
        refused=url_for("inspections.sign", inspection_id=inspection_id),
    )


@bp.get("/inspections/<id:inspection_id>/sign")
@require(Permission.VIEW_INSPECTIONS)
def sign(inspection_id: int):
    """The end of the visit: the inspectors and the enterprise's representative sign."""
    return _render_sign(_load(inspection_id))


def _render_sign(inspection, status: int = 200, error: str | None = None):
    db = get_session()
    recorded = signatures.signatures_of(db, inspection.id)
    by_user = {sig.user_id: sig for sig in recorded if sig.role == "inspector"}
    members = [member for member, _lead in queries.team(db, inspection.id)]
    on_team = any(member.id == current_user.id for member in members)
    return render_template(
        "inspections/sign.html",
        inspection=inspection,
        enterprise=db.get(Enterprise, inspection.enterprise_id),
        checklists=_checklist_rows(db, inspection, answers.versions_of(db, inspection.id)),
        hazards=queries.hazards_of(db, inspection.id),
        inspector_slots=[(member, by_user.get(member.id)) for member in members],
        enterprise_signature=next((sig for sig in recorded if sig.role == "enterprise"), None),
        missing=services.missing_signatures(db, inspection),
        can_sign=on_team
        and has_permission(current_user, Permission.INSPECT)
        and inspection.status != "completed",
        complete_form=CompleteForm(formdata=None),
        error=error,
    ), status


@bp.post("/inspections/<id:inspection_id>/signatures")
@require(Permission.INSPECT)
def add_signature(inspection_id: int):
    """Keep one signature drawn on the screen."""
    db = get_session()
    inspection = _load(inspection_id)
    if not ConfirmForm().validate():
        abort(400)

    def change():
        raw_user = request.form.get("user_id", "")
        try:
            signer_user_id = parse_id(raw_user) if raw_user else None
        except ValueError as error:
            raise DomainError(_("Choose who is signing.")) from error
        return signatures.sign(
            db,
            inspection=inspection,
            actor=current_user,
            role=request.form.get("role", ""),
            signer_user_id=signer_user_id,
            signer_name=request.form.get("signer_name"),
            image=signatures.decode_signature(request.form.get("signature", "")),
        )

    return commit_or_refuse(
        change,
        then=url_for("inspections.sign", inspection_id=inspection_id),
        message=_("The signature has been saved."),
        refused=lambda refused: _render_sign(_load(inspection_id), refused.status, refused.message),
    )


@bp.get("/signatures/<id:signature_id>.png")
@require(Permission.VIEW_INSPECTIONS)
def signature_image(signature_id: int):
    """A signature's image, for those who may see its inspection."""
    db = get_session()
    signature = db.get(Signature, signature_id) or abort(404)
    _load(signature.inspection_id)
    path = storage().path(signature.sha256)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype="image/png", max_age=3600, etag=signature.sha256)


@bp.get("/inspections/<id:inspection_id>/record.pdf")
@require(Permission.VIEW_INSPECTIONS)
def record_pdf(inspection_id: int):
    """现场检查记录: the inspection record as a PDF."""
    db = get_session()
    inspection = _load(inspection_id)
    pdf = render_pdf("reports/inspection_record.html", **record.context(db, inspection))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="inspection-{inspection.id}.pdf"'},
    )


@bp.post("/inspections/<id:inspection_id>/photos")
@require(Permission.INSPECT)
def upload_photo(inspection_id: int):
    """Take one photo (already downscaled by the page) for a hazard being logged or an item."""
    db = get_session()
    inspection = _load(inspection_id)
    if not ConfirmForm().validate():
        abort(400)

    def change():
        if db.get(InspectionInspector, (inspection.id, current_user.id)) is None:
            raise DomainError(_("You are not on this inspection's team."))
        if inspection.status == "completed":
            raise DomainError(_("This inspection is completed; no photos can be added."))
        upload = request.files.get("photo")
        if upload is None or not upload.filename:
            raise DomainError(_("No photo arrived. Take it again."))
        checked = check_uploads([upload])[0]
        taken_at = checked.taken_at or _client_time(request.form.get("taken_at"))
        latitude = (
            checked.latitude
            if checked.latitude is not None
            else _coordinate(request.form.get("latitude"), 90)
        )
        longitude = (
            checked.longitude
            if checked.longitude is not None
            else _coordinate(request.form.get("longitude"), 180)
        )
        answer_id = None
        kind = "before"
        item_id = request.form.get("item_id", "")
        if item_id:
            try:
                item = answers.item_of(db, inspection, parse_id(item_id))
            except ValueError as error:
                raise DomainError(_("No photo arrived. Take it again.")) from error
            answer_id = answers.answer_for_photo(
                db, inspection=inspection, item=item, actor=current_user
            ).id
            kind = "inspection"
        (photo,) = keep_photos(
            db,
            [checked],
            kind=kind,
            enterprise_id=inspection.enterprise_id,
            actor=current_user,
            inspection_id=inspection.id,
            answer_id=answer_id,
        )
        photo.taken_at = taken_at
        photo.latitude, photo.longitude = latitude, longitude
        services.ensure_started(inspection)
        return photo

    return commit_or_refuse(
        change,
        then=lambda photo: jsonify(
            id=photo.id,
            thumb=url_for("evidence.photo", photo_id=photo.id, variant="thumb"),
            display=url_for("evidence.photo", photo_id=photo.id, variant="display"),
        ),
        refused=_json_refusal,
    )


def _client_time(value: str | None):
    """The capture time the device reported (ISO 8601), if it is sane."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None or moment > clock.now() + timedelta(minutes=5):
        return None
    return moment


def _coordinate(value: str | None, limit: float) -> float | None:
    try:
        number = float(value) if value else None
    except ValueError:
        return None
    return number if number is not None and -limit <= number <= limit else None
