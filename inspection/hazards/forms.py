"""Forms for logging a hazard and for each step of its rectification."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField
from wtforms import DateField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from inspection import clock
from inspection import labels
from inspection.forms import MaxLength
from inspection.forms import PrefixedForm
from inspection.forms import choices
from inspection.forms import parse_id


class HazardForm(FlaskForm):
    """A hazard found during an inspection."""

    title = StringField(_l("Hazard title"), validators=[DataRequired(), MaxLength(200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), MaxLength(5000)])
    location = StringField(_l("Location in the plant"), validators=[Optional(), MaxLength(200)])
    level = RadioField(
        _l("Level"), choices=choices(labels.HAZARD_LEVELS.items()), default="general"
    )
    category = SelectField(
        _l("Category"), choices=choices(labels.HAZARD_CATEGORIES.items()), default="safety"
    )
    aspect = SelectField(
        _l("People, things or management"),
        choices=choices([("", "—"), *labels.HAZARD_ASPECTS.items()]),
        validators=[Optional()],
    )
    basis = StringField(
        _l("Legal basis (standard and clause)"), validators=[Optional(), MaxLength(500)]
    )
    # The national record's 原因分析 and 发生环节; left empty, they are derived.
    danger_reason = TextAreaField(_l("Cause found"), validators=[Optional(), MaxLength(1000)])
    occurrence_link = SelectField(
        _l("Stage it arose in"),
        choices=choices([("", "—"), *labels.OCCURRENCE_LINKS.items()]),
        validators=[Optional()],
    )
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    # A key made when the form is shown: saving the same form again (Back, then Save) finds
    # the hazard it already made instead of making a second one.
    form_key = HiddenField()
    required_measures = TextAreaField(
        _l("Required measures"), validators=[Optional(), MaxLength(5000)]
    )
    photos = MultipleFileField(_l("Photos of the hazard"))
    fixed_on_spot = BooleanField(_l("Fixed on the spot: close it now"))
    after_photos = MultipleFileField(_l("Photo after the fix"))
    fix_note = TextAreaField(_l("What was done"), validators=[Optional(), MaxLength(2000)])
    item_id = HiddenField()
    override_reason = TextAreaField(
        _l("Why this is not a major hazard"), validators=[Optional(), MaxLength(2000)]
    )

    def validate_deadline(self, field) -> None:
        """The deadline error belongs under the deadline, before anything is saved."""
        if field.data is not None and field.data < clock.today():
            raise ValidationError(_l("The deadline cannot be in the past."))


class SubmitRectificationForm(PrefixedForm):
    """The enterprise's report of what it did."""

    measures = TextAreaField(_l("Measures taken"), validators=[DataRequired(), MaxLength(5000)])
    responsible_person = StringField(
        _l("Person responsible"), validators=[Optional(), MaxLength(64)]
    )
    funding_yuan = IntegerField(
        _l("Funding spent (yuan)"), validators=[Optional(), NumberRange(min=0, max=10**10)]
    )
    photos = MultipleFileField(_l("Photos after rectification"))
    version = HiddenField(validators=[InputRequired()])


class ReviewForm(PrefixedForm):
    """The re-inspection's decision."""

    mode = RadioField(
        _l("Re-inspected"), choices=choices(labels.REVIEW_MODES.items()), default="on_site"
    )
    decision = RadioField(
        _l("Decision"),
        choices=choices([("accept", _l("Accept and close")), ("reject", _l("Reject"))]),
        validators=[InputRequired()],
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), MaxLength(5000)])
    photos = MultipleFileField(_l("Re-inspection photos"))
    evaluation = FileField(_l("Evaluation report of the rectification (评估报告)"))
    version = HiddenField(validators=[InputRequired()])


class ConfirmFindingForm(PrefixedForm):
    """研判 of a major finding."""

    participants = TextAreaField(
        _l("People taking part (one per line)"), validators=[Optional(), MaxLength(1000)]
    )
    decision = RadioField(
        _l("Finding"),
        choices=choices(
            [("major", _l("Confirmed: a major hazard")), ("general", _l("Not major: general"))]
        ),
        validators=[InputRequired()],
    )
    comment = TextAreaField(
        _l("Reasoning (required when not major)"), validators=[Optional(), MaxLength(2000)]
    )
    version = HiddenField(validators=[InputRequired()])


class ResumptionForm(PrefixedForm):
    """复产审查: the review of the enterprise's application to resume production."""

    comment = TextAreaField(
        _l("What the review found"), validators=[DataRequired(), MaxLength(2000)]
    )
    document = FileField(_l("The application and review record (optional)"))
    version = HiddenField(validators=[InputRequired()])


