"""The programme's pages: listed enterprises, campaign outcomes, the chemical park's grade and
projects, and the year in figures."""

from __future__ import annotations

from flask import Blueprint
from flask import abort

from inspection.storage.content import content_key
from inspection.storage.serving import send_stored

bp = Blueprint("programme", __name__, url_prefix="/programme")


def send_evidence(sha256: str | None, name: str | None, content_type: str | None):
    """Download a stored file kept on a programme record."""
    if not sha256:
        abort(404)
    return send_stored(
        content_key(sha256),
        mimetype=content_type or "application/octet-stream",
        etag=sha256,
        max_age=3600,
        as_attachment=True,
        download_name=name or "evidence",
    )


from inspection.programme.views import figures  # noqa: E402,F401
from inspection.programme.views import grade  # noqa: E402,F401
from inspection.programme.views import listings  # noqa: E402,F401
from inspection.programme.views import outcomes  # noqa: E402,F401
