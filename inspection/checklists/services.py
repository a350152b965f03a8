"""Editing checklists: new templates, drafts copied from the current version, their sections and
items, publishing a draft and retiring a template.

A published version never changes. Editing a published template starts a new draft, copied
from the latest published version; inspections keep the exact version they used."""

from __future__ import annotations

import json

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.scope import request_scope
from inspection.checklists import fileformat
from inspection.checklists import loader
from inspection.checklists.library import definition_of
from inspection.checklists.library import export_yaml
from inspection.checklists.library import publish_version
from inspection.checklists.library import write_version
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistSection
from inspection.checklists.models import ChecklistTemplate
from inspection.checklists.models import ChecklistVersion
from inspection.checklists.models import TemplateKind
from inspection.checklists.models import VersionStatus
from inspection.checklists.queries import draft_of
from inspection.checklists.queries import items_by_section
from inspection.checklists.queries import latest_published
from inspection.checklists.queries import park_copy
from inspection.checklists.queries import sections_of
from inspection.errors import Conflict
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.errors import check_version
from inspection.parks.models import Park
from inspection.parks.queries import working_park


def keeps_library(session: Session, user: User) -> bool:
    """The region's shared library is kept by its bureau's administrators (or, in a deployment
    of one park without a region, by that park's administrators)."""
    if user.role != Role.ADMIN:
        return False
    scope = request_scope(user)
    if scope.is_region:
        return True
    park = session.get(Park, user.park_id) if user.park_id else None
    return park is not None and park.region_id is None


def check_may_edit(session: Session, user: User, template: ChecklistTemplate) -> None:
    """Refuse changes to a checklist the user does not keep: another park's, or the shared
    library for a park's administrator (who makes a copy for the park instead)."""
    if template.park_id is None:
        if not keeps_library(session, user):
            raise Forbidden(
                _(
                    "This checklist is in the region's shared library, which the bureau keeps."
                    " Make a copy for your park to change it there."
                )
            )
    elif not request_scope(user).covers(session.get(Park, template.park_id)):
        raise Forbidden(_("This checklist belongs to another park."))


def home_park_for_new(session: Session, user: User) -> Park | None:
    """Where a checklist the user creates or imports goes: the park they work in now, or the
    shared library when they keep it and look across the region."""
    park = working_park(session, user)
    if park is None and not keeps_library(session, user):
        raise DomainError(_("Choose the park at the top of the page first."))
    if park is not None and park.region_id is None and keeps_library(session, user):
        return None  # a park of its own keeps the library itself
    return park


def create_template(
    session: Session,
    *,
    code: str,
    title: str,
    standard: str,
    kind: str,
    actor: User,
    park: Park | None = None,
) -> ChecklistVersion:
    """A new template with an empty draft version 1, in the shared library or (`park`) among
    one park's own checklists."""
    code = code.strip().lower()
    if not fileformat.CODE.match(code):
        raise DomainError(_("The code may only have lowercase letters, digits and hyphens."))
    park_id = park.id if park else None
    home = (
        ChecklistTemplate.park_id.is_(None)
        if park_id is None
        else ChecklistTemplate.park_id == park_id
    )
    if session.exec(select(ChecklistTemplate).where(ChecklistTemplate.code == code, home)).first():
        raise DomainError(_("A checklist with the code %(code)s already exists.", code=code))
    if kind not in set(TemplateKind):
        raise DomainError(_("Choose the checklist's kind."))
    template = ChecklistTemplate(code=code, park_id=park_id)
    session.add(template)
    session.flush()
    version = ChecklistVersion(
        template_id=template.id,
        number=1,
        title=title.strip(),
        standard=standard.strip(),
        kind=kind,
        created_by_id=actor.id,
        scoring=json.dumps({"bands": [{"min_percent": 0, "label": "—"}]})
        if kind == TemplateKind.ASSESSMENT
        else None,
    )
    session.add(version)
    session.flush()
    return version


def copy_to_park(
    session: Session, template: ChecklistTemplate, *, park: Park, actor: User
) -> ChecklistVersion:
    """A park's own copy of a library checklist, as a draft to adapt; once published it is
    offered in the park instead of the original."""
    if template.park_id is not None:
        raise DomainError(_("Only checklists of the shared library are copied to a park."))
    existing = park_copy(session, template, park.id)
    if existing is not None:
        raise DomainError(_("%(park)s already has its own copy of this checklist.", park=park.name))
    current = latest_published(session, template.id)
    if current is None:
        raise DomainError(_("This checklist has nothing to copy from."))
    copy = ChecklistTemplate(code=template.code, park_id=park.id, copied_from_id=template.id)
    session.add(copy)
    session.flush()
    return write_version(session, copy, definition_of(session, current), actor=actor)


def start_draft(session: Session, template: ChecklistTemplate, *, actor: User) -> ChecklistVersion:
    """The draft to edit: the existing one, or a new copy of the latest published version."""
    session.refresh(template, with_for_update=True)
    existing = draft_of(session, template.id)
    if existing is not None:
        return existing
    current = latest_published(session, template.id)
    if current is None:
        raise DomainError(_("This checklist has nothing to copy from."))
    draft = write_version(session, template, definition_of(session, current), actor=actor)
    return draft


