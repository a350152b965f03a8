"""Regions and the parks in them: who belongs where, and which park a request works in."""

from __future__ import annotations

from flask import Flask


def park_header() -> dict:
    """For the page header: the parks the user works across and the one chosen now."""
    from flask_login import current_user

    from inspection.auth.scope import request_scope
    from inspection.db import get_session
    from inspection.parks import queries

    if not current_user.is_authenticated:
        return {"parks": [], "chosen": None, "switch": False}
    session = get_session()
    parks = queries.home_parks(session, current_user)
    chosen = request_scope(current_user).park_id
    return {"parks": parks, "chosen": chosen, "switch": current_user.region_id is not None}


def init_app(app: Flask) -> None:
    """Offer the park header to every template."""
    app.jinja_env.globals["park_header"] = park_header
