"""Sending a stored file to a browser after the caller's own permission check: streamed by
the app, or (a per-deployment option for S3) a redirect to a short-lived presigned URL."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import Response
from flask import abort
from flask import current_app
from flask import redirect
from flask import request
from flask import send_file

from inspection.storage import storage
from inspection.storage.base import NotStored
from inspection.storage.local import LocalStorage


def send_stored(
    key: str,
    *,
    mimetype: str,
    etag: str,
    max_age: int,
    download_name: str | None = None,
    as_attachment: bool = False,
) -> Response:
    """The stored file as a response (404 when it is not stored), private to this user."""
    backend = storage()
    config = current_app.config
    if config.get("STORAGE_PRESIGNED_DOWNLOADS"):
        url = backend.presigned_url(
            key,
            content_type=mimetype,
            filename=download_name,
            attachment=as_attachment,
            seconds=int(config["STORAGE_PRESIGN_SECONDS"]),
        )
        if url is not None:
            response = redirect(url, 302)
            response.cache_control.no_store = True
            return response
    if isinstance(backend, LocalStorage):
        path = backend.path(key)
        if not path.is_file():
            abort(404)
        response = send_file(
            path,
            mimetype=mimetype,
            etag=etag,
            max_age=max_age,
            download_name=download_name,
            as_attachment=as_attachment,
        )
    else:
        response = _streamed(backend, key, mimetype, etag, max_age, download_name, as_attachment)
    response.cache_control.private = True
    response.cache_control.public = False
    return response


def _streamed(backend, key, mimetype, etag, max_age, download_name, as_attachment) -> Response:
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        try:
            size = backend.size(key)
            body = backend.stream(key)
        except NotStored:
            abort(404)
        response = Response(body, mimetype=mimetype, direct_passthrough=True)
        response.content_length = size
        if download_name or as_attachment:
            value, options = disposition(download_name, as_attachment)
            response.headers.set("Content-Disposition", value, **options)
    response.set_etag(etag)
    response.cache_control.max_age = max_age
    return response


def disposition(filename: str | None, as_attachment: bool) -> tuple[str, dict]:
    """A Content-Disposition value and its options, with a UTF-8 name where it needs one."""
    value = "attachment" if as_attachment else "inline"
    if not filename:
        return (value, {})
    try:
        filename.encode("ascii")
    except UnicodeEncodeError:
        plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
        return (value, {"filename": plain, "filename*": f"UTF-8''{quote(filename)}"})
    return (value, {"filename": filename})
