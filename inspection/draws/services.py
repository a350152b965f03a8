"""Writes of the published item list (一单) and the two directories (两库)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.draws.models import Conflict
from inspection.draws.models import CreditClass
from inspection.draws.models import DrawItem
from inspection.draws.models import ItemMethod
from inspection.draws.models import Officer
from inspection.enterprises.models import Enterprise
from inspection.enterprises.services import read_rows
from inspection.errors import DomainError
from inspection.parks.models import Park

CREDIT_CLASSES = ("A", "B", "C", "D")


@dataclass
class ItemInput:
    """What an inspection item says."""

    code: str
    title: str
    legal_basis: str
    content: str
    applies_to: str
    method: str
    body: str
    checklist_ids: list[int]


def save_item(
    session: Session, *, park: Park, actor: User, values: ItemInput, replaces: DrawItem | None
) -> DrawItem:
    """A new item, or a new draft version of `replaces`; a published version is never edited."""
    code = values.code.strip()
    if not code:
        raise DomainError(_("Give the item a code, e.g. AQ-001."))
    for text, message in (
        (values.title, _("Say what the item inspects, e.g. 安全生产主体责任落实情况.")),
        (values.legal_basis, _("Give the item's legal basis: the law and the article.")),
        (values.content, _("Describe what is inspected.")),
        (values.applies_to, _("Say which enterprises the item applies to.")),
        (values.body, _("Name the body that carries the item out.")),
    ):
        if not (text or "").strip():
            raise DomainError(message)
    if values.method not in set(ItemMethod):
        raise DomainError(_("Choose how the item is checked."))
    same_code = session.exec(
        select(DrawItem).where(DrawItem.park_id == park.id, DrawItem.code == code)
    ).all()
    if replaces is None and same_code:
        raise DomainError(
            _("Item %(code)s already exists. Open it and make a new version.", code=code)
        )
    if replaces is not None:
        if replaces.code != code:
            raise DomainError(_("A new version keeps the item's code."))
        drafts = [i for i in same_code if not i.published and i.id != replaces.id]
        if drafts or (not replaces.published and replaces.superseded):
            raise DomainError(_("This item already has a newer draft. Edit that one."))
    version = max((i.version for i in same_code), default=0) + 1
    if replaces is not None and not replaces.published:
        item = replaces  # a draft is edited in place
    else:
        item = DrawItem(park_id=park.id, code=code, version=version, created_by_id=actor.id)
    item.title = values.title.strip()
    item.legal_basis = values.legal_basis.strip()
    item.content = values.content.strip()
    item.applies_to = values.applies_to.strip()
    item.method = values.method
    item.body = values.body.strip()
    item.checklist_ids = json.dumps(sorted(set(values.checklist_ids)))
    session.add(item)
    session.flush()
    return item


def publish_item(session: Session, *, item: DrawItem, on: date | None = None) -> DrawItem:
    """Publish a draft version; it replaces the item's earlier versions in new tasks."""
    if item.published:
        raise DomainError(_("This version was published on %(day)s.", day=item.published_on))
    item.published_on = on or clock.today()
    for older in session.exec(
        select(DrawItem).where(
            DrawItem.park_id == item.park_id,
            DrawItem.code == item.code,
            DrawItem.id != item.id,
        )
    ):
        older.superseded = True
        session.add(older)
    session.add(item)
    session.flush()
    return item


@dataclass
class OfficerInput:
    """An officer's (or expert's) directory entry."""

    name: str
    certificate_no: str
    valid_from: date | None
    valid_until: date | None
    specialty: str | None
    team: str | None
    expert: bool
    user_id: int | None


