"""The hazard ledger (隐患台账) as CSV or Excel with Chinese headings, written row by row.

Rows come from the database a batch at a time and go out as they are written, so a 100,000-row
export uses about as much memory as a 1,000-row one: CSV is streamed line by line, and Excel is
written by openpyxl's write-only mode to a temporary file that is then streamed.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterable
from collections.abc import Iterator
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from inspection import clock
from inspection import labels
from inspection.db import get_session
from inspection.downloads import csv_text
from inspection.downloads import file_name
from inspection.downloads import text_cell
from inspection.hazards.models import Hazard

COLUMNS = (
    ("number", _l("Number")),
    ("enterprise", _l("Enterprise")),
    ("title", _l("Hazard title")),
    ("level", _l("Level")),
    ("category", _l("Category")),
    ("location", _l("Location")),
    ("source", _l("Source")),
    ("state", _l("State")),
    ("found_at", _l("Found")),
    ("deadline", _l("Deadline")),
    ("original_deadline", _l("Original deadline")),
    ("overdue", _l("Overdue")),
    ("basis", _l("Legal basis")),
    ("responsible_person", _l("Person responsible")),
    ("funding_yuan", _l("Funding spent (yuan)")),
    ("closed_at", _l("Closed")),
)


def _row_maker(today):
    """A function making one ledger row; the labels are translated once per export, not once
    per cell (a 100,000-row ledger would otherwise look each up 500,000 times)."""
    level = labels.level_labeller()
    category = {code: str(name) for code, name in labels.HAZARD_CATEGORIES.items()}
    source = {code: str(name) for code, name in labels.INSPECTION_TYPES.items()}
    state = {code: str(name) for code, name in labels.HAZARD_STATES.items()}
    yes = _("Yes")

    def row(hazard: Hazard, enterprise_name: str) -> list[str]:
        return [
            hazard.number,
            enterprise_name,
            hazard.title,
            level(hazard.level, hazard.basis),
            category.get(hazard.category, hazard.category or ""),
            hazard.location or "",
            source.get(hazard.source, hazard.source or ""),
            state.get(hazard.state, hazard.state),
            clock.local(hazard.found_at).strftime("%Y-%m-%d %H:%M"),
            hazard.deadline.isoformat() if hazard.deadline else "",
            hazard.original_deadline.isoformat() if hazard.original_deadline else "",
            yes if hazard.is_overdue(today) else "",
            hazard.basis or "",
            hazard.responsible_person or "",
            "" if hazard.funding_yuan is None else str(hazard.funding_yuan),
            clock.local(hazard.closed_at).strftime("%Y-%m-%d %H:%M") if hazard.closed_at else "",
        ]

    return row


def csv_lines(rows: Iterable[tuple[Hazard, str]]) -> Iterator[str]:
    """Yield the CSV text a line at a time (with a BOM so Excel reads the Chinese); typed text
    that looks like a formula is written as text."""
    row = _row_maker(clock.today())
    yield from csv_text(
        itertools.chain(
            [[str(heading) for _key, heading in COLUMNS]],
            (row(hazard, name) for hazard, name in rows),
        )
    )


def file_title(filters) -> str:
    """The ledger's file name: 隐患台账-2026年11月 when the filter is one calendar month,
    else the date range found, else today's date."""
    title = _("Hazard ledger")
    start = getattr(filters, "found_from", None)
    end = getattr(filters, "found_to", None)
    whole_month = (
        start is not None
        and end is not None
        and start.day == 1
        and (end + timedelta(days=1)).day == 1
        and (start.year, start.month) == (end.year, end.month)
    )
    if whole_month:
        month = _("%(year)d-%(month)02d", year=start.year, month=start.month)
        return file_name(f"{title}-{month}")
    if start or end:
        span = f"{start.isoformat() if start else ''}~{end.isoformat() if end else ''}"
        return file_name(f"{title}-{span}")
    return file_name(f"{title}-{clock.today().isoformat()}")


def rows_for(stmt, *, batch: int = 1000) -> Iterator[tuple[Hazard, str]]:
    """Stream (hazard, enterprise name) rows from a select, `batch` at a time.

    Meant to run inside `stream_with_context`: the session is the streaming context's own, taken
    when the first row is wanted and closed with that context. (The view's session is closed as
    soon as the view returns; reading through it afterwards would open a transaction that nobody
    ends, holding its locks until the connection is collected.)"""
    session = get_session()
    for hazard, name in session.execute(stmt.execution_options(yield_per=batch)):
        yield hazard, name
        session.expunge(hazard)


def xlsx_chunks(rows: Iterable[tuple[Hazard, str]], *, title: str) -> Iterator[bytes]:
    """Write the ledger as an Excel workbook (write-only: flat memory) and yield its bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    row = _row_maker(clock.today())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    widths = (20, 28, 36, 12, 10, 16, 12, 14, 17, 12, 12, 8, 30, 12, 12, 17)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([text_cell(sheet, str(heading), font=bold) for _key, heading in COLUMNS])
    for hazard, enterprise_name in rows:
        values: list = row(hazard, enterprise_name)
        if hazard.funding_yuan is not None:
            values[14] = hazard.funding_yuan
        sheet.append([text_cell(sheet, value) for value in values])
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while chunk := out.read(64 * 1024):
            yield chunk
