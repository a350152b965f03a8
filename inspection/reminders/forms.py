"""The form for a park's reminder rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import StringField
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange


def _days(label):
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=0, max=365)])


class PolicyForm(FlaskForm):
    """Reminder steps for general and major hazards, statistics, extensions and the digest."""

    before_days = StringField(
        _l("Remind this many days before the deadline"),
        validators=[InputRequired(), Length(max=64)],
    )
    on_day = BooleanField(_l("Remind on the day of the deadline"))
    overdue_every = _days(_l("When overdue, remind again every … days"))
    escalate_after = _days(_l("Tell the supervisors after … days overdue"))
    major_before_days = StringField(
        _l("Major hazards: remind this many days before the deadline"),
        validators=[InputRequired(), Length(max=64)],
    )
    major_overdue_every = _days(_l("Major hazards: when overdue, remind again every … days"))
    major_escalate_after = _days(_l("Major hazards: tell the supervisors after … days overdue"))
    statistics_before_days = StringField(
        _l("Hazard statistics reports: remind this many days before they are due"),
        validators=[InputRequired(), Length(max=64)],
    )
    extension_every = _days(_l("Remind of waiting extension requests every … days"))
    digest_hour = IntegerField(
        _l("Daily digest goes out at (hour, 0–23)"),
        validators=[InputRequired(), NumberRange(min=0, max=23)],
    )
    version = HiddenField()
