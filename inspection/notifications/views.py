"""The in-app notification centre: a user's own notifications, newest first."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from sqlmodel import select
from sqlmodel import update

from inspection import clock
from inspection import labels
from inspection.auth.models import User
from inspection.db import get_session
from inspection.errors import check_version
from inspection.forms import ConfirmForm
from inspection.forms import parse_version
from inspection.notifications.forms import PreferencesForm
from inspection.notifications.messages import DIGEST_KINDS
from inspection.notifications.messages import render
from inspection.notifications.models import EmailMode
from inspection.notifications.models import Notification
from inspection.notifications.services import email_enabled
from inspection.pagination import paginate
from inspection.pagination import parse_page
from inspection.web import commit_or_refuse
from inspection.web import flash_refusal

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
@login_required
def index():
    """The user's notifications, unread first marked."""
    db = get_session()
    page = paginate(
        db,
        select(Notification)
        .where(Notification.recipient_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        page=parse_page(request.args.get("page")),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "notifications/index.html",
        page=page,
        rendered={n.id: render(n) for n in page.items},
        confirm_form=ConfirmForm(),
    )


@bp.post("/notifications/<id:notification_id>/open")
@login_required
def open_one(notification_id: int):
    """Mark one notification read and go to what it is about."""
    db = get_session()
    notification = db.get(Notification, notification_id)
    if notification is None or notification.recipient_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate():
        abort(400)
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.commit()
    target = notification.link or url_for("notifications.index")
    return redirect(target if target.startswith("/") else url_for("notifications.index"))


@bp.post("/notifications/read")
@login_required
def read_all():
    """Mark all of the user's notifications read."""
    if not ConfirmForm().validate():
        abort(400)
    db = get_session()
    db.execute(
        update(Notification)
        .where(Notification.recipient_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
    db.commit()
    return redirect(url_for("notifications.index"))


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    """The user's own choice of channels: email at once, as a daily digest, or none."""
    db = get_session()
    user = db.get(User, current_user.id)
    form = PreferencesForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = user.version
        form.email_mode.data = user.email_mode or EmailMode.IMMEDIATE

    def page(status: int = 200):
        return render_template(
            "notifications/preferences.html",
            form=form,
            email_enabled=email_enabled(),
            digest_kinds=[labels.label(labels.NOTIFICATION_KINDS, k) for k in sorted(DIGEST_KINDS)],
        ), status

    def change():
        check_version(user.version, parse_version(form.version.data))
        user.email = (form.email.data or "").strip() or None
        user.email_mode = form.email_mode.data
        user.version += 1

    if form.validate_on_submit():
        return commit_or_refuse(
            change,
            then=url_for("notifications.preferences"),
            message=_("Your notification settings are saved."),
            refused=lambda refused: page(flash_refusal(refused)),
        )
    return page(422 if request.method == "POST" else 200)
