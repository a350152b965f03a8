"""What WeasyPrint may fetch while it lays out one of our documents.

The fetcher knows three schemes: `static:` (our stylesheet and images), `photo:` (stored photos
by hash and size) and `chart:` (the document's own SVG charts, by name). Anything else —
`file://`, `http(s)://`, a URL a user typed — is refused, so a document can never read the
server's files or reach the network.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from pathlib import Path

from weasyprint.urls import URLFetcher
from weasyprint.urls import URLFetcherResponse

from inspection.storage import ContentStore
from inspection.storage import NotStored

log = logging.getLogger(__name__)

PHOTO_VARIANTS = re.compile(r"^(display|thumb|print|original|wm\d+)$")


class DocumentFetcher(URLFetcher):
    """Serve `static:`, `photo:` and `chart:` resources; refuse every other URL."""

    def __init__(
        self, static_folder: str, store: ContentStore, charts: dict[str, str] | None = None
    ) -> None:
        super().__init__(allowed_protocols=("static", "photo", "chart"))
        self.static_root = Path(static_folder).resolve()
        self.storage = store
        self.charts = charts or {}

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        scheme, _, rest = url.partition(":")
        if scheme == "static":
            path = (self.static_root / rest.lstrip("/")).resolve()
            if self.static_root not in path.parents or not path.is_file():
                raise ValueError(f"no such static file: {rest}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
        if scheme == "photo":
            sha256, _, variant = rest.partition("/")
            if not PHOTO_VARIANTS.match(variant) or not sha256.isalnum():
                raise ValueError(f"bad photo reference: {rest}")
            try:
                data = self.storage.read(sha256, variant)
            except NotStored:
                raise ValueError(f"photo not stored: {rest}") from None
            return URLFetcherResponse(url, data, {"Content-Type": "image/jpeg"})
        if scheme == "chart":
            if rest not in self.charts:
                raise ValueError(f"no such chart: {rest[:40]}")
            return URLFetcherResponse(
                url, self.charts[rest].encode(), {"Content-Type": "image/svg+xml"}
            )
        log.warning("refused to fetch %s while rendering a PDF", url[:200])
        raise ValueError(f"refused: {url[:200]}")
