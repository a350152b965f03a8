"""Form pieces every feature shares: choices, the confirm button, checkbox lists, id parsing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms import widgets
from wtforms.fields.choices import SelectChoice

MAX_ID = 2**31 - 1


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
