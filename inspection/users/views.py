"""User administration: list, create, edit, disable and enable, reset passwords."""

from __future__ import annotations

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
from sqlmodel import or_
from sqlmodel import select

from inspection import labels
from inspection.auth import services
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.auth.scope import is_region_user
from inspection.auth.scope import request_scope
from inspection.db import get_session
from inspection.enterprises import queries as enterprise_queries
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.forms import ConfirmForm
from inspection.forms import choices
from inspection.forms import parse_version
from inspection.pagination import paginate
from inspection.pagination import parse_page
from inspection.parks.queries import home_parks
from inspection.parks.queries import region_of
from inspection.parks.queries import working_park
from inspection.users import queries
from inspection.users import services as user_services
from inspection.users.forms import AssignmentForm
from inspection.users.forms import EditUserForm
from inspection.users.forms import NewUserForm
from inspection.users.forms import ResetPasswordForm
from inspection.web import commit_or_refuse
from inspection.web import on_field

bp = Blueprint("users", __name__, url_prefix="/admin/users")

# The list's status filter: accounts that can log in, and disabled ones.
STATUSES = ("active", "disabled")


@bp.get("/")
@require(Permission.MANAGE_USERS)
def index():
    """Every account, with search, a role filter and pagination."""
    db = get_session()
    q = request.args.get("q", "").strip()[:64]
    role = request.args.get("role") if request.args.get("role") in set(Role) else None
    stmt = (
        select(User, Enterprise.name)
        .outerjoin(Enterprise, Enterprise.id == User.enterprise_id)
        .where(queries.accounts_of(request_scope(current_user)))
    )
    if q:
        stmt = stmt.where(or_(User.username.ilike(f"%{q}%"), User.display_name.ilike(f"%{q}%")))
    if role:
        stmt = stmt.where(User.role == role)
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    if status:
        stmt = stmt.where(User.active.is_(status == "active"))
    page = paginate(
        db,
        stmt.order_by(User.role, User.username),
        page=parse_page(request.args.get("page")),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "users/index.html", page=page, q=q, role=role, status=status, labels=labels
    )


def _enterprise_choices(form: NewUserForm) -> None:
    enterprises = get_session().exec(
        enterprise_queries.visible_enterprises(current_user).order_by(Enterprise.name)
    )
    form.enterprise_id.choices = choices([("", "—")] + [(e.id, e.name) for e in enterprises])


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.MANAGE_USERS)
def create():
    """Create an account."""
    form = NewUserForm()
    _enterprise_choices(form)

    def page():
        return render_template(
            "users/new.html", form=form, home=_home_name()
        ), 422 if form.errors else 200

    if form.validate_on_submit():
        db = get_session()
        enterprise_id = form.enterprise_id.data if form.role.data == Role.ENTERPRISE else None
        if enterprise_id is not None and not enterprise_queries.get_enterprise(
            db, current_user, enterprise_id
        ):
            enterprise_id = None
        # A new account works where its administrator works now: the chosen park, or (a
        # bureau administrator looking across the region) the region's bureau.
        scope = request_scope(current_user)
        return commit_or_refuse(
            lambda: services.create_user(
                db,
                username=form.username.data,
                display_name=form.display_name.data,
                password=form.password.data,
                role=Role(form.role.data),
                enterprise_id=enterprise_id,
                park_id=scope.park_id,
                region_id=scope.region_id if scope.is_region else None,
                email=form.email.data,
                phone=form.phone.data,
                organisation=form.organisation.data,
                third_party=form.third_party.data,
                enforcement_certificate=form.enforcement_certificate.data,
                actor=current_user,
            ),
            then=url_for("users.index"),
            message=lambda user: _("The account %(name)s has been created.", name=user.username),
            refused=on_field(form.username, page),
        )
    return page()


def _home_name() -> str:
    """Where a new account will work, in words."""
    db = get_session()
    park = working_park(db, current_user)
    if park is not None:
        return park.name
    region = region_of(db, current_user)
    return _("The bureau of %(region)s (every park)", region=region.name if region else "—")


def _load(user_id: int) -> User:
    return queries.get_user(get_session(), current_user, user_id) or abort(404)


def _workplace_choices(form: AssignmentForm) -> None:
    """The parks the administrator looks after, and their region's bureau for a bureau
    administrator."""
    db = get_session()
    pairs = [(f"park:{park.id}", park.name) for park in home_parks(db, current_user)]
    if is_region_user(current_user):
        pairs.insert(0, (f"region:{current_user.region_id}", _home_name_of_region()))
    form.workplace.choices = choices(pairs)


def _home_name_of_region() -> str:
    region = region_of(get_session(), current_user)
    return _("The bureau of %(region)s", region=region.name if region else "—")


def _assignment_form(user: User, form: AssignmentForm | None = None) -> AssignmentForm:
    if form is None:
        form = AssignmentForm(formdata=None)
        form.role.data = user.role
        form.enterprise_id.data = user.enterprise_id
        form.version.data = user.version
        if user.park_id is not None and user.enterprise_id is None:
            form.workplace.data = f"park:{user.park_id}"
        elif user.region_id is not None:
            form.workplace.data = f"region:{user.region_id}"
    _enterprise_choices(form)
    _workplace_choices(form)
    return form


