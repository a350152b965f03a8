"""Forms of the risk pages: the park's settings, a mandatory grade, a warning's note, the
month's proposed inspections."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from inspection import labels
from inspection.forms import CheckboxListField
from inspection.forms import choices
from inspection.forms import parse_id
from inspection.risk.scoring import SETTINGS

GRADE_CHOICES = choices(labels.RISK_GRADES.items())


class SettingsForm(FlaskForm):
    """Every setting of `scoring.SETTINGS`, a reason and the version edited."""

    reason = TextAreaField(
        _l("Why the settings change (kept in the history)"),
        validators=[DataRequired(), Length(max=2000)],
    )
    version = HiddenField()


for _setting in SETTINGS:
    if _setting.group == "rules":
        _field = SelectField(
            _setting.label, choices=choices([("", _l("No rule"))]) + GRADE_CHOICES, default=""
        )
    else:
        # Bounds are checked by the service, which names the field; a blank is "a number".
        _field = IntegerField(_setting.label, validators=[InputRequired()])
    setattr(SettingsForm, _setting.name, _field)


class OverrideForm(FlaskForm):
    """A supervisor's mandatory grade for one enterprise."""

    grade = SelectField(_l("At least"), choices=GRADE_CHOICES)
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class LiftForm(FlaskForm):
    """Ending a mandatory grade."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class NoteForm(FlaskForm):
    """Acknowledging or handling a warning."""

    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    version = HiddenField()


class ProposalForm(FlaskForm):
    """Confirming the month's proposed inspections."""

    enterprise_ids = CheckboxListField(_l("Enterprises to inspect"), coerce=parse_id)
    inspector_ids = CheckboxListField(_l("Inspectors"), coerce=parse_id)
    over_cap_reason = TextAreaField(
        _l("Reason for the enterprises at their yearly cap"),
        validators=[Optional(), Length(max=500)],
    )