def save_officer(
    session: Session, *, park: Park, values: OfficerInput, officer: Officer | None = None
) -> Officer:
    """Add an officer or expert to the directory, or correct one."""
    name = values.name.strip()
    certificate = values.certificate_no.strip()
    if not name:
        raise DomainError(_("Give the officer's name."))
    if not certificate:
        raise DomainError(_("Give the enforcement certificate number (执法证号)."))
    if values.valid_from is None or values.valid_until is None:
        raise DomainError(_("Give the dates the certificate is valid from and until."))
    if values.valid_until < values.valid_from:
        raise DomainError(_("The certificate cannot expire before it is issued."))
    taken = session.exec(
        select(Officer).where(Officer.park_id == park.id, Officer.certificate_no == certificate)
    ).first()
    if taken is not None and taken is not officer:
        raise DomainError(
            _(
                "Certificate %(number)s is already in the directory (%(name)s).",
                number=certificate,
                name=taken.name,
            )
        )
    if values.user_id is not None:
        user = session.get(User, values.user_id)
        if user is None or user.role != Role.INSPECTOR or user.park_id != park.id:
            raise DomainError(_("Link the officer to an inspector account of this park."))
        if user.third_party:
            raise DomainError(
                _(
                    "A third-party service firm's staff may not carry out administrative"
                    " inspections, so they cannot be in the officer directory."
                )
            )
    elif not values.expert:
        raise DomainError(
            _("Link the officer to their inspector account, so that a drawn team can inspect.")
        )
    if officer is None:
        officer = Officer(
            park_id=park.id,
            name=name,
            certificate_no=certificate,
            valid_from=values.valid_from,
            valid_until=values.valid_until,
        )
    else:
        officer.version += 1
    officer.name = name
    officer.certificate_no = certificate
    officer.valid_from = values.valid_from
    officer.valid_until = values.valid_until
    officer.specialty = (values.specialty or "").strip() or None
    officer.team = (values.team or "").strip() or None
    officer.expert = values.expert
    officer.user_id = values.user_id
    session.add(officer)
    session.flush()
    return officer


def declare_conflict(
    session: Session, *, officer: Officer, enterprise: Enterprise, reason: str, actor: User
) -> Conflict:
    """回避: record that an officer must not inspect an enterprise, and why."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the officer must withdraw, e.g. 近亲属在该企业任职."))
    if enterprise.park_id != officer.park_id:
        raise DomainError(_("The enterprise is not in the officer's park."))
    existing = session.exec(
        select(Conflict).where(
            Conflict.officer_id == officer.id, Conflict.enterprise_id == enterprise.id
        )
    ).first()
    if existing is not None:
        raise DomainError(_("This conflict is already declared."))
    conflict = Conflict(
        park_id=officer.park_id,
        enterprise_id=enterprise.id,
        officer_id=officer.id,
        reason=reason,
        declared_by_id=actor.id,
    )
    session.add(conflict)
    session.flush()
    return conflict


@dataclass
class CreditImport:
    """What an import of credit classes did."""

    imported: int
    problems: list[str]


def import_credit_classes(
    session: Session, *, park: Park, filename: str, data: bytes, source: str | None
) -> CreditImport:
    """Import credit classes from a CSV or Excel file with 统一社会信用代码 and 信用风险分类; a
    file with any bad row imports nothing, and every bad row is named."""
    rows = [row for row in read_rows(filename, data) if any(cell.strip() for cell in row)]
    if not rows:
        raise DomainError(_("The file is empty."))
    by_code = {
        e.credit_code: e
        for e in session.exec(select(Enterprise).where(Enterprise.park_id == park.id))
    }
    problems, found = [], []
    start = 1 if rows[0] and not rows[0][0].strip()[:1].isalnum() or "代码" in rows[0][0] else 0
    for number, row in enumerate(rows[start:], start=start + 1):
        code = row[0].strip().upper() if row else ""
        grade = row[1].strip().upper() if len(row) > 1 else ""
        enterprise = by_code.get(code)
        if enterprise is None:
            problems.append(
                _(
                    "Row %(row)s: no enterprise of this park has credit code %(code)s.",
                    row=number,
                    code=code or "—",
                )
            )
        elif grade not in CREDIT_CLASSES:
            problems.append(
                _(
                    "Row %(row)s: the credit class must be A, B, C or D, not %(value)s.",
                    row=number,
                    value=grade or "—",
                )
            )
        else:
            found.append((enterprise, grade))
    if problems:
        return CreditImport(imported=0, problems=problems)
    existing = {
        c.enterprise_id: c
        for c in session.exec(select(CreditClass).where(CreditClass.park_id == park.id))
    }
    now = clock.now()
    for enterprise, grade in found:
        row = existing.get(enterprise.id) or CreditClass(
            park_id=park.id, enterprise_id=enterprise.id, credit_class=grade
        )
        row.credit_class = grade
        row.source = (source or "").strip() or None
        row.imported_at = now
        session.add(row)
    session.flush()
    return CreditImport(imported=len(found), problems=[])
