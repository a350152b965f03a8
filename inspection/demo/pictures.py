"""Generated stand-ins for what people photograph, sign and scan in the demo."""

from __future__ import annotations

import io
import random

from PIL import Image
from PIL import ImageDraw

from inspection.evidence.photos import CheckedPhoto
from inspection.evidence.photos import check_photo


def photo(rng: random.Random, label: str, after: bool) -> bytes:
    """A small generated site photo, distinct for each hazard."""
    width, height = 960, 720
    hue = rng.randrange(60, 200)
    base = (hue, 120 + rng.randrange(60), 90) if not after else (70, 150 + rng.randrange(60), 110)
    image = Image.new("RGB", (width, height), base)
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(60, 320), rng.randrange(40, 240)
        shade = tuple(max(0, min(255, c + rng.randrange(-70, 70))) for c in base)
        draw.rectangle((x, y, x + w, y + h), fill=shade)
    draw.rectangle((0, height - 70, width, height), fill=(30, 30, 30))
    draw.text((24, height - 52), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def checked(data: bytes, name: str) -> CheckedPhoto:
    """A generated photo as an upload that passed the checks."""
    return check_photo(data, name, max_bytes=20 * 1024 * 1024, max_pixels=60_000_000)


def signature(rng: random.Random) -> bytes:
    """A scribble standing in for a handwritten signature."""
    image = Image.new("RGBA", (480, 180), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(30 + i * 42, 90 + rng.randrange(-55, 55)) for i in range(11)]
    draw.line(points, fill=(16, 24, 40, 255), width=5, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def plan_pdf() -> bytes:
    """A one-page PDF standing in for a scanned rectification plan."""
    out = io.BytesIO()
    Image.new("RGB", (595, 842), "white").save(out, "PDF")
    return out.getvalue()