def _edit_page(user: User, *, form=None, assignment=None, **extra) -> str:
    """The account's page: details, role and workplace, password and access."""
    db = get_session()
    if form is None:
        form = EditUserForm(obj=user, formdata=None)
        form.version.data = user.version
    enterprise = db.get(Enterprise, user.enterprise_id) if user.enterprise_id else None
    return render_template(
        "users/edit.html",
        form=form,
        user=user,
        enterprise=enterprise,
        workplace=user_services.workplace_name(db, user.park_id, user.region_id),
        assignment=_assignment_form(user, assignment),
        reset_form=ResetPasswordForm(),
        confirm_form=ConfirmForm(),
        labels=labels,
        **extra,
    )


@bp.post("/<id:user_id>/assignment")
@require(Permission.MANAGE_USERS)
def assign(user_id: int):
    """Change the account's role, enterprise or workplace (recorded in the security log)."""
    db = get_session()
    user = _load(user_id)
    form = _assignment_form(user, AssignmentForm())
    if not form.validate_on_submit():
        return _edit_page(user, assignment=form), 422
    role = Role(form.role.data)
    enterprise_id = form.enterprise_id.data if role == Role.ENTERPRISE else None
    if enterprise_id is not None and not enterprise_queries.get_enterprise(
        db, current_user, enterprise_id
    ):
        enterprise_id = None
    kind, _sep, place = form.workplace.data.partition(":")
    place_id = int(place) if place.isdigit() else None

    def refused(error: DomainError):
        flash(error.message, "error")
        return _edit_page(_load(user_id), assignment=form), 409

    return commit_or_refuse(
        lambda: user_services.change_assignment(
            db,
            user,
            expected_version=parse_version(form.version.data),
            role=role,
            actor=current_user,
            enterprise_id=enterprise_id,
            park_id=place_id if kind == "park" else None,
            region_id=place_id if kind == "region" else None,
        ),
        then=url_for("users.edit", user_id=user.id),
        message=lambda changes: (
            _("The role and workplace have been saved.") if changes else _("Nothing was changed.")
        ),
        refused=refused,
    )


@bp.route("/<id:user_id>/edit", methods=["GET", "POST"])
@require(Permission.MANAGE_USERS)
def edit(user_id: int):
    """Change an account's details; disable, enable or reset its password."""
    db = get_session()
    user = _load(user_id)
    form = EditUserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = user.version
    if form.validate_on_submit():

        def refused(error: DomainError):
            flash(error.message, "error")
            return _edit_page(_load(user_id), form=form), 409

        return commit_or_refuse(
            lambda: user_services.update_user(
                db,
                user,
                expected_version=parse_version(form.version.data),
                display_name=form.display_name.data,
                email=form.email.data,
                phone=form.phone.data,
                organisation=form.organisation.data,
                third_party=form.third_party.data,
                enforcement_certificate=form.enforcement_certificate.data,
                actor=current_user,
            ),
            then=url_for("users.edit", user_id=user.id),
            message=_("The changes have been saved."),
            refused=refused,
        )
    return _edit_page(user, form=form), 422 if form.errors else 200


@bp.post("/<id:user_id>/active")
@require(Permission.MANAGE_USERS)
def set_active(user_id: int):
    """Disable or enable an account."""
    db = get_session()
    user = _load(user_id)
    if not ConfirmForm().validate():
        abort(400)
    active = request.form.get("active") == "1"
    return commit_or_refuse(
        lambda: user_services.set_active(db, user, active=active, actor=current_user),
        then=url_for("users.edit", user_id=user.id),
        message=_("%(name)s can log in again.", name=user.username)
        if active
        else _("%(name)s has been disabled.", name=user.username),
    )


@bp.post("/<id:user_id>/password")
@require(Permission.MANAGE_USERS)
def reset_password(user_id: int):
    """Set a new password; the user must change it at the next login."""
    db = get_session()
    user = _load(user_id)
    form = ResetPasswordForm()
    if not form.validate():
        flash(_("The new password must have at least 8 characters."), "error")
        return redirect(url_for("users.edit", user_id=user.id))
    return commit_or_refuse(
        lambda: services.reset_password(db, user, password=form.password.data, actor=current_user),
        then=url_for("users.edit", user_id=user.id),
        message=_(
            "The password of %(name)s has been reset; they must change it when they log in.",
            name=user.username,
        ),
    )


@bp.post("/<id:user_id>/reset-link")
@require(Permission.MANAGE_USERS)
def reset_link(user_id: int):
    """Make a one-time link for the user to choose a new password; shown once, here."""
    db = get_session()
    user = _load(user_id)
    if not ConfirmForm().validate():
        abort(400)
    token = services.create_reset_link(
        db, user, hours=current_app.config["RESET_LINK_HOURS"], actor=current_user
    )
    db.commit()
    return _edit_page(user, reset_link=url_for("auth.reset_with_link", token=token, _external=True))
