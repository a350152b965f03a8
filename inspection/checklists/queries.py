"""Reading the checklist library."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session
from sqlmodel import func
from sqlmodel import select

from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistTemplate
from inspection.checklists.models import ChecklistVersion
from inspection.checklists.services import draft_of
from inspection.checklists.services import latest_published


@dataclass
class TemplateRow:
    """One line of the library list."""

    template: ChecklistTemplate
    current: ChecklistVersion | None
    draft: ChecklistVersion | None
    items: int
    unverified: int


def library(session: Session, *, include_retired: bool = False) -> list[TemplateRow]:
    """Every template with its current version, draft and item counts."""
    rows = []
    stmt = select(ChecklistTemplate).order_by(ChecklistTemplate.code)
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
