"""The export as an Excel sheet headed by the interface's column names (the 导入模板 several
regional platforms accept), with a second sheet saying what each column means.

Photos do not go in a sheet; the JSON export carries them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from inspection.downloads import text_cell
from inspection.national.services import ATTACHMENTS
from inspection.national.services import fields
from inspection.national.services import required_fields

SHEET = "sec_hidden_danger_info"
LEGEND = "字段说明"


def columns() -> list[str]:
    """The sheet's columns: every field of the record but the photos."""
    photos = {name for name, _kind in ATTACHMENTS}
    return [name for name, _title in fields() if name not in photos]


def xlsx_bytes(records: Iterable[dict]) -> bytes:
    """The records as a workbook: one row each, in the interface's columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    names = columns()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=SHEET)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([text_cell(sheet, name, font=bold) for name in names])
    for values in records:
        sheet.append([text_cell(sheet, values.get(name, "")) for name in names])
    legend = workbook.create_sheet(title=LEGEND)
    required = set(required_fields())
    legend.append([text_cell(legend, t, font=bold) for t in ("字段", "含义", "必填")])
    for name, title in fields():
        if name in names:
            legend.append(
                [text_cell(legend, v) for v in (name, title, "是" if name in required else "")]
            )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
