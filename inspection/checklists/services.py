"""Checklist versions: import and export, drafts and publishing, and which lists suit which firm.

A published version never changes. Editing a published template starts a new draft, copied
from the latest published version; inspections keep the exact version they used.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import yaml
from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import func
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.checklists import loader
from inspection.checklists.models import AnswerType
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistSection
from inspection.checklists.models import ChecklistTemplate
from inspection.checklists.models import ChecklistVersion
from inspection.checklists.models import TemplateKind
from inspection.checklists.models import VersionStatus
from inspection.enterprises.models import Enterprise
from inspection.errors import Conflict
from inspection.errors import DomainError
from inspection.errors import check_version

LIBRARY = Path(__file__).resolve().parent.parent.parent / "checklists"


# --- Importing and exporting definitions -----------------------------------------------------


@dataclass
class ImportResult:
    """What importing one definition did."""

    code: str
    version: int
    created: bool


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


def import_definition(
    session: Session, definition: dict, *, actor: User | None = None
) -> ImportResult:
    """Store a checked definition as a published version, unless a version already holds it.

    Any published version counts, not only the newest: a library with two editions of one
    standard (a retired one and the current one) loads twice without changing anything.
    """
    digest = loader.content_hash(definition)
    template = session.exec(
        select(ChecklistTemplate).where(ChecklistTemplate.code == definition["code"])
    ).first()
    if template is None:
        template = ChecklistTemplate(code=definition["code"])
        session.add(template)
        session.flush()
    else:
        same = session.exec(
            select(ChecklistVersion)
            .where(
                ChecklistVersion.template_id == template.id,
                ChecklistVersion.status == VersionStatus.PUBLISHED,
                ChecklistVersion.content_hash == digest,
            )
            .order_by(ChecklistVersion.number.desc())
        ).first()
        if same is not None:
            return ImportResult(template.code, same.number, created=False)
    version = _write_version(session, template, definition, actor=actor)
    _publish(session, version, definition, actor)
    return ImportResult(template.code, version.number, created=True)


def _next_number(session: Session, template_id: int) -> int:
    highest = session.exec(
        select(func.max(ChecklistVersion.number)).where(ChecklistVersion.template_id == template_id)
    ).one()
    return (highest or 0) + 1


def _write_version(
    session: Session, template: ChecklistTemplate, definition: dict, *, actor: User | None
) -> ChecklistVersion:
    version = ChecklistVersion(
        template_id=template.id,
        number=_next_number(session, template.id),
        status=VersionStatus.DRAFT,
        created_by_id=actor.id if actor else None,
        **_version_fields(definition),
    )
    session.add(version)
    session.flush()
    for position, section_def in enumerate(definition["sections"], start=1):
        section = ChecklistSection(
            version_id=version.id,
            position=position,
            code=section_def["code"],
            title=section_def["title"],
            applies_to=json.dumps(section_def["applies_to"], ensure_ascii=False),
        )
        session.add(section)
        session.flush()
        for item_position, item_def in enumerate(section_def["items"], start=1):
            session.add(_item(version.id, section.id, item_position, item_def))
    session.flush()
    return version


def _version_fields(definition: dict) -> dict:
    return {
        "title": definition["title"],
        "standard": definition["standard"],
        "issuer": definition["issuer"],
        "effective_date": dt.date.fromisoformat(definition["effective_date"])
        if definition["effective_date"]
        else None,
        "kind": definition["kind"],
        "description": definition["description"],
        "applies_to": json.dumps(definition["applies_to"], ensure_ascii=False),
        "scoring": json.dumps(definition["scoring"], ensure_ascii=False)
        if definition["scoring"]
        else None,
        "sources": json.dumps(definition["sources"], ensure_ascii=False),
        "not_for": json.dumps(definition["not_for"], ensure_ascii=False),
        "retired": definition["retired"],
    }


def _item(version_id: int, section_id: int, position: int, item: dict) -> ChecklistItem:
    return ChecklistItem(
        version_id=version_id,
        section_id=section_id,
        position=position,
        code=item["code"],
        text=item["text"],
        guidance=item["guidance"],
        basis=item["basis"],
        answer_type=item["answer"],
        number_min=item["number_min"],
        number_max=item["number_max"],
        number_unit=item["number_unit"],
        choices=json.dumps(item["choices"], ensure_ascii=False),
        fail_choices=json.dumps(item["fail_choices"], ensure_ascii=False),
        photo_on_fail=item["photo_on_fail"],
        major=item["major"],
        category=item["category"],
        hazard_title=item["hazard_title"],
        deadline_days=item["deadline_days"],
        points=item["points"],
        needs_verification=item["needs_verification"],
        sources=json.dumps(item["sources"], ensure_ascii=False),
    )


def _publish(
    session: Session, version: ChecklistVersion, definition: dict, actor: User | None
) -> None:
    version.status = VersionStatus.PUBLISHED
    version.content_hash = loader.content_hash(definition)
    version.published_at = clock.now()
    version.published_by_id = actor.id if actor else None
    template = session.get(ChecklistTemplate, version.template_id)
    template.updated_at = version.published_at
    session.flush()


def definition_of(session: Session, version: ChecklistVersion) -> dict:
    """A version as a normalised definition (the shape the loader produces)."""
    template = session.get(ChecklistTemplate, version.template_id)
    sections = sections_of(session, version.id)
    items = items_by_section(session, version.id)
    return {
        "code": template.code,
        "title": version.title,
        "standard": version.standard,
        "issuer": version.issuer,
        "effective_date": version.effective_date.isoformat() if version.effective_date else None,
        "kind": version.kind,
        "description": version.description,
        "applies_to": json.loads(version.applies_to),
        "scoring": json.loads(version.scoring) if version.scoring else None,
        "sources": json.loads(version.sources),
        "retired": version.retired,
        "not_for": json.loads(version.not_for),
        "sections": [
            {
                "code": section.code,
                "title": section.title,
                "applies_to": json.loads(section.applies_to),
                "items": [_item_definition(item) for item in items.get(section.id, [])],
            }
            for section in sections
        ],
    }


def _item_definition(item: ChecklistItem) -> dict:
    return {
        "code": item.code,
        "text": item.text,
        "guidance": item.guidance,
        "basis": item.basis,
        "answer": item.answer_type,
        "number_min": item.number_min,
        "number_max": item.number_max,
        "number_unit": item.number_unit,
        "choices": json.loads(item.choices),
        "fail_choices": json.loads(item.fail_choices),
        "photo_on_fail": item.photo_on_fail,
        "major": item.major,
        "category": item.category,
        "hazard_title": item.hazard_title,
        "deadline_days": item.deadline_days,
        "points": item.points,
        "needs_verification": item.needs_verification,
        "sources": json.loads(item.sources),
    }


def export_yaml(session: Session, version: ChecklistVersion) -> str:
    """A version written in the checklist file format, loadable again as it is."""
    definition = definition_of(session, version)
    out: dict = {"schema": loader.SCHEMA_VERSION, "code": definition["code"]}
    for key in ("title", "standard", "issuer", "effective_date", "kind", "description"):
        if definition[key] is not None:
            out[key] = definition[key]
    if definition["applies_to"]:
        out["applies_to"] = definition["applies_to"]
    if definition["scoring"]:
        out["scoring"] = definition["scoring"]
    if definition["retired"]:
        out["retired"] = True
    if definition["not_for"]:
        out["not_for"] = {key: value for key, value in definition["not_for"].items() if value}
    if definition["sources"]:
        out["sources"] = [
            {key: value for key, value in source.items() if value is not None}
            for source in definition["sources"]
        ]
    out["sections"] = []
    for section in definition["sections"]:
        written: dict = {"code": section["code"], "title": section["title"]}
        if section["applies_to"]:
            written["applies_to"] = section["applies_to"]
        written["items"] = [_export_item(item) for item in section["items"]]
        out["sections"].append(written)
    return yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=100)


def _export_item(item: dict) -> dict:
    out: dict = {"code": item["code"], "text": item["text"]}
    if item["guidance"]:
        out["guidance"] = item["guidance"]
    out["basis"] = item["basis"]
    if item["answer"] != AnswerType.PASS_FAIL:
        out["answer"] = item["answer"]
    if item["answer"] == AnswerType.NUMBER:
        out["number"] = {
            key: item[f"number_{key}"]
            for key in ("min", "max", "unit")
            if item[f"number_{key}"] is not None
        }
    if item["answer"] == AnswerType.CHOICE:
        out["choices"] = item["choices"]
        if item["fail_choices"]:
            out["fail_choices"] = item["fail_choices"]
    if not item["photo_on_fail"]:
        out["photo_on_fail"] = False
    if item["major"]:
        out["major"] = True
    out["category"] = item["category"]
    for key in ("hazard_title", "deadline_days", "points"):
        if item[key] is not None:
            out[key] = item[key]
    if item["needs_verification"]:
        out["needs_verification"] = True
    if item["sources"]:
        out["source"] = item["sources"][0] if len(item["sources"]) == 1 else item["sources"]
    return out


@dataclass
class LibraryReport:
    """What loading the standard library did, file by file."""

    results: list[tuple[str, ImportResult]] = field(default_factory=list)
    problems: list[loader.Problem] = field(default_factory=list)


def load_library(session: Session, directory: Path = LIBRARY) -> LibraryReport:
    """Check every file in the library first; import them all, or none if any is wrong."""
    report = LibraryReport()
    definitions = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            definitions.append((path.name, loader.parse_file(path)))
        except loader.InvalidChecklist as invalid:
            report.problems.extend(invalid.problems)
    codes: dict[str, str] = {}
    for name, definition in definitions:
        # Several files may hold editions of one standard, but only one may be current.
        if definition["retired"]:
            continue
        if definition["code"] in codes:
            report.problems.append(
                loader.Problem(
                    name,
                    1,
                    _(
                        "The code %(code)s is also used by %(other)s; each file needs its own,"
                        " unless all but one of them are retired editions (`retired: true`).",
                        code=definition["code"],
                        other=codes[definition["code"]],
                    ),
                )
            )
        codes[definition["code"]] = name
    if report.problems:
        return report
    # Retired editions first, oldest first, so the current edition gets the highest number.
    definitions.sort(key=_edition_order)
    for name, definition in definitions:
        report.results.append((name, import_definition(session, definition)))
    return report


@dataclass
class FileStatus:
    """How many items of one library file still await a check against the official text."""

    name: str
    code: str
    retired: bool
    items: int
    unverified: int


def library_status(directory: Path = LIBRARY) -> list[FileStatus]:
    """Every library file with its item and unverified counts (read from the files)."""
    statuses = []
    for path in sorted(directory.glob("*.yaml")):
        definition = loader.parse_file(path)
        items = [item for section in definition["sections"] for item in section["items"]]
        statuses.append(
            FileStatus(
                name=path.name,
                code=definition["code"],
                retired=definition["retired"],
                items=len(items),
                unverified=sum(item["needs_verification"] for item in items),
            )
        )
    return statuses


def _edition_order(entry: tuple[str, dict]) -> tuple:
    name, definition = entry
    return (not definition["retired"], definition["effective_date"] or "", name)


# --- Which checklists suit an enterprise -----------------------------------------------------


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
    """Refuse a version that is unpublished, retired or excluded for this enterprise."""
    if version.status != VersionStatus.PUBLISHED:
        raise DomainError(_("Only published checklists can be used in an inspection."))
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
    for template in session.exec(
        select(ChecklistTemplate).where(ChecklistTemplate.retired.is_(False))
    ):
        version = latest_published(session, template.id)
        if version is None or excluded_reason(version, enterprise) is not None:
            continue
        (suited if applies(version.applies_to, enterprise) else others).append(version)
    key = _kind_order
    return sorted(suited, key=key), sorted(others, key=key)


def _kind_order(version: ChecklistVersion) -> tuple:
    order = [TemplateKind.MAJOR_HAZARD_CRITERIA, TemplateKind.ROUTINE, TemplateKind.ASSESSMENT]
    return (order.index(version.kind) if version.kind in order else 9, version.title)


# --- Reading a version ---------------------------------------------------------------------------


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


# --- The editor: drafts ------------------------------------------------------------------------


def create_template(
    session: Session, *, code: str, title: str, standard: str, kind: str, actor: User
) -> ChecklistVersion:
    """A new template with an empty draft version 1."""
    code = code.strip().lower()
    if not loader.CODE.match(code):
        raise DomainError(_("The code may only have lowercase letters, digits and hyphens."))
    if session.exec(select(ChecklistTemplate).where(ChecklistTemplate.code == code)).first():
        raise DomainError(_("A checklist with the code %(code)s already exists.", code=code))
    if kind not in set(TemplateKind):
        raise DomainError(_("Choose the checklist's kind."))
    template = ChecklistTemplate(code=code)
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


def draft_of(session: Session, template_id: int) -> ChecklistVersion | None:
    """The template's draft, if one is being edited."""
    return session.exec(
        select(ChecklistVersion).where(
            ChecklistVersion.template_id == template_id,
            ChecklistVersion.status == VersionStatus.DRAFT,
        )
    ).first()


