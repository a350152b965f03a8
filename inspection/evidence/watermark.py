"""A copy of a photo for documents, stamped with the time, the place and the enterprise."""

from __future__ import annotations

import io
import logging

from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont
from PIL import ImageOps

from inspection import clock
from inspection.evidence.models import Photo
from inspection.fonts import cjk_font_file
from inspection.storage import ContentStore

log = logging.getLogger(__name__)


def _font(size: int):
    found = cjk_font_file()
    if found is None:
        log.warning("no CJK font found; watermarks fall back to the default font")
        return ImageFont.load_default(size)
    return ImageFont.truetype(found[0], size, index=found[1])


def variant_name(photo: Photo) -> str:
    """Watermarks name the enterprise and time, so each photo row has its own copy."""
    return f"wm{photo.id}"


def watermarked(store: ContentStore, photo: Photo, enterprise_name: str, place: str | None) -> str:
    """Make (once) the watermarked copy of a photo and return its variant name."""
    variant = variant_name(photo)
    if store.exists(photo.sha256, variant):
        return variant
    moment = clock.local(photo.taken_at or photo.uploaded_at).strftime("%Y-%m-%d %H:%M")
    where = place or ""
    if photo.latitude is not None and photo.longitude is not None:
        where = f"{where} {photo.latitude:.5f},{photo.longitude:.5f}".strip()
    lines = [f"{moment}  {enterprise_name}", where] if where else [f"{moment}  {enterprise_name}"]
    with Image.open(io.BytesIO(store.read(photo.sha256))) as original:
        image = ImageOps.exif_transpose(original).convert("RGB")
    image.thumbnail((1600, 1600))
    size = max(16, image.width // 40)
    font = _font(size)
    band = int(size * 1.5 * len(lines) + size * 0.6)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rectangle((0, image.height - band, image.width, image.height), fill=(0, 0, 0, 150))
    for number, line in enumerate(lines):
        y = image.height - band + int(size * 0.3) + int(number * size * 1.5)
        draw.text((int(size * 0.6), y), line, font=font, fill=(255, 255, 255, 255))
    stamped = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    out = io.BytesIO()
    stamped.save(out, "JPEG", quality=85)
    store.put_variant(photo.sha256, variant, out.getvalue())
    return variant
