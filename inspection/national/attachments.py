"""Photos as the interface takes them: a data URL of a JPEG or PNG, each under 5 MB.

A stored JPEG or PNG small enough goes as it is; anything else is re-encoded as a JPEG (turned
upright), smaller and smaller on its long side until it fits.
"""

from __future__ import annotations

import base64

from inspection.evidence.photos import derivative

# The interface's limit on one attachment; the whole data URL is kept under it.
LIMIT = 5 * 1024 * 1024
SENT_AS_IS = ("image/jpeg", "image/png")
LONG_SIDES = (4096, 3200, 2560, 2048, 1600, 1280, 1024, 800)


def data_url(data: bytes, content_type: str, *, limit: int = LIMIT) -> str:
    """The photo as `data:image/...;base64,...`, shorter than `limit` characters."""
    if content_type in SENT_AS_IS:
        url = _url(data, content_type)
        if len(url) < limit:
            return url
    for side in LONG_SIDES:
        url = _url(derivative(data, side), "image/jpeg")
        if len(url) < limit:
            return url
    raise ValueError("the photo does not fit the interface's limit even at 800 pixels")


def _url(data: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"
