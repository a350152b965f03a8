"""The programme's pages: listed enterprises, campaign outcomes, the chemical park's grade and
projects, and the year in figures."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import send_file

from inspection.evidence.storage import storage

bp = Blueprint("programme", __name__, url_prefix="/programme")


def send_evidence(sha256: str | None, name: str | None, content_type: str | None):
    """Download a stored file kept on a programme record."""
    if not sha256:
        abort(404)
    path = storage().path(sha256)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=content_type or "application/octet-stream",
        as_attachment=True,
        download_name=name or "evidence",
    )
    response.cache_control.private = True
    return response


from inspection.programme.views import figures  # noqa: E402,F401
from inspection.programme.views import grade  # noqa: E402,F401
from inspection.programme.views import listings  # noqa: E402,F401
from inspection.programme.views import outcomes  # noqa: E402,F401
