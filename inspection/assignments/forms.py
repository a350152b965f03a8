"""Forms for importing a batch and for each step of a case."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import DateField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from inspection.forms import choices
from inspection.i18n import lazy_gettext

SOURCES = {
    "inspection_team": lazy_gettext("Environmental inspection team (督察交办件)"),
    "problem_list": lazy_gettext("Provincial or city problem list (七张清单、问题清单)"),
    "complaint": lazy_gettext("Complaint forwarded by a bureau (信访转办)"),
    "other": lazy_gettext("Other"),
}


class BatchForm(FlaskForm):
    """A batch of assigned problems: who sent it, when, and the sheet."""

    source = SelectField(_l("Kind of source"), choices=choices(SOURCES.items()))
    issuer = StringField(_l("Issuing body"), validators=[DataRequired(), Length(max=128)])
    name = StringField(_l("Batch name or number"), validators=[DataRequired(), Length(max=128)])
    received_on = DateField(_l("Date received"), validators=[DataRequired()])
    deadline = DateField(_l("Deadline"), validators=[DataRequired()])
    file = FileField(_l("Excel sheet (.xlsx)"), validators=[FileRequired()])


class StepForm(FlaskForm):
    """One step of a case: what was done, a date, the named body, a figure and one file."""

    text = TextAreaField(_l("Rectification done"), validators=[Optional(), Length(max=5000)])
    on = DateField(_l("Date"), validators=[Optional()])
    body = StringField(_l("Accepting body"), validators=[Optional(), Length(max=128)])
    percent = IntegerField(_l("Percent done"), validators=[Optional()])
    file = FileField(_l("Evidence (photo, PDF, Word or Excel)"))
    version = HiddenField()
