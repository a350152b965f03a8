"""Short verification codes for printed documents, their QR codes, and looking them up.

A code names the kind of document and its row, sealed with an HMAC of the app's secret, e.g.
`N7K-4QZ2M8XA`. Nothing is stored: a code that was not made here (typed wrong, altered, or
forged) fails the seal and is simply not known. Keep SECRET_KEY stable, or printed codes stop
verifying.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
from dataclasses import dataclass
from datetime import date
from datetime import datetime

import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from inspection import labels
from inspection.assignments.lifecycle import CASE_STATES
from inspection.assignments.models import AssignedCase
from inspection.auth.models import User
from inspection.hazards import notice_terms
from inspection.hazards.models import Notice
from inspection.inspections.models import Inspection
from inspection.parks.models import Park
from inspection.parks.models import Region
from inspection.reports.models import JobStatus
from inspection.reports.models import ReportJob

NOTICE, RECORD, REPORT, CASE = "N", "R", "P", "C"
KINDS = {
    NOTICE: _l("Rectification notice"),
    RECORD: _l("Inspection record"),
    REPORT: _l("Report"),
    CASE: _l("Case file"),
}
SEAL_LENGTH = 8
CODE = re.compile(r"^([NRPC])([0-9A-Z]{1,10})-([A-Z2-7]{8})$")


def _base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def _seal(body: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = hashlib.sha256(b"document-verification:" + secret).digest()
    mac = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return base64.b32encode(mac).decode()[:SEAL_LENGTH]


def code_for(kind: str, row_id: int) -> str:
    """The short code printed on a document of this kind and row."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    body = f"{kind}{_base36(row_id)}"
    return f"{body}-{_seal(body)}"


def parse(code: str) -> tuple[str, int] | None:
    """The kind and row a genuine code names; None for anything altered or made up."""
    match = CODE.match((code or "").strip().upper())
    if match is None:
        return None
    kind, number, seal = match.groups()
    if not hmac.compare_digest(seal, _seal(kind + number)):
        return None
    return kind, int(number, 36)


def url_of(code: str) -> str:
    """The public verification page of a code, as printed in its QR code."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/v/{code}"


@dataclass(frozen=True)
class Stamp:
    """What a document prints to be verifiable: the code, its URL and the QR code as SVG."""

    code: str
    url: str
    svg: str


def stamp(kind: str, row_id: int) -> Stamp:
    code = code_for(kind, row_id)
    url = url_of(code)
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    svg = out.getvalue().decode()
    return Stamp(code=code, url=url, svg=svg)


@dataclass(frozen=True)
class Verified:
    """The little a public page says about a genuine document, and nothing more."""

    kind: str
    number: str
    issuer: str
    issued_on: date | datetime | None
    status: str


def _issuer(park: Park | None) -> str:
    if park is None:
        return ""
    return park.authority or park.name


def lookup(session: Session, code: str) -> Verified | None:
    """The public facts of the document a code names, or None if it is not known."""
    parsed = parse(code)
    if parsed is None:
        return None
    kind, row_id = parsed
    code = code.strip().upper()
    if kind == NOTICE:
        notice = session.get(Notice, row_id)
        if notice is None:
            return None
        status = (
            _l("Acknowledged by the enterprise")
            if notice.acknowledged_at
            else _l("Issued, awaiting acknowledgement")
        )
        inspection = session.get(Inspection, notice.inspection_id or 0)
        issuer = session.get(User, notice.issued_by_id)
        title = notice_terms.terms(
            inspection, [], third_party_issuer=bool(issuer and issuer.third_party)
        ).title  # 隐患告知书, 隐患整改通知书 or 责令限期整改指令书, as printed
        return Verified(
            title,
            notice.number,
            _issuer(session.get(Park, notice.park_id)),
            notice.issued_at,
            str(status),
        )
    if kind == RECORD:
        inspection = session.get(Inspection, row_id)
        if inspection is None:
            return None
        return Verified(
            str(KINDS[kind]),
            code,
            _issuer(session.get(Park, inspection.park_id)),
            inspection.started_at or inspection.planned_date,
            labels.label(labels.INSPECTION_STATUSES, inspection.status),
        )
    if kind == REPORT:
        job = session.get(ReportJob, row_id)
        if job is None or job.status != JobStatus.DONE:
            return None
        if job.park_id is not None:
            issuer = _issuer(session.get(Park, job.park_id))
        else:
            region = session.get(Region, job.region_id or 0)
            issuer = region.name if region else ""
        return Verified(str(KINDS[kind]), code, issuer, job.finished_at, str(_l("Issued")))
    case = session.get(AssignedCase, row_id)
    if case is None:
        return None
    return Verified(
        str(KINDS[kind]),
        case.number,
        _issuer(session.get(Park, case.park_id)),
        case.created_at,
        labels.label(CASE_STATES, case.state),
    )
