"""The security log as CSV or Excel, and the names shown beside its events."""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Iterator
from urllib.parse import urlencode

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection import labels
from inspection.db import get_session
from inspection.downloads import csv_text
from inspection.downloads import file_name
from inspection.downloads import text_cell
from inspection.parks.models import Park
from inspection.parks.models import Region
from inspection.security.queries import LogFilters

COLUMNS = (
    _l("Time"),
    _l("Event"),
    _l("Outcome"),
    _l("User name"),
    _l("Park or region"),
    _l("Address"),
    _l("Browser or device"),
    _l("What exactly"),
    _l("Step"),
    _l("Hash"),
)


class Names:
    """The names of the parks and regions the shown events belong to (one query each)."""

    def __init__(self, session: Session, events) -> None:
        park_ids = {e.park_id for e in events if e.park_id}
        region_ids = {e.region_id for e in events if e.region_id}
        self.parks = (
            dict(session.exec(select(Park.id, Park.name).where(Park.id.in_(park_ids))).all())
            if park_ids
            else {}
        )
        self.regions = (
            dict(
                session.exec(select(Region.id, Region.name).where(Region.id.in_(region_ids))).all()
            )
            if region_ids
            else {}
        )

    def home(self, event) -> str:
        """Where the event belongs, in words."""
        if event.park_id:
            return self.parks.get(event.park_id, "")
        if event.region_id:
            return self.regions.get(event.region_id, "")
        return _("Whole system")


def details(event) -> str:
    """The event's details as `name: value` text in the reader's language."""
    data = json.loads(event.data or "{}")
    return "；".join(
        f"{labels.label(labels.SECURITY_DETAILS, key)}: {_text(key, value)}"
        for key, value in sorted(data.items())
        if value not in (None, "", [], {}) and key not in ("needs", "user_id")
    )


def _text(key: str, value) -> str:
    if isinstance(value, bool):
        return str(labels.YES_NO[value])
    if isinstance(value, str) and key in ("what", "by", "reason", "setting", "via"):
        return labels.label(labels.SECURITY_DETAIL_VALUES, value)
    if key == "fields" and isinstance(value, list):
        return "、".join(labels.label(labels.SECURITY_DETAIL_VALUES, v) for v in value)
    if key == "changes" and isinstance(value, dict):
        return "、".join(
            _change(name, pair) for name, pair in value.items() if not name.endswith("_id")
        )
    if key == "filters" and isinstance(value, dict):
        return urlencode(value)  # as in the address the export was made from
    if key == "results" and isinstance(value, dict):
        return "、".join(f"{labels.label(labels.SYNC_OUTCOMES, k)} {n}" for k, n in value.items())
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


def _change(name: str, pair) -> str:
    """One change, `name: before → after`, with roles and yes/no in words."""
    old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)

    def shown(value) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return str(labels.YES_NO[value])
        if name == "role":
            return labels.label(labels.ROLES, value)
        return (
            json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
        )

    return f"{labels.label(labels.SECURITY_DETAIL_VALUES, name)}: {shown(old)} → {shown(new)}"


def _rows(stmt, batch: int = 1000) -> Iterator[list]:
    session = get_session()
    offset = 0
    while events := session.exec(stmt.offset(offset).limit(batch)).all():
        names = Names(session, events)
        for event in events:
            yield [
                clock.local(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                labels.label(labels.SECURITY_EVENTS, event.kind),
                labels.label(labels.SECURITY_OUTCOMES, event.outcome),
                event.username or "",
                names.home(event),
                event.ip or "",
                event.user_agent or "",
                details(event),
                event.seq,
                event.hash,
            ]
        offset += batch


def csv_lines(stmt) -> Iterator[str]:
    """The log as CSV text a line at a time; every typed value stays text."""
    yield from csv_text(itertools.chain([[str(c) for c in COLUMNS]], _rows(stmt)))


def xlsx_chunks(stmt) -> Iterator[bytes]:
    """The log as an Excel workbook (write-only), its bytes a chunk at a time."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Security log")[:31])
    bold = Font(bold=True)
    sheet.append([text_cell(sheet, str(c), font=bold) for c in COLUMNS])
    for row in _rows(stmt):
        sheet.append([text_cell(sheet, value) for value in row])
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while chunk := out.read(64 * 1024):
            yield chunk


def file_title(filters: LogFilters) -> str:
    """The download's name: 安全审计日志-2026-12-03 (the filter's dates when given)."""
    day_from = filters.day_from.isoformat() if filters.day_from else ""
    day_to = filters.day_to.isoformat() if filters.day_to else clock.today().isoformat()
    span = f"{day_from}~{day_to}" if day_from else day_to
    return file_name(f"{_('Security log')}-{span}")
