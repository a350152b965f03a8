"""The forms of the item list, the directories, tasks, draws, adjustments and results."""

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
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from inspection.forms import CheckboxListField
from inspection.forms import choices
from inspection.forms import parse_id

METHODS = choices(
    (
        ("onsite", _l("On site (实地)")),
        ("written", _l("In writing (书面)")),
        ("online", _l("Online monitoring (网络监测)")),
    ),
)
STRATA = choices(
    (
        ("none", _l("One stratum")),
        ("credit", _l("By credit class")),
        ("risk", _l("By risk grade")),
        ("industry", _l("By industry")),
    )
)


class ItemForm(FlaskForm):
    """An inspection item."""

    code = StringField(_l("Item code"), validators=[DataRequired(), Length(max=32)])
    title = StringField(_l("Item name"), validators=[DataRequired(), Length(max=200)])
    legal_basis = TextAreaField(_l("Legal basis (law, article)"), validators=[DataRequired()])
    content = TextAreaField(_l("What is inspected"), validators=[DataRequired()])
    applies_to = StringField(_l("Applies to"), validators=[DataRequired(), Length(max=200)])
    method = SelectField(_l("Method"), choices=METHODS)
    body = StringField(_l("Carried out by"), validators=[DataRequired(), Length(max=128)])
    checklists = CheckboxListField(_l("Checklists used"), coerce=parse_id, validate_choice=False)


class OfficerForm(FlaskForm):
    """An officer or expert of the directory."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    certificate_no = StringField(
        _l("Enforcement certificate number (执法证号)"), validators=[DataRequired(), Length(max=64)]
    )
    valid_from = DateField(_l("Valid from"), validators=[DataRequired()])
    valid_until = DateField(_l("Valid until"), validators=[DataRequired()])
    specialty = StringField(_l("Specialty"), validators=[Optional(), Length(max=64)])
    team = StringField(_l("Team"), validators=[Optional(), Length(max=64)])
    user = SelectField(_l("Inspector account"), coerce=str, validate_choice=False)
    expert = BooleanField(_l("An expert (kept in the separate expert pool)"))


class ConflictForm(FlaskForm):
    """回避: an officer's conflict with an enterprise."""

    officer = SelectField(_l("Officer"), coerce=str, validate_choice=False)
    enterprise = SelectField(_l("Enterprise"), coerce=str, validate_choice=False)
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])


class KeyChoiceForm(FlaskForm):
    """重点检查: a supervisor puts an enterprise on the year's key list, saying why."""

    enterprise = SelectField(_l("Enterprise"), coerce=str, validate_choice=False)
    reason = StringField(
        _l("Why it is inspected by name"), validators=[Optional(), Length(max=200)]
    )


class CreditImportForm(FlaskForm):
    """A file of credit classes."""

    file = FileField(_l("CSV or Excel file: 统一社会信用代码, 信用风险分类 (A–D)"))
    source = StringField(
        _l("Where the classes come from"), validators=[Optional(), Length(max=128)]
    )


class TaskForm(FlaskForm):
    """A 双随机 task."""

    name = StringField(_l("Task name"), validators=[DataRequired(), Length(max=128)])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    body = StringField(_l("Carried out by"), validators=[DataRequired(), Length(max=128)])
    items = CheckboxListField(_l("Inspection items"), coerce=parse_id, validate_choice=False)
    directed = BooleanField(_l("Directed (定向): draw only from the enterprises the filters match"))
    industry = SelectField(_l("Industry"), validate_choice=False)
    credit = SelectField(_l("Credit class"), validate_choice=False)
    strata_by = SelectField(_l("Strata"), choices=STRATA)
    quotas = TextAreaField(
        _l("Quotas, one per line: stratum = ratio or count (e.g. A = 5%, D = 100%, * = 10%)"),
        validators=[DataRequired()],
        default="* = 10%",
    )
    inspectors_per_enterprise = IntegerField(
        _l("Officers per enterprise (the first drawn leads)"),
        validators=[InputRequired(), NumberRange(1, 9)],
        default=2,
    )
    with_expert = BooleanField(_l("Draw an expert for each enterprise"))
    avoid_last_officers = BooleanField(
        _l("Not the same officers as at the enterprise's last inspection"), default=True
    )
    start_date = DateField(_l("Inspections start"), validators=[DataRequired()])
    due_date = DateField(_l("Inspections due by"), validators=[DataRequired()])
    public_source = StringField(
        _l("Public value the seed uses (fixed now, known only after the pool is frozen)"),
        validators=[DataRequired(), Length(max=200)],
        default="上证指数收盘点位",
    )
    public_date = DateField(_l("Date the public value becomes known"), validators=[DataRequired()])
    witnesses = TextAreaField(
        _l("Witnesses, one per line: name, role, nonce they choose"),
        validators=[DataRequired()],
    )


class DrawForm(FlaskForm):
    """The public value, entered once it is known."""

    public_value = StringField(_l("Public value as published"), validators=[DataRequired()])


class AdjustmentForm(FlaskForm):
    """A manual adjustment after the draw."""

    enterprise = SelectField(_l("Enterprise"), coerce=str, validate_choice=False)
    kind = SelectField(
        _l("Change"),
        choices=choices(
            (
                ("replace_officer", _l("Replace an officer")),
                ("withdraw_enterprise", _l("Withdraw the enterprise")),
            )
        ),
    )
    officer_out = SelectField(_l("Officer leaving"), coerce=str, validate_choice=False)
    officer_in = SelectField(_l("Officer joining"), coerce=str, validate_choice=False)
    reason = StringField(_l("Reason (published)"), validators=[Optional(), Length(max=500)])


class ResultForm(FlaskForm):
    """录入: a drawn enterprise's result."""

    codes = CheckboxListField(_l("Result"), validate_choice=False)
    inspected_on = DateField(_l("Inspected on"), validators=[Optional()])
    follow_up = TextAreaField(
        _l("Follow-up (published)"), validators=[Optional(), Length(max=1000)]
    )
    note = TextAreaField(
        _l("Internal note (never published)"), validators=[Optional(), Length(max=1000)]
    )
    version = HiddenField()


class ReviewForm(FlaskForm):
    """审核."""

    decision = SelectField(
        _l("Review decision"),
        choices=choices((("approve", _l("Approve")), ("return", _l("Send back")))),
    )
    opinion = StringField(_l("Opinion"), validators=[Optional(), Length(max=500)])
    version = HiddenField()