class FixOnSpotForm(PrefixedForm):
    """A hazard fixed while the inspector was there."""

    comment = TextAreaField(_l("What was done"), validators=[Optional(), MaxLength(5000)])
    photos = MultipleFileField(_l("Photo after the fix"))
    version = HiddenField(validators=[InputRequired()])


class VoidForm(PrefixedForm):
    """Withdraw a hazard recorded in error."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), MaxLength(2000)])
    version = HiddenField(validators=[InputRequired()])


def _text(label) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), MaxLength(5000)])


class PlanForm(PrefixedForm):
    """整改方案; for a major hazard every element of 16号令 第十五条 and the plan document."""

    goals = _text(_l("Goals and tasks (目标和任务)"))
    measures = TextAreaField(
        _l("Methods and measures (方法和措施)"), validators=[DataRequired(), MaxLength(5000)]
    )
    funding_yuan = IntegerField(
        _l("Funding (yuan)"), validators=[Optional(), NumberRange(min=0, max=10**10)]
    )
    materials = _text(_l("Materials (物资)"))
    organization = StringField(
        _l("Organisation in charge (负责治理的机构)"), validators=[Optional(), MaxLength(200)]
    )
    responsible_person = StringField(
        _l("Person responsible"), validators=[DataRequired(), MaxLength(64)]
    )
    planned_completion = DateField(_l("Completed by"), validators=[Optional()])
    requirements = _text(_l("Requirements (要求)"))
    safety_measures = _text(_l("Safety measures during rectification (安全措施)"))
    contingency_plan = _text(_l("Emergency plan (应急预案)"))
    interim_controls = _text(_l("Interim controls until it is fixed (临时管控措施)"))
    document = FileField(_l("Plan document (PDF, Word or photo)"))
    version = HiddenField(validators=[InputRequired()])


class ExtensionRequestForm(PrefixedForm):
    """An extension request."""

    requested_deadline = DateField(_l("New deadline"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), MaxLength(2000)])
    version = HiddenField(validators=[InputRequired()])


class ExtensionDecisionForm(PrefixedForm):
    """The decision on an extension request."""

    decision = RadioField(
        _l("Decision"),
        choices=choices([("approve", _l("Approve")), ("refuse", _l("Refuse"))]),
        validators=[InputRequired()],
    )
    comment = TextAreaField(
        _l("Comment (required when refusing)"), validators=[Optional(), MaxLength(2000)]
    )


class ListForm(PrefixedForm):
    """挂牌督办."""

    level = RadioField(
        _l("Supervision level"),
        choices=choices(labels.SUPERVISION_LEVELS.items()),
        validators=[InputRequired()],
    )
    body = StringField(_l("Supervising body"), validators=[DataRequired(), MaxLength(128)])
    listed_on = DateField(_l("Listed on"), validators=[Optional()])
    stop_production = BooleanField(_l("Production stopped while it is rectified"))
    comment = TextAreaField(_l("Comment"), validators=[Optional(), MaxLength(2000)])
    version = HiddenField(validators=[InputRequired()])


class DecisionCommentForm(PrefixedForm):
    """A decision that may carry a comment (approving removal from the list)."""

    comment = TextAreaField(_l("Comment"), validators=[Optional(), MaxLength(2000)])
    version = HiddenField(validators=[InputRequired()])


class ReasonForm(PrefixedForm):
    """A decision that needs a reason (refusal, resumption)."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), MaxLength(2000)])
    version = HiddenField(validators=[InputRequired()])


class ReassignForm(PrefixedForm):
    """Give the follow-up to another inspector."""

    inspector_id = SelectField(_l("Inspector"), coerce=parse_id, validate_choice=False)


class BulkForm(FlaskForm):
    """One action on many hazards."""

    action = RadioField(
        _l("Action"),
        choices=choices(
            [
                ("remind", _l("Remind the enterprises")),
                ("reassign", _l("Reassign to an inspector")),
                ("extend", _l("Extend the deadline")),
                ("export", _l("Export as CSV")),
            ]
        ),
        validators=[InputRequired()],
    )
    inspector_id = SelectField(
        _l("Inspector"), coerce=parse_id, validate_choice=False, validators=[Optional()]
    )
    new_deadline = DateField(_l("New deadline"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), MaxLength(2000)])
    scope = RadioField(
        _l("Hazards"),
        choices=choices([("selected", _l("The ones ticked")), ("all", _l("All that match"))]),
        default="selected",
    )
