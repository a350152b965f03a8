"""The public verification page: no login, the document's number, issuer, date and status only."""

from __future__ import annotations

from flask import Blueprint
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from inspection.db import get_session
from inspection.verification import services

bp = Blueprint("verification", __name__)


@bp.get("/v/<code>")
def page(code: str):
    """What the QR code on a document opens: whether the document is known, and its status."""
    found = services.lookup(get_session(), code[:40])
    return render_template(
        "verification/page.html", code=code[:40], found=found
    ), 200 if found else 404


@bp.get("/verify")
def form():
    """Type the short code printed under the QR code."""
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("verification.page", code=code[:40].upper()))
    return render_template("verification/page.html", code=None, found=None)
