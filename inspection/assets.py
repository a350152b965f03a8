"""Static files fingerprinted and cached for a year; text responses compressed.

Every `url_for('static', ...)` carries `?v=<hash of the file>`, so a changed file has a new URL
and browsers and proxies may keep each URL for a year. The field app's ES modules are the
exception: they import each other by plain relative paths, which cannot carry a fingerprint, so
they keep plain URLs everywhere (the service worker's list too) and are revalidated each time;
the service worker's own version changes with them.

HTML, CSS, JavaScript, JSON and SVG answers are compressed when the browser accepts it
(Flask-Compress); exports and files are sent as they are.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import Flask
from flask import request
from flask_compress import Compress

YEAR = 365 * 24 * 3600
UNFINGERPRINTED = ("js/field/",)
compress = Compress()


@lru_cache(maxsize=512)
def _fingerprint(path: str, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 16):
            digest.update(chunk)
    return digest.hexdigest()[:12]


def fingerprint(static_folder: str, filename: str) -> str | None:
    """The hash naming a static file's current content, or None when there is no such file."""
    path = os.path.join(static_folder, filename)
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        return None
    return _fingerprint(path, mtime)


def init_app(app: Flask) -> None:
    """Add fingerprints to static URLs, long caching to fingerprinted answers, compression."""
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "application/manifest+json",
            "image/svg+xml",
        ],
    )
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    # Streamed answers (the exports) keep their rows flowing uncompressed; static files,
    # small, are read whole below so that they are compressed too.
    app.config.setdefault("COMPRESS_STREAMS", False)
    compress.init_app(app)

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict) -> None:
        if (
            endpoint == "static"
            and "filename" in values
            and "v" not in values
            and not values["filename"].startswith(UNFINGERPRINTED)
        ):
            version = fingerprint(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    compressible = set(app.config["COMPRESS_MIMETYPES"])

    # Registered after Flask-Compress, so it runs before it.
    @app.after_request
    def cache_fingerprinted(response):
        if (
            request.endpoint == "static"
            and response.status_code == 200
            and response.mimetype in compressible
        ):
            response.direct_passthrough = False
            response.make_sequence()  # reads the file whole and closes it
        if (
            request.endpoint == "static"
            and response.status_code == 200
            and request.args.get("v")
            and request.args["v"] == fingerprint(app.static_folder, request.view_args["filename"])
        ):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
