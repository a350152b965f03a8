"""Admin pages for notifications: the delivery log (with retry) and the webhooks."""

from __future__ import annotations

import json

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import func
from sqlmodel import or_
from sqlmodel import select

from inspection import labels
from inspection.auth.models import User
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.auth.scope import Scope
from inspection.auth.scope import request_scope
from inspection.db import get_session
from inspection.errors import check_version
from inspection.forms import ConfirmForm
from inspection.forms import parse_version
from inspection.notifications import delivery as outbox
from inspection.notifications import webhooks
from inspection.notifications.forms import WebhookForm
from inspection.notifications.models import Delivery
from inspection.notifications.models import DeliveryStatus
from inspection.notifications.models import WebhookEndpoint
from inspection.notifications.outcome import DeliveryError
from inspection.notifications.services import email_enabled
from inspection.pagination import paginate
from inspection.pagination import parse_page
from inspection.parks.queries import require_working_park
from inspection.security import services as security
from inspection.security.models import EventKind
from inspection.web import commit_or_refuse
from inspection.web import flash_refusal

bp = Blueprint("notification_admin", __name__, url_prefix="/admin/notifications")

# Statuses that need an admin's eye.
TROUBLE = (DeliveryStatus.RETRYING, DeliveryStatus.FAILED)


def _in_scope(scope: Scope):
    """Deliveries of the admin's parks: to their people, or to their parks' webhooks (a
    bureau admin also sees the bureau's own people's)."""
    people = scope.parks(User.park_id)
    if scope.is_region:
        people = or_(people, User.region_id == scope.region_id)
    return or_(people, scope.parks(WebhookEndpoint.park_id))


def _endpoint(db, endpoint_id: int) -> WebhookEndpoint:
    """A webhook of the admin's parks, or 404."""
    endpoint = db.exec(
        select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id,
            request_scope(current_user).rows(WebhookEndpoint.park_id),
        )
    ).first()
    return endpoint or abort(404)


