"""Logging in and out, choosing the language, changing one's password."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user

from inspection.auth import services
from inspection.auth.forms import ChangePasswordForm
from inspection.auth.forms import LoginForm
from inspection.auth.models import Role
from inspection.db import get_session
from inspection.errors import DomainError
from inspection.web import commit_or_refuse
from inspection.web import on_field
from inspection.web import safe_next

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {
    Role.ADMIN: "users.index",
    Role.SUPERVISOR: "dashboard.index",
    Role.INSPECTOR: "inspections.index",
    Role.ENTERPRISE: "portal.index",
}


def home_url() -> str:
    """Where a user starts: their role's home page."""
    return url_for(HOME_BY_ROLE.get(current_user.role, "auth.login"))


@bp.get("/")
def index():
    """Send a visitor to their home page, or to the login page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(home_url())


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and log the user in."""
    if current_user.is_authenticated:
        return redirect(home_url())
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        db = get_session()
        try:
            user = services.authenticate(
                db,
                username=form.username.data,
                password=form.password.data,
                max_failures=current_app.config["LOGIN_MAX_FAILURES"],
                lock_minutes=current_app.config["LOGIN_LOCK_MINUTES"],
            )
        except DomainError as refused:
            db.commit()  # keep the failure count
            error = refused.message
        else:
            db.commit()
            session.clear()
            login_user(user)
            if user.must_change_password:
                flash(_("Please choose a new password before you continue."), "info")
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next")) or home_url())
    status = 401 if error else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    """Log out."""
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():
    """Switch the interface language; a logged-in user keeps the choice."""
    code = request.form.get("locale", "")
    if code not in current_app.config["LANGUAGES"]:
        flash(_("That language is not available."), "error")
        return redirect(url_for("auth.index"))
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        get_session().commit()
    return redirect(safe_next(request.form.get("next")) or url_for("auth.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Let a user change their own password."""
    form = ChangePasswordForm()

    def page():
        return render_template("auth/change_password.html", form=form), (
            422 if form.errors else 200
        )

    if form.validate_on_submit():
        return commit_or_refuse(
            lambda: services.change_own_password(
                get_session(), current_user, current=form.current.data, new=form.new.data
            ),
            then=home_url(),
            message=_("Your password has been changed."),
            refused=on_field(form.current, page),
        )
    return page()
