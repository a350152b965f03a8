"""Languages (Chinese first, English second) and how dates and times are shown."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from flask import Flask
from flask import current_app
from flask import g
from flask import has_request_context
from flask import request
from flask import session
from flask_babel import Babel
from flask_babel import LazyString
from flask_babel import format_date
from flask_babel import format_datetime
from flask_babel import get_locale
from flask_babel import get_translations
from flask_login import current_user

from inspection import clock

babel = Babel()

LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str:
    """The user's saved choice, else this browser session's, else Chinese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale") or request.cookies.get("locale")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Times are shown in the park's zone (Asia/Shanghai)."""
    return current_app.config["TIMEZONE"]


def datetime_filter(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """Show an aware datetime in the park's time zone."""
    return "" if value is None else format_datetime(value, fmt)


def date_filter(value: date | datetime | str | None, fmt: str = "yyyy-MM-dd") -> str:
    """Show a date (the usual ISO form without asking Babel: long lists show many).

    A moment shows as its day in the park's zone (never as a raw timestamp); a date kept as
    text in an event's details is read first.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = clock.local(value).date() if value.tzinfo else value.date()
    if fmt == "yyyy-MM-dd":
        return value.isoformat()
    return format_date(value, fmt)


def html_lang() -> str:
    """The lang attribute for <html> (zh-CN or en)."""
    return select_locale().replace("_", "-")


def translations():
    """This request's translations, looked up once per locale: Flask-Babel finds the catalog
    again on every call, which a page with a hundred strings feels. (The locale is asked for
    each time, so `force_locale` — an email in its reader's language — still works.)"""
    if not has_request_context():
        return get_translations()
    locale = get_locale()
    found = g.get("_translations")
    if found is None or found[0] is not locale:
        found = g._translations = (locale, get_translations())
    return found[1]


def gettext(string: str, **variables) -> str:
    """Translate through this request's translations (see translations())."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """A string translated when shown, in the language of the request showing it."""
    return LazyString(gettext, string, **variables)


def init_app(app: Flask) -> None:
    """Bind Babel and the date filters."""
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.globals["html_lang"] = html_lang
    app.jinja_env.globals["current_locale"] = select_locale
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
