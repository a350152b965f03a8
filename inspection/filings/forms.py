"""The statistics filing form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange


def _count(label) -> IntegerField:
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=0, max=10**6)])


class FilingForm(FlaskForm):
    """隐患排查治理统计分析表."""

    period = HiddenField(validators=[DataRequired()])
    found = _count(_l("Hazards found"))
    found_major = _count(_l("of which major"))
    rectified = _count(_l("Hazards rectified"))
    rectified_major = _count(_l("of which major rectified"))
    still_open = _count(_l("Still being rectified"))
    funding_yuan = IntegerField(
        _l("Funds spent (yuan)"), validators=[InputRequired(), NumberRange(min=0, max=10**10)]
    )
    analysis = TextAreaField(
        _l("Analysis (统计分析)"), validators=[DataRequired(), Length(max=5000)]
    )
    principal_name = StringField(
        _l("Principal person in charge (主要负责人)"),
        validators=[DataRequired(), Length(max=64)],
    )
    signature = HiddenField()
