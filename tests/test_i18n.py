"""Chinese first: every user-facing string has a Chinese translation; times show in Shanghai."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "_plural": (1, 2),
}
METHODS = [("inspection/**.py", "python"), ("templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\((\w+)\)")


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
    wrong = []
    for entry in _catalog("zh"):
        if not entry.id:
            continue
        # A plural entry is (singular, plural) with a translation per plural form.
        source = entry.id[-1] if isinstance(entry.id, tuple) else entry.id
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(PLACEHOLDER.findall(source))
        wrong += [
            (source, text) for text in strings if text and set(PLACEHOLDER.findall(text)) != wanted
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


# Words that are the same in every language: formats, acronyms, units.
NOT_WORDS = {"csv", "xlsx", "excel", "pdf", "gps", "api", "id", "yaml", "json", "url", "v", "n"}
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}


def _unmarked_text(source: str) -> list[str]:
    """Text shown to people that a template writes out without a translation call: what is
    left, as text or in a visible attribute, once every Jinja tag and expression is removed."""
    from html.parser import HTMLParser

    plain = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " \x00 ", source, flags=re.S)
    found: list[str] = []

    class Collector(HTMLParser):
        skipping = 0

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style"):
                self.skipping += 1
            for name, value in attrs:
                if name in VISIBLE_ATTRIBUTES or (name or "").startswith("data-msg"):
                    found.extend(_words(value or ""))

        def handle_endtag(self, tag):
            if tag in ("script", "style"):
                self.skipping = max(0, self.skipping - 1)

        def handle_data(self, data):
            if not self.skipping:
                found.extend(_words(data))

    Collector(convert_charrefs=True).feed(plain)
    return found


def _words(text: str) -> list[str]:
    text = re.sub(r"&\w+;", " ", text)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", text) if w.lower() not in NOT_WORDS]


def test_every_template_text_is_marked_for_translation():
    unmarked = {}
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if path.parts[-2] == "emails":  # written in the recipient's language by the caller
            continue
        words = _unmarked_text(path.read_text(encoding="utf-8"))
        if words:
            unmarked[str(path.relative_to(ROOT))] = words
    assert not unmarked, f"Text not marked for translation (wrap it in _()): {unmarked}"


def test_the_check_finds_unmarked_text():
    assert _unmarked_text('<p>Save</p><input placeholder="Search">') == ["Save", "Search"]
    assert _unmarked_text('<p>{{ _("Save") }}</p><a href="/x" class="button">') == []
