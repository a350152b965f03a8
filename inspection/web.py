"""Request-wide web plumbing: CSRF protection, security headers and template helpers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode
from urllib.parse import urlsplit

from flask import Flask
from flask import flash
from flask import has_request_context
from flask import redirect
from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup
from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError
from wtforms.validators import Length

from inspection import labels
from inspection.db import get_session
from inspection.errors import DomainError
from inspection.forms import MAX_ID
from inspection.notifications.queries import unread_count

csrf = CSRFProtect()

T = TypeVar("T")


def commit_or_refuse(
    change: Callable[[], T],
    *,
    then: str | Callable[[T], str | ResponseReturnValue],
    message: str | Callable[[T], str] | None = None,
    refused: str | Callable[[DomainError], ResponseReturnValue] | None = None,
) -> ResponseReturnValue:
    """Make a view's change and commit it once, or undo it all when a rule refuses it.

    `change` calls the services (which flush, never commit). After the commit `message` (text,
    or a function of the change's result) is flashed and the answer is `then`: a URL to go to,
    or a function of the result giving a URL or a response. On a DomainError the session is
    rolled back and the answer is `refused(error)` when it is a function; otherwise the message
    is flashed as an error and the user goes to `refused` (a URL) or to `then`.
    """
    session = get_session()
    try:
        result = change()
    except DomainError as error:
        session.rollback()
        if callable(refused):
            return refused(error)
        back = refused or then
        if not isinstance(back, str):
            raise TypeError(
                "commit_or_refuse needs a URL or a function to answer a refusal"
            ) from error
        flash(error.message, "error")
        return redirect(back)
    session.commit()
    if message is not None:
        flash(message(result) if callable(message) else message, "success")
    answer = then(result) if callable(then) else then
    return redirect(answer) if isinstance(answer, str) else answer


def flash_refusal(error: DomainError) -> int:
    """Say why a form's change was refused; the status to show the form again with (a plain
    rule refusal is an unprocessable form, 422)."""
    flash(error.message, "error")
    return error.status if error.status != 400 else 422


def place_under_fields(error: DomainError, *forms) -> bool:
    """Put each message of a refusal under the field it names (`DomainError.fields`) in
    whichever of the forms has that field; True when at least one found its field (else the
    caller shows the refusal at the top)."""
    placed = False
    for form in forms:
        for name, message in error.fields.items():
            if name in form:
                form[name].errors = [*form[name].errors, message]
                placed = True
    return placed


def on_field(
    field, page: Callable[[], ResponseReturnValue], form=None
) -> Callable[[DomainError], object]:
    """A refusal answer: the message shown under a form field, and the form shown again.

    With the form, a refusal that names the input it is about (`DomainError.field`) goes under
    that field instead.
    """

    def refused(error: DomainError) -> ResponseReturnValue:
        if not place_under_fields(error, *([form] if form is not None else [])):
            field.errors = [*field.errors, error.message]
        return page()

    return refused


def under_field_or_flashed(
    form, page: Callable[[int], ResponseReturnValue]
) -> Callable[[DomainError], ResponseReturnValue]:
    """A refusal answer: a refusal that names one of the form's fields (`DomainError.field`)
    is shown under it, any other is flashed; the form is shown again with the refusal's status
    (`page(status)`)."""

    def refused(error: DomainError) -> ResponseReturnValue:
        if place_under_fields(error, form):
            return page(error.status if error.status != 400 else 422)
        return page(flash_refusal(error))

    return refused


class IdConverter(BaseConverter):
    """URL part for record ids: positive and small enough for an INTEGER column."""

    regex = r"[1-9][0-9]{0,9}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value: object) -> str:
        return str(int(value))  # type: ignore[call-overload]


def safe_next(target: str | None) -> str | None:
    """Only follow a relative, same-site `next` link."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def url_with(**changes: object) -> str:
    """The current URL with some query parameters changed (for filters and pagination)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    query = urlencode(args, doseq=True)
    return request.path + ("?" + query if query else "")


def field_attrs(
    field,
    hint: str | None = None,
    autocomplete: str | None = None,
    type: str | None = None,  # noqa: A002 (the HTML attribute's name)
    inputmode: str | None = None,
    capture: str | None = None,
    upload_url: str | None = None,
    upload_field: str | None = None,
) -> tuple[dict, str]:
    """The attributes of a form field's input, and the ids that describe it (hint, errors):
    worked out in one call, as every form on every page asks for them."""
    describedby = []
    if hint:
        describedby.append(f"{field.id}-hint")
    if field.errors:
        describedby.append(f"{field.id}-error")
    attrs: dict = {}
    if describedby:
        attrs["aria-describedby"] = " ".join(describedby)
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.flags.required:
        attrs["required"] = True
    for name, value in (
        ("autocomplete", autocomplete),
        ("inputmode", inputmode),
        ("type", type),
        ("capture", capture),
    ):
        if value:
            attrs[name] = value
    if upload_url:
        attrs.update(upload_attrs(upload_url, upload_field))
    limit = max_length(field)
    if limit:
        # A counter under the field, not the maxlength attribute: a browser cuts pasted text
        # to maxlength without a word, and nothing may be cut silently.
        attrs["data-maxlength"] = limit
        attrs["maxlength"] = False  # WTForms would render it from the Length validator
        describedby.append(f"{field.id}-counter")
        attrs["aria-describedby"] = " ".join(describedby)
    return attrs, " ".join(describedby)


def max_length(field) -> int | None:
    """The longest text a form field takes (its Length validator's max), if it has one."""
    if field.type not in {"StringField", "TextAreaField"}:
        return None
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max and v.max > 0]
    return min(limits) if limits else None


