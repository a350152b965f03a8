"""The park's workflow settings form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms.validators import InputRequired
from wtforms.validators import NumberRange

from inspection.forms import choices


def _days(label, low: int, high: int) -> IntegerField:
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=low, max=high)])


class WorkflowSettingsForm(FlaskForm):
    """How hazards move through their lifecycle in this park."""

    significant_level = BooleanField(_l("Grade hazards in three levels: general, 较大 and major"))
    confirmation_min_people = _days(_l("People taking part in 研判 of a major finding"), 1, 15)
    reviewer_must_differ = BooleanField(_l("The re-inspector must not be the finder"))
    extension_approver = RadioField(
        _l("Who decides extensions of hazards not listed for supervision"),
        choices=choices(
            [("supervisor", _l("A supervisor")), ("inspector", _l("The inspector following it"))]
        ),
        validators=[InputRequired()],
    )
    extension_lead_days_major = _days(
        _l("Major hazard: ask at least this many working days before the deadline"), 0, 120
    )
    extension_lead_days_general = _days(
        _l("Other hazards: ask at least this many working days before the deadline"), 0, 60
    )
    extension_decision_days = _days(_l("Decide a request within this many working days"), 1, 60)
    rectification_max_days = _days(
        _l("Extensions take a deadline at most this many days after the finding"), 30, 1095
    )
