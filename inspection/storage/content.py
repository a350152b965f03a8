"""Files stored once by content hash: originals under originals/ab/<sha256>, derived sizes
(display, thumb, print, watermarked copies) under derived/ab/<sha256>-<variant>."""

from __future__ import annotations

import hashlib

from inspection.storage.base import Storage


def content_key(sha256: str, variant: str = "original") -> str:
    """The key of a file by its hash and variant."""
    if variant == "original":
        return f"originals/{sha256[:2]}/{sha256}"
    return f"derived/{sha256[:2]}/{sha256}-{variant}"


class ContentStore:
    """A storage addressed by SHA-256: storing the same bytes twice keeps one copy."""

    def __init__(self, backend: Storage) -> None:
        self.backend = backend

    def key(self, sha256: str, variant: str = "original") -> str:
        return content_key(sha256, variant)

    def exists(self, sha256: str, variant: str = "original") -> bool:
        """True when the file is stored."""
        return self.backend.exists(content_key(sha256, variant))

    def put(self, data: bytes) -> str:
        """Store bytes once and return their hash."""
        sha256 = hashlib.sha256(data).hexdigest()
        self.put_variant(sha256, "original", data)
        return sha256

    def put_variant(self, sha256: str, variant: str, data: bytes) -> None:
        """Store a derived size of a file (once)."""
        key = content_key(sha256, variant)
        if not self.backend.exists(key):
            self.backend.put(key, data)

    def read(self, sha256: str, variant: str = "original") -> bytes:
        """A stored file's bytes (NotStored when missing)."""
        return self.backend.get(content_key(sha256, variant))
