"""Storage: every file the app keeps (photos, documents, signatures, report PDFs, photo pieces
still arriving) goes through one interface, on a local folder (the default) or an S3-compatible
bucket. Nothing outside this package touches a file path.

`storage()` is the backend the current app's settings name; it is built from the settings on
each use (cheap: the S3 client is kept per process), so changing the settings, as the tests do,
takes effect at once. `content()` is the same storage addressed by content hash.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app

from inspection.storage.base import NotStored
from inspection.storage.base import Storage
from inspection.storage.base import StorageUnavailable
from inspection.storage.content import ContentStore

__all__ = ["ContentStore", "NotStored", "Storage", "StorageUnavailable", "content", "storage"]

BACKENDS = ("local", "s3")


def backend_for(config: Mapping) -> Storage:
    """The backend a set of settings names."""
    kind = (config.get("STORAGE") or "local").lower()
    if kind == "local":
        from inspection.storage.local import LocalStorage

        return LocalStorage(config["FILES_DIR"])
    if kind == "s3":
        from inspection.storage.s3 import S3Settings
        from inspection.storage.s3 import S3Storage

        return S3Storage(
            S3Settings(
                endpoint_url=config.get("S3_ENDPOINT_URL"),
                bucket=config["S3_BUCKET"],
                access_key_id=config.get("S3_ACCESS_KEY_ID"),
                secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
                region=config.get("S3_REGION"),
                prefix=config.get("S3_PREFIX") or "",
                addressing_style=config.get("S3_ADDRESSING_STYLE") or "path",
            )
        )
    raise ValueError(f"INSPECTION_STORAGE must be one of {', '.join(BACKENDS)}, not {kind!r}")


def storage() -> Storage:
    """The current app's storage."""
    return backend_for(current_app.config)


def content() -> ContentStore:
    """The current app's storage, addressed by content hash (photos, documents, signatures)."""
    return ContentStore(storage())


def settings_problem(config: Mapping) -> str | None:
    """What is missing from the storage settings, said so that an operator can fix it."""
    kind = (config.get("STORAGE") or "local").lower()
    if kind not in BACKENDS:
        return f"INSPECTION_STORAGE must be one of {', '.join(BACKENDS)}, not {kind!r}."
    if kind == "s3" and not config.get("S3_BUCKET"):
        return (
            "INSPECTION_STORAGE=s3 needs INSPECTION_S3_BUCKET (and INSPECTION_S3_ENDPOINT_URL,"
            " INSPECTION_S3_ACCESS_KEY_ID, INSPECTION_S3_SECRET_ACCESS_KEY, INSPECTION_S3_REGION"
            " for a server other than AWS)."
        )
    return None
