"""Files stored by content hash behind a small interface (local disk now, object storage later)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app


class LocalStorage:
    """Originals under originals/ab/<sha256>, derived sizes under derived/ab/<sha256>-<variant>."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str, variant: str = "original") -> Path:
        """Where a file lives on disk."""
        if variant == "original":
            return self.root / "originals" / sha256[:2] / sha256
        return self.root / "derived" / sha256[:2] / f"{sha256}-{variant}"

    def exists(self, sha256: str, variant: str = "original") -> bool:
        """True when the file is stored."""
        return self.path(sha256, variant).exists()

    def put(self, data: bytes) -> str:
        """Store bytes once and return their hash; storing the same bytes again is a no-op."""
        sha256 = hashlib.sha256(data).hexdigest()
        self.put_variant(sha256, "original", data)
        return sha256

    def put_variant(self, sha256: str, variant: str, data: bytes) -> None:
        """Store a file atomically, so a reader never sees half of it."""
        target = self.path(sha256, variant)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def storage() -> LocalStorage:
    """The storage of the current app."""
    return LocalStorage(current_app.config["FILES_DIR"])
