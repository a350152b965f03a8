"""Reading the checklist library: the versions, their sections and items, which suit a firm."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import func
from sqlmodel import or_
from sqlmodel import select

from inspection.auth.models import User
from inspection.auth.scope import request_scope
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistSection
from inspection.checklists.models import ChecklistTemplate
from inspection.checklists.models import ChecklistVersion
from inspection.checklists.models import TemplateKind
from inspection.checklists.models import VersionStatus
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError


def visible_templates(user: User):
    """A select of the templates a user may see: the region's shared library and the copies of
    the parks they work in."""
    scope = request_scope(user)
    return select(ChecklistTemplate).where(
        or_(ChecklistTemplate.park_id.is_(None), scope.parks(ChecklistTemplate.park_id))
    )


def get_template(session: Session, user: User, template_id: int) -> ChecklistTemplate | None:
    """One template, if the user may see it."""
    return session.exec(visible_templates(user).where(ChecklistTemplate.id == template_id)).first()


def get_version(session: Session, user: User, version_id: int) -> ChecklistVersion | None:
    """One version, if the user may see its template."""
    version = session.get(ChecklistVersion, version_id)
    if version is None or get_template(session, user, version.template_id) is None:
        return None
    return version


def library_template(session: Session, code: str) -> ChecklistTemplate | None:
    """The shared library's template with this code."""
    return session.exec(
        select(ChecklistTemplate).where(
            ChecklistTemplate.code == code, ChecklistTemplate.park_id.is_(None)
        )
    ).first()


def park_copy(session: Session, template: ChecklistTemplate, park_id: int):
    """A park's copy of a library template, if it has made one."""
    return session.exec(
        select(ChecklistTemplate).where(
            ChecklistTemplate.park_id == park_id, ChecklistTemplate.copied_from_id == template.id
        )
    ).first()


@dataclass
class TemplateRow:
    """One line of the library list."""

    template: ChecklistTemplate
    current: ChecklistVersion | None
    draft: ChecklistVersion | None
    items: int
    unverified: int


def library(session: Session, user: User, *, include_retired: bool = False) -> list[TemplateRow]:
    """Every template the user may see (the shared library and their parks' copies) with its
    current version, draft and item counts."""
    rows = []
    stmt = visible_templates(user).order_by(
        ChecklistTemplate.code, ChecklistTemplate.park_id.is_not(None)
    )
    if not include_retired:
        stmt = stmt.where(ChecklistTemplate.retired.is_(False))
    for template in session.exec(stmt):
        current = latest_published(session, template.id)
        shown = current or draft_of(session, template.id)
        items = unverified = 0
        if shown is not None:
            items, unverified = session.exec(
                select(
                    func.count(ChecklistItem.id),
                    func.count(ChecklistItem.id).filter(ChecklistItem.needs_verification),
                ).where(ChecklistItem.version_id == shown.id)
            ).one()
        rows.append(
            TemplateRow(template, current, draft_of(session, template.id), items, unverified)
        )
    return rows


def versions(session: Session, template_id: int) -> list[ChecklistVersion]:
    """A template's versions, newest first."""
    return list(
        session.exec(
            select(ChecklistVersion)
            .where(ChecklistVersion.template_id == template_id)
            .order_by(ChecklistVersion.number.desc())
        )
    )


@dataclass
class ItemChange:
    """How one item differs between two versions."""

    code: str
    left: ChecklistItem | None
    right: ChecklistItem | None
    fields: list[str]


COMPARED = (
    "text",
    "guidance",
    "basis",
    "answer_type",
    "number_min",
    "number_max",
    "number_unit",
    "choices",
    "fail_choices",
    "photo_on_fail",
    "major",
    "category",
    "hazard_title",
    "deadline_days",
    "points",
    "needs_verification",
    "sources",
)


def compare(session: Session, left: ChecklistVersion, right: ChecklistVersion) -> list[ItemChange]:
    """Items added, removed or changed between two versions, in the right version's order."""

    def items(version: ChecklistVersion) -> dict[str, ChecklistItem]:
        return {
            item.code: item
            for item in session.exec(
                select(ChecklistItem)
                .where(ChecklistItem.version_id == version.id)
                .order_by(ChecklistItem.section_id, ChecklistItem.position)
            )
        }

    old, new = items(left), items(right)
    changes = []
    for code in [*new, *(c for c in old if c not in new)]:
        a, b = old.get(code), new.get(code)
        if a and b:
            fields = [name for name in COMPARED if getattr(a, name) != getattr(b, name)]
            if fields:
                changes.append(ItemChange(code, a, b, fields))
        else:
            changes.append(ItemChange(code, a, b, []))
    return changes


def latest_published(session: Session, template_id: int) -> ChecklistVersion | None:
    """The newest published version of a template that is not retired: the one offered."""
    return session.exec(
        select(ChecklistVersion)
        .where(
            ChecklistVersion.template_id == template_id,
            ChecklistVersion.status == VersionStatus.PUBLISHED,
            ChecklistVersion.retired.is_(False),
        )
        .order_by(ChecklistVersion.number.desc())
        .limit(1)
    ).first()


