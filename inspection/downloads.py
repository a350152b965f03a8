"""What every download shares: cells that a spreadsheet never runs as a formula, and file
names that keep their Chinese in every browser (RFC 6266 / RFC 5987 `filename*`)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from collections.abc import Iterator
from urllib.parse import quote

# A cell starting with one of these is read as a formula (or DDE command) by Excel, WPS and
# LibreOffice when a CSV is opened; a leading apostrophe makes it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: object) -> object:
    """Text that a spreadsheet shows as typed; numbers and empty values pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable[object]], *, bom: bool = True) -> Iterator[str]:
    """CSV a line at a time, every cell neutralised (with a BOM so Excel reads the Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    first = True
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(value) for value in row])
        text = buffer.getvalue()
        if first and bom:
            text = "\ufeff" + text
        first = False
        yield text


def text_cell(sheet, value: object, **style):
    """A write-only Excel cell holding `value`; text is stored as text, never as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl takes any string starting with "=" for a formula; force a plain string.
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The Content-Disposition header for `filename`: an ASCII fallback for old clients and
    the UTF-8 name in `filename*`, which every current browser keeps."""
    kind = "inline" if inline else "attachment"
    stem, dot, ext = filename.rpartition(".")
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "-", stem if dot else filename).strip("-._")
    fallback = (fallback or "download") + (f".{ext}" if dot and ext.isascii() else "")
    encoded = quote(filename, safe="")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def file_name(text: str) -> str:
    """A document's name made safe to save: no path separators or control characters."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "-", text).strip(" .-")
    return cleaned or "download"
