"""Forms for enterprises, zones and the import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from inspection import labels
from inspection.enterprises.models import INDUSTRY_SECTORS
from inspection.enterprises.models import RISK_FLAGS
from inspection.enterprises.services import EDITABLE_FIELDS
from inspection.forms import choices
from inspection.forms import parse_id


def _optional_int(value: str | int | None) -> int | None:
    if value in (None, "", "None"):
        return None
    return parse_id(value)


class EnterpriseForm(FlaskForm):
    """An enterprise's registry entry."""

    name = StringField(_l("Enterprise name"), validators=[DataRequired(), Length(max=128)])
    credit_code = StringField(
        _l("Unified social credit code"), validators=[DataRequired(), Length(max=30)]
    )
    company_code = StringField(
        _l("Organisation code (组织机构代码)"), validators=[Optional(), Length(max=12)]
    )
    industry = SelectField(
        _l("Industry"), choices=choices((name, name) for name in INDUSTRY_SECTORS)
    )
    zone_id = SelectField(_l("Zone"), coerce=_optional_int, validate_choice=False)
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    legal_representative = StringField(
        _l("Legal representative"), validators=[Optional(), Length(max=64)]
    )
    contact_name = StringField(_l("Safety contact"), validators=[Optional(), Length(max=64)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=32)])
    contact_email = StringField(_l("Contact e-mail"), validators=[Optional(), Length(max=254)])
    scale = SelectField(_l("Size"), choices=choices(labels.SCALES.items()))
    employees = IntegerField(
        _l("Employees"), validators=[Optional(), NumberRange(min=0, max=1_000_000)]
    )
    discharge_permit = SelectField(
        _l("Discharge permit class"), choices=choices(labels.DISCHARGE_PERMITS.items())
    )
    risk_dust = BooleanField(labels.RISK_FLAGS["dust"])
    risk_confined_space = BooleanField(labels.RISK_FLAGS["confined_space"])
    risk_ammonia_refrigeration = BooleanField(labels.RISK_FLAGS["ammonia_refrigeration"])
    risk_hazardous_chemicals = BooleanField(labels.RISK_FLAGS["hazardous_chemicals"])
    risk_major_hazard_source = BooleanField(labels.RISK_FLAGS["major_hazard_source"])
    risk_hazardous_waste = BooleanField(labels.RISK_FLAGS["hazardous_waste"])
    version = HiddenField()

    def risk_fields(self):
        """The risk flag checkboxes in order."""
        return [self[f"risk_{flag}"] for flag in RISK_FLAGS]

    def values(self) -> dict:
        """The submitted values as service arguments."""
        return {key: self[key].data for key in EDITABLE_FIELDS}


class ZoneForm(FlaskForm):
    """A new zone."""

    name = StringField(_l("Zone name"), validators=[DataRequired(), Length(max=64)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=255)])


class ImportForm(FlaskForm):
    """A CSV or Excel file of enterprises."""

    file = FileField(_l("CSV or Excel file"), validators=[FileRequired()])