def upload_attrs(url: str, field_name: str | None = None, item_id: int | None = None) -> dict:
    """The attributes that let photos.js shrink and upload a photo input's files."""
    attrs = {
        "data-upload-url": url,
        "data-msg-sending": _("Uploading…"),
        "data-msg-done": _("Uploaded"),
        "data-msg-failed": _("Not uploaded: no connection, or the photo was refused."),
        "data-msg-retry": _("Try again"),
        "data-msg-waiting": _("Photos are still uploading; save again when they are done."),
        "data-msg-remove": _("Remove"),
    }
    if field_name:
        attrs["data-field"] = field_name
    if item_id is not None:
        attrs["data-item-id"] = str(item_id)
    return attrs


def photo_status_attrs(none: str) -> Markup:
    """The texts a photo picker's status line shows, by what became of its photos."""
    texts = {
        "data-none": none,
        "data-one": _("1 photo chosen"),
        "data-some": _("%(count)s photos chosen", count="{n}"),
        "data-uploaded-one": _("1 photo uploaded"),
        "data-uploaded": _("%(count)s photos uploaded", count="{n}"),
        "data-sending": _("%(count)s uploading", count="{n}"),
        "data-failed": _("%(count)s not uploaded", count="{n}"),
    }
    return Markup(" ").join(Markup('{}="{}"').format(key, value) for key, value in texts.items())


def _can(permission: str) -> bool:
    """Template helper: may the current user do this?"""
    from inspection.auth.permissions import Permission
    from inspection.auth.permissions import has_permission

    return has_permission(current_user, Permission(permission))


def _labeller(table: dict):
    def label(code: str | None) -> str:
        return labels.label(table, code)

    return label


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


class SessionCookies(SecureCookieSessionInterface):
    """The session cookie is `Secure` behind HTTPS, and on the machine itself (browsers keep
    Secure cookies for http://localhost and 127.0.0.1), but not over a LAN's plain HTTP, where
    a Secure cookie would never come back and nobody could log in."""

    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config["SESSION_COOKIE_SECURE"]:
            return True
        if not has_request_context():
            return False
        host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
        return request.is_secure or host in LOOPBACK_HOSTS or host.startswith("127.")


def init_app(app: Flask) -> None:
    """Bind CSRF protection and add security headers to every response."""
    app.session_interface = SessionCookies()
    csrf.init_app(app)
    app.url_map.converters["id"] = IdConverter
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["fromjson"] = json.loads

    app.jinja_env.globals["unread_notifications"] = unread_count
    app.jinja_env.globals.update(
        url_with=url_with,
        upload_attrs=upload_attrs,
        photo_status_attrs=photo_status_attrs,
        field_attrs=field_attrs,
        can=_can,
        role_label=_labeller(labels.ROLES),
        state_label=_labeller(labels.HAZARD_STATES),
        level_label=labels.level_label,
        category_label=_labeller(labels.HAZARD_CATEGORIES),
        event_label=labels.event_label,
        industry_label=labels.industry_label,
        inspection_type_label=_labeller(labels.INSPECTION_TYPES),
        inspection_status_label=_labeller(labels.INSPECTION_STATUSES),
        targeted_label=_labeller(labels.TARGETED),
        size_label=_labeller(labels.SCALES),
        permit_label=_labeller(labels.DISCHARGE_PERMITS),
        grade_label=_labeller(labels.RISK_GRADES),
        risk_cause=labels.risk_cause,
        warning_kinds=labels.RISK_WARNINGS,
        warning_statuses=labels.WARNING_STATUSES,
        risk_label=_labeller(
            {**labels.RISK_FLAGS, "discharge_permit": labels.DISCHARGE_PERMIT_HOLDER}
        ),
    )

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy",
            "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()",
        )
        if app.config["HTTPS"] and request.is_secure:
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={app.config['HSTS_SECONDS']}"
            )
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self';"
            " script-src 'self'; object-src 'none'; frame-ancestors 'none'",
        )
        return response
