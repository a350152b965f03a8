"""The one storage interface: named objects (keys such as `originals/ab/<sha256>`), whole-object
writes, reads, streaming, listing and deletion. Two backends implement it: a local folder
(`local.py`, the default) and an S3-compatible bucket (`s3.py`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

# Keys are relative, slash-separated names of plain characters: no "..", no leading slash.
KEY = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
CHUNK = 256 * 1024


class NotStored(KeyError):
    """No object has this key."""


class StorageUnavailable(RuntimeError):
    """The storage cannot be reached or written (the health check says why)."""


@dataclass(frozen=True)
class Stored:
    """One object as listed: its key and size in bytes."""

    key: str
    size: int


def check_key(key: str) -> str:
    """Refuse keys that could escape the storage's root (a bug, never a user's input)."""
    if not KEY.match(key) or any(part in (".", "..") for part in key.split("/")):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Storage(Protocol):
    """What every backend offers."""

    name: str

    def put(self, key: str, data: bytes) -> None:
        """Write an object whole; a reader never sees half of it."""

    def get(self, key: str) -> bytes:
        """The object's bytes; NotStored when there is none."""

    def stream(self, key: str, chunk: int = CHUNK) -> Iterator[bytes]:
        """The object's bytes in pieces, for sending without holding it in memory."""

    def exists(self, key: str) -> bool:
        """True when the object is stored."""

    def size(self, key: str) -> int:
        """The object's size; NotStored when there is none."""

    def delete(self, key: str) -> None:
        """Remove the object; removing a missing one is not an error."""

    def list(self, prefix: str = "") -> Iterator[Stored]:
        """Every object whose key starts with the prefix, in key order."""

    def presigned_url(
        self, key: str, *, content_type: str, filename: str | None, attachment: bool, seconds: int
    ) -> str | None:
        """A short-lived URL the browser may fetch the object from, or None if the backend
        has none (the app then streams it)."""

    def check(self) -> None:
        """Raise StorageUnavailable when the storage cannot be read and written."""
