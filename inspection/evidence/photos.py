"""Checking uploaded photos and making their display sizes.

The bytes decide what a file is, not its name: only what Pillow decodes as JPEG, PNG or WebP is
accepted, within a size and a pixel limit (decompression bombs are refused before decoding).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from PIL import Image
from PIL import ImageOps
from PIL import UnidentifiedImageError

from inspection import clock
from inspection.errors import DomainError

ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 36867


class PhotoRejected(DomainError):
    """An upload that is not an acceptable photo; the message names the file and the fix."""

    status = 422
    code = "photo_refused"


@dataclass
class CheckedPhoto:
    """A photo that passed the checks, with what we learnt from it."""

    data: bytes
    filename: str
    content_type: str
    width: int
    height: int
    taken_at: datetime | None
    latitude: float | None
    longitude: float | None


def check_photo(data: bytes, filename: str, *, max_bytes: int, max_pixels: int) -> CheckedPhoto:
    """Decode and check one upload, or raise PhotoRejected saying why."""
    name = filename or _("the photo")
    if not data:
        raise PhotoRejected(_("%(name)s is empty. Take or choose the photo again.", name=name))
    if len(data) > max_bytes:
        raise PhotoRejected(
            _(
                "%(name)s is %(size)s MB; a photo may be at most %(limit)s MB. Take it again at"
                " a lower resolution.",
                name=name,
                size=round(len(data) / 1024 / 1024, 1),
                limit=max_bytes // (1024 * 1024),
            )
        )
    not_a_photo = _(
        "%(name)s is not a JPEG, PNG or WebP photo (its content was checked, not its name)."
        " Choose a photo taken with a camera.",
        name=name,
    )
    too_many_pixels = _(
        "%(name)s has more than %(limit)s million pixels, which is more than any camera photo"
        " needs. Take it again at a lower resolution.",
        name=name,
        limit=round(max_pixels / 1e6),
    )
    with warnings.catch_warnings():
        # Pillow warns, then refuses, past its own limit: treat both as the bomb they may be.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise PhotoRejected(too_many_pixels) from error
        except (UnidentifiedImageError, OSError, ValueError) as error:
            raise PhotoRejected(not_a_photo) from error
        with image:
            width, height = image.size
            if width * height > max_pixels:
                raise PhotoRejected(too_many_pixels)
            try:
                image.load()
            except (OSError, ValueError, Image.DecompressionBombError) as error:
                raise PhotoRejected(
                    _("%(name)s is damaged or incomplete. Upload it again.", name=name)
                ) from error
            taken_at, latitude, longitude = _exif_facts(image)
            fmt = image.format or ""
    return CheckedPhoto(
        data=data,
        filename=filename[:255],
        content_type=ACCEPTED_FORMATS[fmt],
        width=width,
        height=height,
        taken_at=taken_at,
        latitude=latitude,
        longitude=longitude,
    )


def _exif_facts(image: Image.Image) -> tuple[datetime | None, float | None, float | None]:
    """Capture time (park-local) and GPS position from EXIF, where the camera wrote them."""
    try:
        exif = image.getexif()
    except Exception:  # damaged EXIF must not reject an otherwise good photo
        return None, None, None
    taken_at = None
    raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL)
    if isinstance(raw, str):
        try:
            naive = datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
            taken_at = naive.replace(tzinfo=clock.local_zone())
        except ValueError:
            taken_at = None
    gps = exif.get_ifd(GPS_IFD)
    latitude = _degrees(gps.get(2), gps.get(1), "S")
    longitude = _degrees(gps.get(4), gps.get(3), "W")
    return taken_at, latitude, longitude


def _degrees(value, ref, negative: str) -> float | None:
    try:
        d, m, s = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    return round(-result if ref == negative else result, 7)


def derivative(data: bytes, long_side: int) -> bytes:
    """A JPEG no longer than `long_side`, turned upright by its EXIF orientation."""
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        if upright.mode not in ("RGB", "L"):
            background = Image.new("RGB", upright.size, "white")
            rgba = upright.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            upright = background
        upright.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        upright.convert("RGB").save(out, "JPEG", quality=82, optimize=True, progressive=True)
        return out.getvalue()
