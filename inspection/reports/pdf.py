"""Rendering documents to PDF with WeasyPrint, fetching only what we serve ourselves (see
`fetcher.py`)."""

from __future__ import annotations

import re

from flask import current_app
from flask import render_template
from flask_babel import gettext as _
from markupsafe import Markup

from inspection.storage import ContentStore
from inspection.storage import content
from inspection.verification.services import Stamp

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
    # WeasyPrint is imported here, not with this module: it takes about half a second, which
    # every process would pay at start whether or not it makes a document.
    from weasyprint import HTML

    from inspection.reports.fetcher import DocumentFetcher

    fetcher = DocumentFetcher(current_app.static_folder, content(), charts)
    document = HTML(string=html, base_url="static:/", url_fetcher=fetcher).render()
    return document.write_pdf(), len(document.pages)
