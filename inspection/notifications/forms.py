"""Forms for notification preferences and the admins' webhook settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import URL
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import Optional

from inspection import labels
from inspection.forms import CheckboxListField
from inspection.forms import choices


class PreferencesForm(FlaskForm):
    """Which channels a user wants besides the in-app messages."""

    email = StringField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)])
    email_mode = RadioField(
        _l("Email"), choices=choices(labels.EMAIL_MODES.items()), default="immediate"
    )
    version = HiddenField()


class WebhookForm(FlaskForm):
    """A group robot or another system to post to."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    flavour = SelectField(_l("Kind"), choices=choices(labels.WEBHOOK_FLAVOURS.items()))
    url = StringField(
        _l("Address (URL)"),
        validators=[DataRequired(), URL(require_tld=False), Length(max=500)],
    )
    secret = StringField(_l("Signing secret"), validators=[Optional(), Length(max=200)])
    kinds = CheckboxListField(
        _l("Messages it receives"),
        choices=choices(
            (code, name) for code, name in labels.NOTIFICATION_KINDS.items() if code != "digest"
        ),
    )
    active = BooleanField(_l("Switched on"), default=True)
    version = HiddenField()
