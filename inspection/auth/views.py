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
from inspection.auth.forms import ChooseNewPasswordForm
from inspection.auth.forms import ForgotPasswordForm
from inspection.auth.forms import LoginForm
from inspection.auth.models import Role
from inspection.db import get_session
from inspection.errors import DomainError
from inspection.security import services as security
from inspection.security.models import EventKind
from inspection.security.models import Outcome
from inspection.security.services import client_address
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
                address=client_address(),
                limits=services.LoginLimits.from_config(current_app.config),
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
    db = get_session()
    security.record(db, kind=EventKind.LOGOUT, actor=current_user)
    db.commit()
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
        db = get_session()
        user = current_user._get_current_object()

        def refused(error: DomainError):
            if isinstance(error, services.WrongPassword):
                # The change was rolled back; the failed try is still logged.
                security.record(
                    db,
                    kind=EventKind.PASSWORD_CHANGED,
                    outcome=Outcome.FAILED,
                    actor=user,
                    data={"reason": "wrong_current"},
                )
                db.commit()
                return on_field(form.current, page)(error)
            return on_field(form.new, page)(error)

        return commit_or_refuse(
            lambda: services.change_own_password(
                db, user, current=form.current.data, new=form.new.data
            ),
            then=lambda _result: _logged_in_again(user),
            message=_("Your password has been changed. Your other sessions have ended."),
            refused=refused,
        )
    return page()


def _logged_in_again(user) -> str:
    """Keep this session (its login carries the new session stamp); others have ended."""
    login_user(user)
    return home_url()


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link by email (where mail is set up and the account has an address)."""
    form = ForgotPasswordForm()
    mail = bool(current_app.config.get("MAIL_SERVER"))
    if mail and form.validate_on_submit():
        db = get_session()
        services.send_reset_link(
            db,
            username=form.username.data,
            hours=current_app.config["RESET_LINK_HOURS"],
            link=lambda token: url_for("auth.reset_with_link", token=token, _external=True),
        )
        db.commit()
        # The same answer whether or not the name exists, so it cannot be used to probe.
        flash(
            _(
                "If the account exists and has an e-mail address, a link to choose a new"
                " password is on its way."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form, mail=mail)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_with_link(token: str):
    """Choose a new password through a one-time link."""
    db = get_session()
    if services.reset_link_user(db, token) is None:
        return render_template("auth/reset_password.html", form=None), 410
    form = ChooseNewPasswordForm()

    def page():
        return render_template("auth/reset_password.html", form=form), (422 if form.errors else 200)

    if form.validate_on_submit():
        return commit_or_refuse(
            lambda: services.use_reset_link(db, token, new=form.new.data),
            then=url_for("auth.login"),
            message=_("Your password has been changed. Log in with it now."),
            refused=on_field(form.new, page),
        )
    return page()


@bp.post("/session/keepalive")
@login_required
def keepalive():
    """Tell the server the user is still here (the idle warning's "stay logged in")."""
    return {"idle_minutes": current_app.config["SESSION_IDLE_MINUTES"]}
