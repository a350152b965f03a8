"""The local-folder backend: each key is a file under one root folder."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from inspection.storage.base import CHUNK
from inspection.storage.base import NotStored
from inspection.storage.base import StorageUnavailable
from inspection.storage.base import Stored
from inspection.storage.base import check_key


class LocalStorage:
    """Objects as files under `root`, written atomically (a temporary file, then a rename)."""

    name = "local"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """The file of a key (only the storage package's own serving uses it)."""
        return self.root / check_key(key)

    def put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise NotStored(key) from None

    def stream(self, key: str, chunk: int = CHUNK) -> Iterator[bytes]:
        try:
            handle = self.path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError):
            raise NotStored(key) from None

        def pieces() -> Iterator[bytes]:
            with handle:
                while piece := handle.read(chunk):
                    yield piece

        return pieces()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            raise NotStored(key) from None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def list(self, prefix: str = "") -> Iterator[Stored]:
        if not self.root.is_dir():
            return iter(())
        found = []
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                if name.startswith(".incoming-"):
                    continue
                path = Path(folder) / name
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    found.append(Stored(key, path.stat().st_size))
        return iter(sorted(found, key=lambda stored: stored.key))

    def presigned_url(self, key, *, content_type, filename, attachment, seconds) -> None:
        return None

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.root, prefix=".incoming-health-")
            os.close(fd)
            Path(temp).unlink()
        except OSError as error:
            raise StorageUnavailable(
                f"the files folder {self.root} is not writable: {error}"
            ) from error
