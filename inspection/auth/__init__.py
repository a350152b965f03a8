"""Accounts, login and the permission vocabulary."""

from __future__ import annotations

import secrets
import time

from flask import Flask
from flask import flash
from flask import jsonify
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import LoginManager
from flask_login import current_user
from flask_login import logout_user

from inspection.db import get_session

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to continue.")
login_manager.login_message_category = "info"
# "basic", not "strong": a tablet moving between the yard's Wi-Fi and 4G changes address, and
# "strong" would log it out mid-sync. The cookie is HttpOnly and SameSite=Lax, and Secure where
# INSPECTION_SESSION_COOKIE_SECURE is set (behind HTTPS, see the README).
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str):
    """Load the logged-in user; a disabled user, or a session from before the user's last
    password change or reset, is logged out on the next request."""
    from inspection.auth.models import User

    number, _dot, stamp = user_id.partition(".")
    if not number.isdigit() or len(number) > 10:
        return None
    user = get_session().get(User, int(number))
    if user is None or not user.active or not secrets.compare_digest(stamp, user.session_stamp):
        return None
    return user


# The session key holding when the user last did something (seconds since the epoch).
LAST_SEEN = "seen"


def init_app(app: Flask) -> None:
    """Bind Flask-Login and end sessions left idle too long."""
    login_manager.init_app(app)

    @app.before_request
    def end_idle_session():
        """Log out a session idle past the limit (the page warned before); the field app's
        API calls count as activity, as a tablet syncs while the inspector works."""
        if request.endpoint in (None, "static") or not current_user.is_authenticated:
            return None
        now = time.time()
        seen = session.get(LAST_SEEN)
        limit = app.config["SESSION_IDLE_MINUTES"] * 60
        if isinstance(seen, int | float) and now - seen > limit:
            return _expire(limit)
        if not isinstance(seen, int | float) or now - seen > 30:
            session[LAST_SEEN] = int(now)
        return None


def _expire(limit: int):
    """End the idle session, log it, and send the user to the login page."""
    from inspection.security import services as security
    from inspection.security.models import EventKind

    db = get_session()
    security.record(
        db, kind=EventKind.SESSION_EXPIRED, actor=current_user, data={"idle_minutes": limit // 60}
    )
    db.commit()
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    message = ngettext(
        "You were logged out after %(num)d idle minute. Log in again.",
        "You were logged out after %(num)d idle minutes. Log in again.",
        limit // 60,
    )
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        fields = [{"field": "session", "message": message}]  # the login cookie, as for any 401
        return jsonify(
            code="session_expired", error=_("Please log in"), message=message, fields=fields
        ), 401
    flash(message, "info")
    return redirect(
        url_for("auth.login", next=request.full_path if request.method == "GET" else None)
    )
