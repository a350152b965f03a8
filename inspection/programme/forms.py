"""Forms for listing an enterprise, recording a campaign outcome, and the park's projects."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField
from wtforms import DateField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from inspection.forms import CheckboxListField
from inspection.forms import choices
from inspection.programme.listings import LEVELS
from inspection.programme.outcomes import OUTCOMES


class ListingForm(FlaskForm):
    """挂牌督办: which enterprise, at which level, by whom, why, by when, covering what."""

    enterprise = SelectField(_l("Enterprise"), coerce=int, validators=[DataRequired()])
    level = SelectField(_l("Level"), choices=choices(LEVELS.items()))
    body = StringField(_l("Listed by"), validators=[DataRequired(), Length(max=128)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=5000)])
    listed_on = DateField(_l("Listed on"), validators=[Optional()])
    deadline = DateField(_l("Deadline"), validators=[DataRequired()])
    hazards = CheckboxListField(_l("Hazards covered"), coerce=int, validate_choice=False)
    cases = CheckboxListField(_l("Assigned cases covered"), coerce=int, validate_choice=False)


class DelistForm(FlaskForm):
    """摘牌: the approval."""

    comment = TextAreaField(_l("Approval (e.g. the document number)"), validators=[Optional()])
    version = HiddenField()


class OutcomeForm(FlaskForm):
    """One enterprise's outcome in a campaign."""

    enterprise = SelectField(_l("Enterprise"), coerce=int, validators=[DataRequired()])
    outcome = SelectField(_l("Outcome"), choices=choices(OUTCOMES.items()))
    decided_on = DateField(_l("Date"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    file = FileField(_l("Evidence (photo, PDF, Word or Excel)"))


class ProjectForm(FlaskForm):
    """A deduction turned into a project of the 一园一策 list."""

    item = SelectField(_l("Deduction"), coerce=int, validators=[DataRequired()])
    title = StringField(_l("Project"), validators=[DataRequired(), Length(max=200)])
    owner = StringField(_l("Owner"), validators=[DataRequired(), Length(max=128)])
    budget_yuan = IntegerField(_l("Budget (yuan)"), validators=[Optional(), NumberRange(min=0)])
    milestones = TextAreaField(_l("Milestones"), validators=[Optional(), Length(max=2000)])
    due_on = DateField(_l("Finish by"), validators=[DataRequired()])


class ProgressForm(FlaskForm):
    """A project's progress, its evidence, and closing it."""

    progress = IntegerField(_l("Percent done"), validators=[Optional(), NumberRange(0, 100)])
    note = TextAreaField(_l("Progress"), validators=[Optional(), Length(max=2000)])
    file = FileField(_l("Evidence (photo, PDF, Word or Excel)"))
    close = BooleanField(_l("The work is finished: close the project"))
    version = HiddenField()
