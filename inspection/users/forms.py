"""Forms for the user administration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp

from inspection import labels
from inspection.enterprises.forms import _optional_int
from inspection.forms import choices


class _UserDetails(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    organisation = StringField(
        _l("Organisation (e.g. the service firm)"), validators=[Optional(), Length(max=128)]
    )
    third_party = BooleanField(_l("Staff of a third-party service firm"))
    enforcement_certificate = StringField(
        _l("Enforcement certificate number"), validators=[Optional(), Length(max=64)]
    )


class NewUserForm(_UserDetails):
    """A new account."""

    username = StringField(
        _l("User name"),
        validators=[
            DataRequired(),
            Length(min=2, max=64),
            Regexp(
                r"^[A-Za-z0-9._-]+$",
                message=_l("Use letters, digits, dots, hyphens and underscores only."),
            ),
        ],
    )
    role = SelectField(_l("Role"), choices=choices(labels.ROLES.items()))
    enterprise_id = SelectField(_l("Enterprise"), coerce=_optional_int, validate_choice=False)
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=8)])


class EditUserForm(_UserDetails):
    """An existing account's details."""

    version = HiddenField()


class ResetPasswordForm(FlaskForm):
    """A new password chosen by the admin."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8)])


class AssignmentForm(FlaskForm):
    """An account's role and where it works (a park, or the region's bureau)."""

    version = HiddenField()
    role = SelectField(_l("Role"), choices=choices(labels.ROLES.items()))
    enterprise_id = SelectField(_l("Enterprise"), coerce=_optional_int, validate_choice=False)
    workplace = SelectField(_l("Works in"), validate_choice=True)