@bp.get("/")
@require(Permission.MANAGE_NOTIFICATIONS)
def deliveries():
    """Every email and webhook delivery, newest first, filterable; failures show their error."""
    db = get_session()
    status = request.args.get("status") or ""
    channel = request.args.get("channel") or ""
    scoped = _in_scope(request_scope(current_user))
    stmt = (
        select(Delivery, User.display_name, WebhookEndpoint.name)
        .outerjoin(User, User.id == Delivery.recipient_id)
        .outerjoin(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
        .where(scoped)
    )
    if status == "trouble":
        stmt = stmt.where(Delivery.status.in_(TROUBLE))
    elif status in labels.DELIVERY_STATUSES:
        stmt = stmt.where(Delivery.status == status)
    if channel in labels.CHANNELS:
        stmt = stmt.where(Delivery.channel == channel)
    page = paginate(
        db,
        stmt.order_by(Delivery.created_at.desc(), Delivery.id.desc()),
        page=parse_page(request.args.get("page")),
        per_page=current_app.config["PAGE_SIZE"],
    )
    counts = dict(
        db.exec(
            select(Delivery.status, func.count())
            .outerjoin(User, User.id == Delivery.recipient_id)
            .outerjoin(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
            .where(scoped)
            .group_by(Delivery.status)
        ).all()
    )
    return render_template(
        "notifications/admin/deliveries.html",
        page=page,
        status=status,
        channel=channel,
        counts=counts,
        trouble=sum(counts.get(s, 0) for s in TROUBLE),
        email_enabled=email_enabled(),
        labels=labels,
        confirm_form=ConfirmForm(),
    )


@bp.post("/deliveries/<id:delivery_id>/<any(retry, cancel):action>")
@require(Permission.MANAGE_NOTIFICATIONS)
def act_on_delivery(delivery_id: int, action: str):
    """Send a failed delivery again now, or give it up."""
    db = get_session()
    delivery = db.exec(
        select(Delivery)
        .outerjoin(User, User.id == Delivery.recipient_id)
        .outerjoin(WebhookEndpoint, WebhookEndpoint.id == Delivery.endpoint_id)
        .where(Delivery.id == delivery_id, _in_scope(request_scope(current_user)))
    ).first() or abort(404)
    if not ConfirmForm().validate():
        abort(400)
    before = delivery.status
    (outbox.retry_now if action == "retry" else outbox.cancel)(delivery)
    if delivery.status == before:
        flash(
            _(
                "This delivery is %(status)s; there is nothing to do.",
                status=labels.label(labels.DELIVERY_STATUSES, before),
            ),
            "error",
        )
    else:
        db.commit()
        flash(
            _("It will be sent within a minute.")
            if action == "retry"
            else _("The delivery is cancelled."),
            "success",
        )
    return redirect(request.form.get("next") or url_for("notification_admin.deliveries"))


@bp.get("/webhooks")
@require(Permission.MANAGE_NOTIFICATIONS)
def webhook_list():
    """The webhooks and what each receives."""
    db = get_session()
    endpoints = list(
        db.exec(
            select(WebhookEndpoint)
            .where(request_scope(current_user).rows(WebhookEndpoint.park_id))
            .order_by(WebhookEndpoint.name)
        )
    )
    return render_template(
        "notifications/admin/webhooks.html",
        endpoints=endpoints,
        kinds={e.id: json.loads(e.kinds or "[]") for e in endpoints},
        labels=labels,
        confirm_form=ConfirmForm(),
    )


@bp.route("/webhooks/new", methods=["GET", "POST"])
@bp.route("/webhooks/<id:endpoint_id>", methods=["GET", "POST"])
@require(Permission.MANAGE_NOTIFICATIONS)
def webhook_form(endpoint_id: int | None = None):
    """Add or change a webhook."""
    db = get_session()
    endpoint = _endpoint(db, endpoint_id) if endpoint_id else None
    form = WebhookForm(obj=endpoint if request.method == "GET" else None)
    if request.method == "GET":
        if endpoint is not None:
            form.kinds.data = json.loads(endpoint.kinds or "[]")
            form.version.data = endpoint.version
        else:
            form.kinds.data = ["notice_issued", "overdue_escalated", "hazard_listed"]

    def page(status: int = 200):
        return render_template(
            "notifications/admin/webhook_form.html", form=form, endpoint=endpoint
        ), status

    def change():
        saved = endpoint
        if saved is None:
            park = require_working_park(db, current_user)
            saved = WebhookEndpoint(park_id=park.id, name="", url="")
            db.add(saved)
        else:
            check_version(saved.version, parse_version(form.version.data))
            saved.version += 1
        saved.name = form.name.data.strip()
        saved.flavour = form.flavour.data
        saved.url = form.url.data.strip()
        saved.secret = (form.secret.data or "").strip() or None
        saved.kinds = json.dumps(form.kinds.data or [])
        saved.active = form.active.data
        db.flush()
        security.record(
            db,
            kind=EventKind.SETTINGS_CHANGED,
            actor=current_user,
            park_id=saved.park_id,
            data={
                "setting": "webhook",
                "webhook": saved.id,
                "name": saved.name,
                "active": saved.active,
                "kinds": form.kinds.data or [],
            },
        )
        return saved

    if form.validate_on_submit():
        return commit_or_refuse(
            change,
            then=url_for("notification_admin.webhook_list"),
            message=lambda saved: _("The webhook %(name)s is saved.", name=saved.name),
            refused=lambda refused: page(flash_refusal(refused)),
        )
    return page(422 if request.method == "POST" else 200)


@bp.post("/webhooks/<id:endpoint_id>/test")
@require(Permission.MANAGE_NOTIFICATIONS)
def webhook_test(endpoint_id: int):
    """Post a test message now and say what the receiver answered."""
    db = get_session()
    endpoint = _endpoint(db, endpoint_id)
    if not ConfirmForm().validate():
        abort(400)
    request_ = webhooks.build(
        endpoint,
        key=f"test:{endpoint.id}",
        kind="test",
        params={"user": current_user.display_name},
        link="/notifications",
    )
    try:
        webhooks.post(endpoint, request_, timeout=current_app.config["WEBHOOK_TIMEOUT"])
    except DeliveryError as failed:
        flash(_("The test message did not arrive: %(error)s", error=str(failed)), "error")
    else:
        flash(_("The test message was delivered to %(name)s.", name=endpoint.name), "success")
    return redirect(url_for("notification_admin.webhook_list"))