def editable(
    session: Session, version_id: int, expected: int | None = None, *, actor: User
) -> ChecklistVersion:
    """A draft the actor keeps, locked for editing; published versions are refused."""
    version = session.get(ChecklistVersion, version_id, with_for_update=True)
    if version is None:
        raise DomainError(_("There is no such checklist version."))
    check_may_edit(session, actor, session.get(ChecklistTemplate, version.template_id))
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            _(
                "Version %(number)s is published and can no longer change. Edit the checklist to"
                " start a new version.",
                number=version.number,
            )
        )
    if expected is not None:
        check_version(version.edit_version, expected)
    version.edit_version += 1
    return version


def update_draft(session: Session, version: ChecklistVersion, values: dict) -> None:
    """Change a draft's title, standard, kind and the like."""
    for key in ("title", "standard", "issuer", "description"):
        if key in values:
            setattr(version, key, (values[key] or "").strip() or None)
    if not version.title or not version.standard:
        raise DomainError(_("A checklist needs a title and the standard it implements."))
    if "kind" in values:
        version.kind = values["kind"]
    if "applies_to" in values:
        version.applies_to = json.dumps(values["applies_to"], ensure_ascii=False)
    if "scoring" in values:
        version.scoring = json.dumps(values["scoring"], ensure_ascii=False)
    session.flush()


def add_section(session: Session, version: ChecklistVersion, *, code: str, title: str):
    """Append a section to a draft."""
    position = len(sections_of(session, version.id)) + 1
    section = ChecklistSection(
        version_id=version.id, position=position, code=code.strip(), title=title.strip()
    )
    _check_code(session, ChecklistSection, version.id, section.code, None)
    session.add(section)
    session.flush()
    return section


def update_section(
    session: Session, section: ChecklistSection, *, code: str, title: str, applies_to: dict
) -> None:
    """Rename a section or change where it applies."""
    _check_code(session, ChecklistSection, section.version_id, code.strip(), section.id)
    section.code, section.title = code.strip(), title.strip()
    section.applies_to = json.dumps(applies_to, ensure_ascii=False)
    session.flush()


def delete_section(session: Session, section: ChecklistSection) -> None:
    """Remove a section and its items from a draft."""
    for item in session.exec(select(ChecklistItem).where(ChecklistItem.section_id == section.id)):
        session.delete(item)
    session.delete(section)
    session.flush()
    _renumber(session, sections_of(session, section.version_id))


def add_item(session: Session, section: ChecklistSection, values: dict) -> ChecklistItem:
    """Append an item to a draft's section."""
    items = items_by_section(session, section.version_id).get(section.id, [])
    _check_code(session, ChecklistItem, section.version_id, values["code"], None)
    item = ChecklistItem(
        version_id=section.version_id, section_id=section.id, position=len(items) + 1, **values
    )
    session.add(item)
    session.flush()
    return item


def update_item(session: Session, item: ChecklistItem, values: dict) -> None:
    """Change an item of a draft."""
    _check_code(session, ChecklistItem, item.version_id, values["code"], item.id)
    for key, value in values.items():
        setattr(item, key, value)
    session.flush()


def delete_item(session: Session, item: ChecklistItem) -> None:
    """Remove an item from a draft."""
    section_id = item.section_id
    session.delete(item)
    session.flush()
    _renumber(session, items_by_section(session, item.version_id).get(section_id, []))


def move(session: Session, row, rows: list, direction: int) -> None:
    """Move a section or item one place up (-1) or down (+1) among its siblings."""
    index = next(i for i, other in enumerate(rows) if other.id == row.id)
    target = index + direction
    if 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]
        _renumber(session, rows)


def _renumber(session: Session, rows: list) -> None:
    for position, row in enumerate(rows, start=1):
        row.position = position
    session.flush()


def _check_code(session: Session, model, version_id: int, code: str, own_id: int | None) -> None:
    if not fileformat.CODE.match(code or ""):
        raise DomainError(_("A code may only have lowercase letters, digits and hyphens."))
    clash = session.exec(
        select(model.id).where(model.version_id == version_id, model.code == code)
    ).first()
    if clash is not None and clash != own_id:
        raise DomainError(_("The code %(code)s is already used in this version.", code=code))


def publish(session: Session, version: ChecklistVersion, *, actor: User) -> ChecklistVersion:
    """Freeze a draft: check it exactly like a file, then make it the current version."""
    try:
        definition = loader.parse(export_yaml(session, version), f"v{version.number}")
    except fileformat.InvalidChecklist as invalid:
        raise DomainError("；".join(problem.message for problem in invalid.problems)) from invalid
    publish_version(session, version, definition, actor)
    return version


def set_retired(session: Session, template: ChecklistTemplate, *, retired: bool) -> None:
    """Retire a template (no longer offered; past records stay readable) or bring it back."""
    template.retired = retired
    template.updated_at = clock.now()
    session.flush()
