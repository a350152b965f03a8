"""The forms that plan campaigns, recurring plans and holidays."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DateField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from inspection import labels
from inspection.forms import CheckboxListField
from inspection.forms import choices
from inspection.forms import parse_id


class CampaignForm(FlaskForm):
    """Name, dates, which enterprises, which checklists, which team."""

    name = StringField(_l("Campaign name"), validators=[DataRequired(), Length(max=128)])
    type = SelectField(
        _l("Type"), choices=choices(labels.INSPECTION_TYPES.items()), default="special"
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    start_date = DateField(_l("Starts"), validators=[DataRequired()])
    due_date = DateField(_l("Inspections due by"), validators=[DataRequired()])
    enforcement = BooleanField(_l("Enforcement inspections (at least two officers)"))
    enterprises = CheckboxListField(_l("Enterprises"), coerce=parse_id, validate_choice=False)
    checklists = CheckboxListField(_l("Checklists"), coerce=parse_id, validate_choice=False)
    inspectors = CheckboxListField(_l("Inspectors"), coerce=parse_id, validate_choice=False)
    over_cap_reason = TextAreaField(
        _l("Reason for inspecting beyond the yearly cap"),
        validators=[Optional(), Length(max=500)],
    )


class RecurringPlanForm(FlaskForm):
    """A plan whose inspections repeat."""

    name = StringField(_l("Plan name"), validators=[DataRequired(), Length(max=128)])
    recurrence = SelectField(_l("Repeats"), choices=choices(labels.RECURRENCES.items()))
    type = SelectField(
        _l("Type"), choices=choices(labels.INSPECTION_TYPES.items()), default="routine"
    )
    day = IntegerField(
        _l("Day of the month (1–28)"),
        validators=[Optional(), NumberRange(min=1, max=28)],
        default=1,
    )
    days_before_holiday = IntegerField(
        _l("Inspect this many days before a holiday"),
        validators=[InputRequired(), NumberRange(min=0, max=90)],
        default=3,
    )
    lead_days = IntegerField(
        _l("Create the inspections this many days ahead"),
        validators=[InputRequired(), NumberRange(min=0, max=90)],
        default=7,
    )
    duration_days = IntegerField(
        _l("Inspections due this many days after their date"),
        validators=[InputRequired(), NumberRange(min=0, max=90)],
        default=7,
    )
    industry = SelectField(_l("Industry"))
    risk = SelectField(_l("Risk"))
    zone = SelectField(_l("Zone"))
    checklists = CheckboxListField(_l("Checklists"), coerce=parse_id, validate_choice=False)
    inspectors = CheckboxListField(_l("Inspectors"), coerce=parse_id, validate_choice=False)
    active = BooleanField(
        _l("Plan active: create the inspections when they fall due"), default=True
    )
    over_cap_reason = TextAreaField(
        _l("Reason for inspecting beyond the yearly cap"),
        validators=[Optional(), Length(max=500)],
    )
    version = HiddenField()


class HolidayForm(FlaskForm):
    """A public holiday."""

    name = StringField(_l("Holiday"), validators=[DataRequired(), Length(max=64)])
    start_date = DateField(_l("First day"), validators=[DataRequired()])
    end_date = DateField(_l("Last day"), validators=[Optional()])
