"""The field app's page, its service worker and its web app manifest."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import url_for
from flask_babel import gettext as _

from inspection.auth.permissions import Permission
from inspection.auth.permissions import require
from inspection.field.texts import texts
from inspection.i18n import html_lang

bp = Blueprint("field", __name__, url_prefix="/field")

# What the service worker keeps so the field app opens without signal: these files, and every
# ES module of the field app (js/field/*.js, loaded by the browser without a bundler).
SHELL_ASSETS = (
    "css/app.css",
    "js/app.js",
    "js/photos.js",
    "icons/icon-192.png",
    "icons/icon-512.png",
)
FIELD_MODULES = "js/field"


@functools.cache
def shell_assets(static_folder: str) -> tuple[str, ...]:
    """The static files the service worker keeps, the field app's modules included."""
    modules = sorted((Path(static_folder) / FIELD_MODULES).glob("*.js"))
    return SHELL_ASSETS + tuple(f"{FIELD_MODULES}/{module.name}" for module in modules)


@bp.get("/")
@require(Permission.INSPECT)
def app_page():
    """The field app: prepare for offline, answer, log hazards, sign, sync."""
    return render_template(
        "field/app.html", texts=texts(), api_root=url_for("api.session_info").rsplit("/", 1)[0]
    )


@functools.cache
def _assets_version(static_folder: str) -> str:
    """A hash of the cached files, so a changed file makes a new service worker and cache."""
    digest = hashlib.sha256()
    for asset in shell_assets(static_folder):
        digest.update((Path(static_folder) / asset).read_bytes())
    digest.update((Path(current_app.root_path).parent / "templates/field/app.html").read_bytes())
    return digest.hexdigest()[:12]


@bp.get("/sw.js")
def service_worker():
    """The service worker, scoped to /field/; no login needed to fetch it."""
    body = render_template(
        "field/sw.js",
        version=_assets_version(current_app.static_folder),
        shell=[url_for("field.app_page")]
        + [url_for("static", filename=asset) for asset in shell_assets(current_app.static_folder)]
        + [url_for("field.manifest")],
    )
    return current_app.response_class(
        body,
        mimetype="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest, so the field app can be installed on the tablet's home screen."""
    response = jsonify(
        name=_("Park Safety & Environment Inspections"),
        short_name=_("Field inspections"),
        start_url=url_for("field.app_page"),
        scope=url_for("field.app_page"),
        display="standalone",
        orientation="any",
        background_color="#f2f4f7",
        theme_color="#0b5cab",
        lang=html_lang(),
        icons=[
            {
                "src": url_for("static", filename=f"icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    )
    response.mimetype = "application/manifest+json"
    return response
