"""Accounts, login and the permission vocabulary."""

from __future__ import annotations

import secrets

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

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


def init_app(app: Flask) -> None:
    """Bind Flask-Login."""
    login_manager.init_app(app)
