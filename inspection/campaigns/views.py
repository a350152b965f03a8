"""Campaign pages: the list, planning one, and how far each has come."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import ngettext
from flask_login import current_user
from sqlmodel import select

from inspection import clock
from inspection import labels
from inspection.auth.permissions import Permission
from inspection.auth.permissions import has_permission
from inspection.auth.permissions import require
from inspection.auth.scope import request_scope
from inspection.campaigns import queries
from inspection.campaigns import services
from inspection.campaigns.forms import CampaignForm
from inspection.campaigns.models import Campaign
from inspection.checklists.models import ChecklistTemplate
from inspection.checklists.queries import latest_published
from inspection.db import get_session
from inspection.enterprises import queries as enterprise_queries
from inspection.enterprises.models import INDUSTRY_SECTORS
from inspection.enterprises.models import RISK_FLAGS
from inspection.enterprises.models import Enterprise
from inspection.forms import choices
from inspection.inspections.models import Inspection
from inspection.inspections.queries import active_inspectors
from inspection.parks.queries import require_working_park
from inspection.risk import services as risk_services
from inspection.web import commit_or_refuse
from inspection.web import place_under_fields

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


@bp.get("/")
@require(Permission.VIEW_INSPECTIONS)
def index():
    """Every campaign with its progress, newest first."""
    db = get_session()
    rows = [
        (campaign, services.progress(db, campaign.id))
        for campaign in db.exec(
            queries.visible_campaigns(current_user).order_by(Campaign.start_date.desc())
        )
    ]
    return render_template(
        "campaigns/index.html",
        rows=rows,
        can_plan=has_permission(current_user, Permission.PLAN_INSPECTIONS),
        today=clock.today(),
    )


def _selection() -> services.Selection:
    industry = request.values.get("industry") or None
    risk = request.values.get("risk") or None
    zone = request.values.get("zone", "")
    return services.Selection(
        park_id=require_working_park(get_session(), current_user).id,
        industry=industry if industry in INDUSTRY_SECTORS else None,
        risk=risk if risk in RISK_FLAGS else None,
        zone_id=int(zone) if zone.isdigit() and len(zone) < 10 else None,
    )


def checklist_choices(form) -> None:
    """The latest published version of every checklist in use, for `form.checklists`."""
    db = get_session()
    versions = []
    for template in db.exec(select(ChecklistTemplate).where(ChecklistTemplate.retired.is_(False))):
        version = latest_published(db, template.id)
        if version is not None:
            versions.append(version)
    form.checklists.choices = choices(
        (v.id, v.title) for v in sorted(versions, key=lambda v: v.title)
    )


def inspector_choices(form) -> None:
    """The active inspectors, for `form.inspectors`."""
    form.inspectors.choices = choices(
        (u.id, u.display_name + (f"（{u.organisation}）" if u.third_party else ""))
        for u in active_inspectors(get_session(), request_scope(current_user))
    )


def _choices(form: CampaignForm, selection: services.Selection) -> list[Enterprise]:
    matching = services.matching(get_session(), selection)
    form.enterprises.choices = choices((e.id, e.name) for e in matching)
    checklist_choices(form)
    inspector_choices(form)
    return matching


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.PLAN_INSPECTIONS)
def create():
    """Plan a campaign: choose the enterprises by industry, risk and zone, then the checklists."""
    db = get_session()
    selection = _selection()
    form = CampaignForm()
    matching = _choices(form, selection)
    if request.method == "GET" or request.form.get("refresh"):
        if request.method == "GET":
            form.start_date.data = clock.today()
            form.due_date.data = clock.today() + timedelta(days=30)
        form.enterprises.data = [e.id for e in matching]
        if current_user.role == "inspector" and not form.inspectors.data:
            form.inspectors.data = [current_user.id]
        return _page(form, selection, matching)
    if not form.validate():
        return _page(form, selection, matching, 422)
    return commit_or_refuse(
        lambda: services.create_campaign(
            db,
            actor=current_user,
            park=require_working_park(db, current_user),
            name=form.name.data,
            type=form.type.data,
            description=form.description.data,
            start_date=form.start_date.data,
            due_date=form.due_date.data,
            enforcement=form.enforcement.data,
            enterprise_ids=form.enterprises.data or [],
            version_ids=form.checklists.data or [],
            inspector_ids=form.inspectors.data or [],
            over_cap_reason=form.over_cap_reason.data,
        ),
        then=lambda campaign: url_for("campaigns.detail", campaign_id=campaign.id),
        message=lambda campaign: ngettext(
            "The campaign is planned: %(num)d inspection.",
            "The campaign is planned: %(num)d inspections.",
            services.progress(db, campaign.id).total,
        ),
        refused=lambda refused: _refused(form, selection, matching, refused),
    )


def _refused(form, selection, matching, refused):
    # The yearly cap's refusal goes under the reason field; one about no field at the top.
    if place_under_fields(refused, form):
        return _page(form, selection, matching, refused.status)
    return _page(form, selection, matching, refused.status, refused.message)


def _page(form, selection, matching, status: int = 200, error: str | None = None):
    db = get_session()
    when = form.start_date.data or clock.today()
    caps = risk_services.cap_standings(db, matching, when.year)
    return render_template(
        "campaigns/new.html",
        form=form,
        selection=selection,
        matching=matching,
        at_cap=[(e, caps[e.id]) for e in matching if e.id in caps and caps[e.id].reached],
        zones=enterprise_queries.zones(db, require_working_park(db, current_user).id),
        industries=list(INDUSTRY_SECTORS),
        risk_labels=labels.RISK_FLAGS,
        error=error,
    ), status


@bp.get("/<id:campaign_id>")
@require(Permission.VIEW_INSPECTIONS)
def detail(campaign_id: int):
    """A campaign's inspections, enterprise by enterprise."""
    db = get_session()
    campaign = queries.get_campaign(db, current_user, campaign_id) or abort(404)
    rows = list(
        db.exec(
            select(Inspection, Enterprise.name)
            .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
            .where(Inspection.campaign_id == campaign.id)
            .order_by(Enterprise.name)
        )
    )
    return render_template(
        "campaigns/detail.html",
        campaign=campaign,
        rows=rows,
        progress=services.progress(db, campaign.id),
        labels=labels,
    )
