"""Accounts, login and the permission vocabulary."""

from __future__ import annotations

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
    """Load the logged-in user; a disabled user is logged out on the next request."""
    from inspection.auth.models import User

    if not user_id.isdigit():
        return None
    user = get_session().get(User, int(user_id))
    return user if user is not None and user.active else None


def init_app(app: Flask) -> None:
    """Bind Flask-Login."""
    login_manager.init_app(app)
