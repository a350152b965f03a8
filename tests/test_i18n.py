"""Chinese first: every user-facing string has a Chinese translation; times show in Shanghai."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHODS = [("inspection/**.py", "python"), ("templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _source_messages() -> set[str]:
    messages = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        METHODS,
        keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.do"}},
    ):
        messages.add(message if isinstance(message, str) else message[0])
    return messages


def _catalog(locale: str):
    with open(ROOT / "inspection/translations" / locale / "LC_MESSAGES/messages.po", "rb") as f:
        return read_po(f)


def test_every_string_has_a_chinese_translation():
    catalog = _catalog("zh")
    missing = []
    for message in sorted(_source_messages()):
        entry = catalog.get(message)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(message)
    assert not missing, (
        "These strings have no Chinese translation; run `make translations` and translate them"
        " in inspection/translations/zh/LC_MESSAGES/messages.po:\n" + "\n".join(missing)
    )


def _forms(text) -> tuple[str, ...]:
    """A message's text, or each of a plural message's forms."""
    return tuple(text) if isinstance(text, (list, tuple)) else (text,)


def test_translations_keep_their_placeholders():
    wrong = [
        (entry.id, entry.string)
        for entry in _catalog("zh")
        if entry.id
        and any(_forms(entry.string))
        and any(
            set(PLACEHOLDER.findall(form))
            != {name for text in _forms(entry.id) for name in PLACEHOLDER.findall(text)}
            for form in _forms(entry.string)
        )
    ]
    assert not wrong


def test_chinese_is_the_default_and_english_is_one_click_away(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "登录" in page
    client.post("/language", data={"locale": "en"})
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log in" in page


def test_a_logged_in_user_keeps_the_language(world, login, make):
    from inspection.auth.models import User

    client = login(world.inspector)
    client.post("/language", data={"locale": "en"})
    assert make.get(User, world.inspector.id).locale == "en"
    fresh = login(world.inspector)
    assert "My inspections" in fresh.get("/inspections/").get_data(as_text=True)


def test_times_are_shown_in_shanghai(app):
    from inspection.i18n import datetime_filter

    with app.test_request_context():
        shown = datetime_filter(datetime(2026, 1, 1, 16, 30, tzinfo=UTC))
    assert shown == "2026-01-02 00:30"
