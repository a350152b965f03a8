"""挂牌督办重点单位: the list by level, listing an enterprise, one listing, and 摘牌."""

from __future__ import annotations

from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select

from inspection import clock
from inspection.assignments.lifecycle import CASE_STATES
from inspection.assignments.models import AssignedCase
from inspection.assignments.models import CaseState
from inspection.assignments.queries import visible_cases
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.db import get_session
from inspection.enterprises.models import Enterprise
from inspection.forms import choices
from inspection.forms import parse_version
from inspection.hazards.models import Hazard
from inspection.hazards.models import unclosed
from inspection.hazards.queries import visible_hazards
from inspection.parks.queries import require_working_park
from inspection.programme import listings
from inspection.programme import queries
from inspection.programme.forms import DelistForm
from inspection.programme.forms import ListingForm
from inspection.programme.models import EnterpriseListing
from inspection.programme.models import ListingItem
from inspection.programme.views import bp
from inspection.web import commit_or_refuse
from inspection.web import flash_refusal


@bp.get("/listings")
@require(Permission.VIEW_HAZARDS)
def listing_index():
    """Listed enterprises, still listed first, filtered by level and whether removed."""
    db = get_session()
    stmt = queries.listing_rows(current_user)
    level, state = request.args.get("level", ""), request.args.get("state", "")
    if level in listings.LEVELS:
        stmt = stmt.where(EnterpriseListing.level == level)
    if state == "listed":
        stmt = stmt.where(EnterpriseListing.delisted_at.is_(None))
    elif state == "removed":
        stmt = stmt.where(EnterpriseListing.delisted_at.is_not(None))
    rows = db.exec(
        stmt.order_by(EnterpriseListing.delisted_at.is_not(None), EnterpriseListing.deadline)
    ).all()
    return render_template(
        "programme/listings.html", rows=rows, levels=listings.LEVELS, level=level, state=state
    )


def _listing_choices(form: ListingForm) -> None:
    db = get_session()
    park = require_working_park(db, current_user)
    form.enterprise.choices = choices(
        (e.id, e.name)
        for e in db.exec(
            select(Enterprise).where(Enterprise.park_id == park.id).order_by(Enterprise.name)
        )
    )
    chosen = form.enterprise.data if isinstance(form.enterprise.data, int) else None
    if chosen is None and form.enterprise.choices:
        chosen = form.enterprise.choices[0].value
    form.hazards.choices = choices(
        (h.id, f"{h.number} {h.title}")
        for h in db.exec(
            visible_hazards(current_user)
            .where(Hazard.enterprise_id == chosen, unclosed())
            .limit(200)
        )
    )
    form.cases.choices = choices(
        (c.id, f"{c.number} {c.problem[:40]}")
        for c in db.exec(
            visible_cases(current_user)
            .where(AssignedCase.enterprise_id == chosen, AssignedCase.state != CaseState.CLOSED)
            .limit(200)
        )
    )


@bp.route("/listings/new", methods=["GET", "POST"])
@require(Permission.SUPERVISE_MAJOR)
def listing_create():
    """List an enterprise for supervision at city, county or park level."""
    db = get_session()
    form = ListingForm()
    _listing_choices(form)

    def page(status: int = 200):
        return render_template("programme/listing_new.html", form=form), status

    if request.method == "GET" or request.form.get("refresh"):
        if request.method == "GET":
            form.listed_on.data = clock.today()
        return page()
    if not form.validate():
        return page(422)
    return commit_or_refuse(
        lambda: listings.list_enterprise(
            db,
            park=require_working_park(db, current_user),
            actor=current_user,
            enterprise_id=form.enterprise.data,
            level=form.level.data,
            body=form.body.data,
            reason=form.reason.data,
            listed_on=form.listed_on.data,
            deadline=form.deadline.data,
            hazard_ids=form.hazards.data or [],
            case_ids=form.cases.data or [],
        ),
        then=lambda listing: url_for("programme.listing", listing_id=listing.id),
        message=_("The enterprise has been listed for supervision."),
        refused=lambda refused: page(flash_refusal(refused)),
    )


@bp.get("/listings/<id:listing_id>")
@require(Permission.VIEW_HAZARDS)
def listing(listing_id: int):
    """One listing: the enterprise, the covered items and their states, and 摘牌."""
    db = get_session()
    found = queries.get_listing(db, current_user, listing_id) or abort(404)
    hazards = db.exec(
        select(Hazard)
        .join(ListingItem, ListingItem.hazard_id == Hazard.id)
        .where(ListingItem.listing_id == found.id)
    ).all()
    cases = db.exec(
        select(AssignedCase)
        .join(ListingItem, ListingItem.case_id == AssignedCase.id)
        .where(ListingItem.listing_id == found.id)
    ).all()
    return render_template(
        "programme/listing.html",
        listing=found,
        enterprise=db.get(Enterprise, found.enterprise_id),
        hazards=hazards,
        cases=cases,
        open_items=listings.open_items(db, found),
        may_delist=found.listed and listings.may_delist(found, current_user),
        levels=listings.LEVELS,
        case_states=CASE_STATES,
        form=DelistForm(formdata=None),
    )


@bp.post("/listings/<id:listing_id>/delist")
@require(Permission.SUPERVISE_MAJOR)
def delist(listing_id: int):
    """摘牌: approve the removal of a listing whose items are all closed."""
    db = get_session()
    found = queries.get_listing(db, current_user, listing_id) or abort(404)
    form = DelistForm()
    back = url_for("programme.listing", listing_id=found.id)
    return commit_or_refuse(
        lambda: listings.delist(
            db,
            listing=found,
            actor=current_user,
            comment=form.comment.data or "",
            version=parse_version(form.version.data),
        ),
        then=back,
        message=_("The enterprise has been removed from the list (摘牌)."),
    )