def applies(rule_json: str | dict, enterprise: Enterprise) -> bool:
    """True when an applies_to rule (empty: everyone) matches the enterprise."""
    rule = json.loads(rule_json) if isinstance(rule_json, str) else rule_json
    if not rule:
        return True
    industries = set(rule.get("industries", []))
    flags = set(rule.get("risk_flags", []))
    industry_ok = bool(industries & {enterprise.industry, enterprise.sector})
    flag_ok = bool(flags & enterprise.risk_flag_codes())
    if rule.get("match", "any") == "all":
        return (industry_ok or not industries) and (flag_ok or not flags)
    return industry_ok or flag_ok


def excluded_reason(version: ChecklistVersion, enterprise: Enterprise) -> str | None:
    """Why the version must not be used at this enterprise (its not_for rule), or None."""
    rule = json.loads(version.not_for or "{}")
    if not rule:
        return None
    industry_hit = set(rule.get("industries", [])) & {enterprise.industry, enterprise.sector}
    flag_hit = set(rule.get("risk_flags", [])) & enterprise.risk_flag_codes()
    return rule.get("reason") or "—" if industry_hit or flag_hit else None


def check_usable(session: Session, version: ChecklistVersion, enterprise: Enterprise) -> None:
    """Refuse a version that is unpublished, retired, another park's, or excluded for this
    enterprise."""
    if version.status != VersionStatus.PUBLISHED:
        raise DomainError(_("Only published checklists can be used in an inspection."))
    template = session.get(ChecklistTemplate, version.template_id)
    if template.park_id not in (None, enterprise.park_id):
        raise DomainError(_("This checklist belongs to another park."))
    current = latest_published(session, version.template_id)
    if current is None or current.id != version.id:
        raise DomainError(
            _(
                "%(title)s (%(standard)s, version %(number)s) is no longer current: inspections"
                " that used it keep it, but new ones use the current version%(current)s.",
                title=version.title,
                standard=version.standard,
                number=version.number,
                current=f"（{current.standard}，{current.number}）" if current else "",
            )
        )
    reason = excluded_reason(version, enterprise)
    if reason is not None:
        raise DomainError(
            _(
                "%(title)s is not used at %(enterprise)s (%(industry)s): %(reason)s",
                title=version.title,
                enterprise=enterprise.name,
                industry=enterprise.industry,
                reason=reason,
            )
        )


def offered_versions(
    session: Session, enterprise: Enterprise
) -> tuple[list[ChecklistVersion], list[ChecklistVersion]]:
    """The current version of each active template: those that suit, then the rest.

    Versions whose not_for rule names the enterprise are not offered at all.
    """
    suited, others = [], []
    templates = list(
        session.exec(
            select(ChecklistTemplate).where(
                ChecklistTemplate.retired.is_(False),
                or_(
                    ChecklistTemplate.park_id.is_(None),
                    ChecklistTemplate.park_id == enterprise.park_id,
                ),
            )
        )
    )
    # A park's published copy of a library checklist is offered instead of the original.
    replaced = set()
    for template in templates:
        if template.copied_from_id and latest_published(session, template.id) is not None:
            replaced.add(template.copied_from_id)
    for template in templates:
        if template.id in replaced:
            continue
        version = latest_published(session, template.id)
        if version is None or excluded_reason(version, enterprise) is not None:
            continue
        (suited if applies(version.applies_to, enterprise) else others).append(version)
    key = _kind_order
    return sorted(suited, key=key), sorted(others, key=key)


def _kind_order(version: ChecklistVersion) -> tuple:
    order = [TemplateKind.MAJOR_HAZARD_CRITERIA, TemplateKind.ROUTINE, TemplateKind.ASSESSMENT]
    return (order.index(version.kind) if version.kind in order else 9, version.title)


def sections_of(session: Session, version_id: int) -> list[ChecklistSection]:
    """A version's sections in order."""
    return list(
        session.exec(
            select(ChecklistSection)
            .where(ChecklistSection.version_id == version_id)
            .order_by(ChecklistSection.position)
        )
    )


def items_by_section(session: Session, version_id: int) -> dict[int, list[ChecklistItem]]:
    """A version's items grouped by section id, in order."""
    grouped: dict[int, list[ChecklistItem]] = {}
    for item in session.exec(
        select(ChecklistItem)
        .where(ChecklistItem.version_id == version_id)
        .order_by(ChecklistItem.position)
    ):
        grouped.setdefault(item.section_id, []).append(item)
    return grouped


def draft_of(session: Session, template_id: int) -> ChecklistVersion | None:
    """The template's draft, if one is being edited."""
    return session.exec(
        select(ChecklistVersion).where(
            ChecklistVersion.template_id == template_id,
            ChecklistVersion.status == VersionStatus.DRAFT,
        )
    ).first()
