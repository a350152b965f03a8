"""Rendering documents to PDF with WeasyPrint, fetching only what we serve ourselves.

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

from flask import current_app
from flask import render_template
from flask_babel import gettext as _
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher
from weasyprint.urls import URLFetcherResponse

from inspection.storage import ContentStore
from inspection.storage import NotStored
from inspection.storage import content
from inspection.verification.services import Stamp

log = logging.getLogger(__name__)

PHOTO_VARIANTS = re.compile(r"^(display|thumb|print|original|wm\d+)$")
# Photos in reports are printed about 55 mm wide: 800 px is sharp there and keeps a report with
# many photos light to lay out.
PRINT_SIZE = 800


def print_copy(storage: ContentStore, sha256: str) -> str:
    """Make (once) the print-size copy of a stored photo; return its variant name."""
    if not storage.exists(sha256, "print"):
        from inspection.evidence.photos import derivative

        # From the display copy (1600 px) when there is one: far less to decode than a
        # 12-megapixel original, and just as sharp at 800 px.
        source = "display" if storage.exists(sha256, "display") else "original"
        original = storage.read(sha256, source)
        storage.put_variant(sha256, "print", derivative(original, PRINT_SIZE))
    return "print"


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


def page_footer_css() -> Markup:
    """The footer "Page N of M" in the document's language, as a CSS @page rule."""
    text = _("Page %(page)s of %(pages)s")

    def quoted(part: str) -> str:
        return '"' + part.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"'

    pieces = []
    for part in re.split(r"(%\((?:page|pages)\)s)", text):
        if part == "%(page)s":
            pieces.append("counter(page)")
        elif part == "%(pages)s":
            pieces.append("counter(pages)")
        elif part:
            pieces.append(quoted(part))
    # Safe: every piece of text is a CSS string with quotes, backslashes and "<" escaped.
    return Markup(f"@page {{ @bottom-center {{ content: {' '.join(pieces)}; }} }}")  # noqa: S704


def render_pdf(template: str, verification: Stamp | None = None, **context) -> bytes:
    """Render a template (extending reports/base.html) to PDF bytes."""
    return render_document(template, verification, **context)[0]


def render_document(
    template: str, verification: Stamp | None = None, **context
) -> tuple[bytes, int]:
    """Render a template to PDF bytes and say how many pages it has. A `charts` mapping in the
    context is what the document's `chart:` images show; a `verification` stamp prints its QR
    code and short code (扫码验真) at the end of the document."""
    charts = dict(context.pop("charts", None) or {})
    if verification is not None:
        charts["verification-qr"] = verification.svg
    html = render_template(
        template,
        page_footer_css=page_footer_css,
        verification=verification,
        charts=charts,
        **context,
    )
    fetcher = DocumentFetcher(current_app.static_folder, content(), charts)
    document = HTML(string=html, base_url="static:/", url_fetcher=fetcher).render()
    return document.write_pdf(), len(document.pages)
