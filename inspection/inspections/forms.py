"""Forms for starting and completing an inspection."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DateField
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from inspection import labels
from inspection.forms import CheckboxListField
from inspection.forms import choices
from inspection.forms import parse_id


class InspectionForm(FlaskForm):
    """A new inspection at one enterprise."""

    enterprise_id = SelectField(_l("Enterprise"), coerce=parse_id, validate_choice=True)
    type = SelectField(_l("Type"), choices=choices(labels.INSPECTION_TYPES.items()))
    planned_date = DateField(_l("Date"), validators=[DataRequired()])
    enforcement = BooleanField(_l("Enforcement inspection (at least two officers)"))
    co_inspectors = CheckboxListField(_l("Other inspectors"), coerce=parse_id)
    summary = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    targeted = SelectField(
        _l("Targeted inspection"),
        choices=choices([("", _l("No, a planned inspection")), *labels.TARGETED.items()]),
        default="",
    )
    over_cap_reason = TextAreaField(
        _l("Reason for inspecting beyond the yearly cap"),
        validators=[Optional(), Length(max=500)],
    )


class CompleteForm(FlaskForm):
    """Finish the site visit."""

    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=2000)])
