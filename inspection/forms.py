"""Form pieces every feature shares: choices, the confirm button, checkbox lists, id parsing."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.validators import ValidationError

MAX_ID = 2**31 - 1


class PrefixedForm(FlaskForm):
    """A form shown with a prefix beside others on one page (so its field ids never collide)
    whose CSRF token keeps its one name, `csrf_token`, as on every other form: security
    scanners and proxies recognise it, and the app-wide check finds it first."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if options.get("name") == self.csrf_field_name:
                options = {**options, "prefix": ""}
            return super().bind_field(form, unbound_field, options)


def choices(pairs) -> list[SelectChoice]:
    """Select or radio choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def parse_id(value: object) -> int:
    """A database id from user input; ValueError for anything that cannot be one."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 10 or not 0 < int(text) <= MAX_ID:
        raise ValueError(f"not a record id: {text[:20]!r}")
    return int(text)


def parse_version(value: object) -> int:
    """The record version a form was filled in on; -1 (never current) when it is garbled."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else -1


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token."""


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of large checkboxes (easier to hit on a tablet)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class MaxLength(Length):
    """A length limit that says how far over the text is; the page counts it as it is typed.

    Text over the limit is refused with this message, never cut: what was typed is kept.
    """

    def __init__(self, max: int) -> None:  # noqa: A002 (WTForms' own name)
        super().__init__(max=max)

    def __call__(self, form, field) -> None:
        length = len(field.data or "")
        if length > self.max:
            raise ValidationError(
                _(
                    "At most %(max)s characters; this has %(length)s. Shorten it by"
                    " %(over)s and save again.",
                    max=self.max,
                    length=length,
                    over=length - self.max,
                )
            )
