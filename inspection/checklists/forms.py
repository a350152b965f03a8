"""Forms of the checklist editor."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField
from wtforms import FloatField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import Regexp

from inspection import labels
from inspection.checklists.fileformat import KNOWN_FLAGS
from inspection.checklists.fileformat import KNOWN_INDUSTRIES
from inspection.enterprises.models import INDUSTRY_SECTORS
from inspection.forms import CheckboxListField
from inspection.forms import PrefixedForm
from inspection.forms import choices as options

CODE_RULE = Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Lowercase letters, digits and hyphens."))


def _industry_choices():
    return options(
        (name, name)
        for name in [*INDUSTRY_SECTORS, *sorted(KNOWN_INDUSTRIES - set(INDUSTRY_SECTORS))]
    )


def _flag_choices():
    names = {**labels.RISK_FLAGS, "discharge_permit": labels.DISCHARGE_PERMIT_HOLDER}
    return options((code, names[code]) for code in sorted(KNOWN_FLAGS))


class _AppliesTo:
    """Where a checklist or section applies: by industry or risk flag."""

    industries = CheckboxListField(_l("Industries"), choices=_industry_choices())
    risk_flags = CheckboxListField(_l("Risk flags"), choices=_flag_choices())
    match = RadioField(
        _l("Applies when"),
        choices=options([("any", _l("any of these matches")), ("all", _l("both lists match"))]),
        default="any",
    )

    def applies_value(self) -> dict:
        if not self.industries.data and not self.risk_flags.data:
            return {}
        return {
            "industries": list(self.industries.data or []),
            "risk_flags": list(self.risk_flags.data or []),
            "match": self.match.data or "any",
        }

    def fill_applies(self, rule: dict) -> None:
        self.industries.data = rule.get("industries", [])
        self.risk_flags.data = rule.get("risk_flags", [])
        self.match.data = rule.get("match", "any")


class NewTemplateForm(FlaskForm):
    """A new, empty checklist."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=64), CODE_RULE])
    title = StringField(_l("Checklist title"), validators=[DataRequired(), Length(max=200)])
    standard = StringField(
        _l("Standard it implements"), validators=[DataRequired(), Length(max=300)]
    )
    kind = SelectField(_l("Kind"), choices=options(labels.TEMPLATE_KINDS.items()))


class DraftForm(_AppliesTo, FlaskForm):
    """A draft's title, standard and where it applies."""

    title = StringField(_l("Checklist title"), validators=[DataRequired(), Length(max=200)])
    standard = StringField(
        _l("Standard it implements"), validators=[DataRequired(), Length(max=300)]
    )
    issuer = StringField(_l("Issued by"), validators=[Optional(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=options(labels.TEMPLATE_KINDS.items()))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])
    bands = TextAreaField(
        _l("Result bands (assessments): one per line, lowest percent then label"),
        validators=[Optional(), Length(max=2000)],
    )
    version = HiddenField(validators=[InputRequired()])


class SectionForm(_AppliesTo, PrefixedForm):
    """A section of a draft."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=64), CODE_RULE])
    title = StringField(_l("Section title"), validators=[DataRequired(), Length(max=200)])
    version = HiddenField(validators=[InputRequired()])


class ItemForm(FlaskForm):
    """One checklist item."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=64), CODE_RULE])
    text = TextAreaField(_l("What to judge"), validators=[DataRequired(), Length(max=5000)])
    guidance = TextAreaField(_l("How to judge it"), validators=[Optional(), Length(max=5000)])
    basis = StringField(
        _l("Basis (standard and clause)"), validators=[DataRequired(), Length(max=500)]
    )
    answer_type = SelectField(_l("Answered by"), choices=options(labels.ANSWER_TYPES.items()))
    number_min = FloatField(_l("Lowest acceptable value"), validators=[Optional()])
    number_max = FloatField(_l("Highest acceptable value"), validators=[Optional()])
    number_unit = StringField(_l("Unit"), validators=[Optional(), Length(max=16)])
    choices = TextAreaField(_l("Choices, one per line"), validators=[Optional()])
    fail_choices = TextAreaField(_l("Choices that fail, one per line"), validators=[Optional()])
    category = SelectField(
        _l("Category of the hazard it raises"), choices=options(labels.HAZARD_CATEGORIES.items())
    )
    hazard_title = StringField(
        _l("Title of the hazard it raises"), validators=[Optional(), Length(max=200)]
    )
    deadline_days = IntegerField(
        _l("Days to rectify"), validators=[Optional(), NumberRange(min=1, max=3650)]
    )
    points = FloatField(_l("Points (assessments)"), validators=[Optional(), NumberRange(min=0)])
    photo_on_fail = BooleanField(_l("A failure needs a photo"), default=True)
    major = BooleanField(_l("Major-hazard criterion: failing it is a major hazard"))
    needs_verification = BooleanField(_l("Wording still to be checked against the official text"))
    sources = StringField(
        _l("Checked against (ids from the checklist's sources, separated by commas)"),
        validators=[Optional(), Length(max=500)],
    )
    version = HiddenField(validators=[InputRequired()])

    def values(self) -> dict:
        """The item's fields as stored."""
        import json

        def lines(text: str | None) -> list[str]:
            return [line.strip() for line in (text or "").splitlines() if line.strip()]

        return {
            "code": self.code.data.strip(),
            "text": " ".join(self.text.data.split()),
            "guidance": (self.guidance.data or "").strip() or None,
            "basis": self.basis.data.strip(),
            "answer_type": self.answer_type.data,
            "number_min": self.number_min.data,
            "number_max": self.number_max.data,
            "number_unit": (self.number_unit.data or "").strip() or None,
            "choices": json.dumps(lines(self.choices.data), ensure_ascii=False),
            "fail_choices": json.dumps(lines(self.fail_choices.data), ensure_ascii=False),
            "category": self.category.data,
            "hazard_title": (self.hazard_title.data or "").strip() or None,
            "deadline_days": self.deadline_days.data,
            "points": self.points.data,
            "photo_on_fail": bool(self.photo_on_fail.data),
            "major": bool(self.major.data),
            "needs_verification": bool(self.needs_verification.data),
            "sources": json.dumps(
                [i.strip() for i in re.split(r"[,，、\s]+", self.sources.data or "") if i.strip()]
            ),
        }


class ImportChecklistForm(FlaskForm):
    """A checklist file in the library's YAML format."""

    file = FileField(_l("Checklist file (.yaml)"), validators=[FileRequired()])
