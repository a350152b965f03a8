"""The security settings form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import DataRequired
from wtforms.validators import NumberRange


class PasswordPolicyForm(FlaskForm):
    """The park's password policy."""

    min_length = IntegerField(
        _l("Shortest password allowed (characters)"),
        validators=[DataRequired(), NumberRange(min=8, max=64)],
    )
