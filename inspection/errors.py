"""Error pages that say what went wrong and what to do, in the user's language."""

from __future__ import annotations

from flask import Flask
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule of the domain refused the request; the message is shown to the user."""

    status = 400
    code = "refused"  # stable, for programs reading a JSON error

    def __init__(
        self, message: str, *, field: str | None = None, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        # The input the message is about (a form field's name), so a page can show it there;
        # or several inputs, each with its own message.
        self.field = field
        self.fields = fields or ({field: message} if field else {})


class Forbidden(DomainError):
    """The user may not do this."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """Someone else changed the record first (a stale edit)."""

    status = 409
    code = "conflict"


class NotFound(DomainError):
    """The record does not exist or is not the user's to see."""

    status = 404
    code = "not_found"


def check_version(current: int, expected: int) -> None:
    """Refuse an edit made on an out-of-date copy of a record."""
    if current != expected:
        raise Conflict(
            _(
                "Someone else changed this record while you were editing it. Your changes were"
                " not saved; reload the page to see the current version and try again."
            )
        )


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


# Stable codes of JSON errors by HTTP status, for programs; the title and message are for people.
HTTP_CODES = {
    400: "bad_request",
    401: "not_logged_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_request",
    500: "server_error",
}


def http_title(status: int) -> str:
    """The title of an HTTP error, in the user's language."""
    titles = {
        400: _("Bad request"),
        401: _("Please log in"),
        403: _("No access"),
        404: _("Page not found"),
        405: _("Not allowed here"),
        409: _("Changed by someone else"),
        410: _("No longer available"),
        413: _("The upload is too large"),
        415: _("Unsupported file type"),
        422: _("The request could not be processed"),
        429: _("Too many requests"),
    }
    return titles.get(status, _("Something went wrong"))


def problem(status: int, code: str, title: str, message: str, **extra):
    """A JSON error: a stable code for programs, a title and a message for people."""
    return jsonify(code=code, error=title, message=message, **extra), status


def _render(
    status: int,
    title: str,
    message: str,
    code: str | None = None,
    field: str | None = None,
    fields: dict[str, str] | None = None,
):
    if _wants_json():
        # The inputs the refusal is about, in the shape a 422 names its fields in.
        named = fields or ({field: message} if field else {})
        extra = {"fields": [{"field": k, "message": v} for k, v in named.items()]} if named else {}
        return problem(
            status, code or HTTP_CODES.get(status, f"http_{status}"), title, message, **extra
        )
    return render_template("errors.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return _render(
            400,
            _("The form could not be accepted"),
            _(
                "The form was missing its security token or it had expired. Nothing was saved."
                " Go back, reload the page and submit the form again."
            ),
            code="csrf_failed",
            # The API takes the token in a header (from GET /api/v1/session), a form in a field.
            field="X-CSRFToken" if request.path.startswith("/api/") else "csrf_token",
        )

    @app.errorhandler(413)
    def too_large(_error: HTTPException):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return _render(
            413,
            _("The upload is too large"),
            _(
                "Everything sent at once may be at most %(limit)s MB. Nothing was saved."
                " Send fewer photos at a time, or smaller ones.",
                limit=limit,
            ),
            field="body",
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return _render(
            error.status,
            _("The request was not carried out"),
            error.message,
            error.code,
            fields=error.fields,
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            400: _("The request was malformed. Go back and check what you entered."),
            403: _("You do not have access to this page. Ask an administrator if you need it."),
            404: _("There is nothing here, or it is not yours to see."),
            405: _("This page cannot be used that way."),
        }
        status = error.code or 500
        # A message given with abort() is ours (translated); Werkzeug's own are English.
        own = error.description if error.description != type(error).description else None
        message = (
            messages.get(status)
            or own
            or _("The request could not be carried out. Go back and try again.")
        )
        response = make_response(_render(status, http_title(status), message))
        # A 405 says which methods the address takes (RFC 9110), as werkzeug's own page does.
        allowed = getattr(error, "valid_methods", None)
        if status == 405 and allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(500)
    def server_error(_error: Exception):
        return _render(
            500,
            _("Something went wrong on our side"),
            _("Nothing was saved. Try again in a moment; if it keeps happening, tell the admin."),
        )