def start_draft(session: Session, template: ChecklistTemplate, *, actor: User) -> ChecklistVersion:
    """The draft to edit: the existing one, or a new copy of the latest published version."""
    session.refresh(template, with_for_update=True)
    existing = draft_of(session, template.id)
    if existing is not None:
        return existing
    current = latest_published(session, template.id)
    if current is None:
        raise DomainError(_("This checklist has nothing to copy from."))
    draft = _write_version(session, template, definition_of(session, current), actor=actor)
    return draft


def editable(session: Session, version_id: int, expected: int | None = None) -> ChecklistVersion:
    """A draft, locked for editing; published versions are refused."""
    version = session.get(ChecklistVersion, version_id, with_for_update=True)
    if version is None:
        raise DomainError(_("There is no such checklist version."))
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
    if not loader.CODE.match(code or ""):
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
    except loader.InvalidChecklist as invalid:
        raise DomainError("；".join(problem.message for problem in invalid.problems)) from invalid
    _publish(session, version, definition, actor)
    return version


def set_retired(session: Session, template: ChecklistTemplate, *, retired: bool) -> None:
    """Retire a template (no longer offered; past records stay readable) or bring it back."""
    template.retired = retired
    template.updated_at = clock.now()
    session.flush()


# --- Scoring --------------------------------------------------------------------------------


@dataclass
class Score:
    """An assessment's result: points earned of those that apply, and the band."""

    earned: float
    possible: float
    band: str | None

    @property
    def percent(self) -> float | None:
        return round(self.earned / self.possible * 100, 1) if self.possible else None


def score(version: ChecklistVersion, items: list[ChecklistItem], results: dict[int, str]) -> Score:
    """Score answered items: not-applicable items leave the total; unanswered ones count as 0."""
    earned = possible = 0.0
    for item in items:
        if item.points is None:
            continue
        result = results.get(item.id)
        if result == "na":
            continue
        possible += item.points
        if result == "pass":
            earned += item.points
    band = None
    if version.scoring and possible:
        percent = earned / possible * 100
        for entry in sorted(json.loads(version.scoring)["bands"], key=lambda b: -b["min_percent"]):
            if percent >= entry["min_percent"]:
                band = entry["label"]
                break
    return Score(earned=earned, possible=possible, band=band)
