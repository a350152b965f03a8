"""The checklist library in files: importing definitions as versions, exporting versions as
files, loading the standard library in checklists/. A published version never changes."""

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
from inspection.checklists import fileformat
from inspection.checklists import loader
from inspection.checklists.models import AnswerType
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistSection
from inspection.checklists.models import ChecklistTemplate
from inspection.checklists.models import ChecklistVersion
from inspection.checklists.models import VersionStatus
from inspection.checklists.queries import items_by_section
from inspection.checklists.queries import sections_of

LIBRARY = Path(__file__).resolve().parent.parent.parent / "checklists"


@dataclass
class ImportResult:
    """What importing one definition did."""

    code: str
    version: int
    created: bool


def import_definition(
    session: Session, definition: dict, *, actor: User | None = None, park_id: int | None = None
) -> ImportResult:
    """Store a checked definition as a published version, unless a version already holds it:
    in the shared library, or (`park_id`) among one park's own checklists.

    Any published version counts, not only the newest: a library with two editions of one
    standard (a retired one and the current one) loads twice without changing anything.
    """
    digest = loader.content_hash(definition)
    home = (
        ChecklistTemplate.park_id.is_(None)
        if park_id is None
        else ChecklistTemplate.park_id == park_id
    )
    template = session.exec(
        select(ChecklistTemplate).where(ChecklistTemplate.code == definition["code"], home)
    ).first()
    if template is None:
        template = ChecklistTemplate(code=definition["code"], park_id=park_id)
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
    version = write_version(session, template, definition, actor=actor)
    publish_version(session, version, definition, actor)
    return ImportResult(template.code, version.number, created=True)


def _next_number(session: Session, template_id: int) -> int:
    highest = session.exec(
        select(func.max(ChecklistVersion.number)).where(ChecklistVersion.template_id == template_id)
    ).one()
    return (highest or 0) + 1


def write_version(
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


def publish_version(
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
    out: dict = {"schema": fileformat.SCHEMA_VERSION, "code": definition["code"]}
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
    problems: list[fileformat.Problem] = field(default_factory=list)


def load_library(session: Session, directory: Path = LIBRARY) -> LibraryReport:
    """Check every file in the library first; import them all, or none if any is wrong."""
    report = LibraryReport()
    definitions = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            definitions.append((path.name, loader.parse_file(path)))
        except fileformat.InvalidChecklist as invalid:
            report.problems.extend(invalid.problems)
    codes: dict[str, str] = {}
    for name, definition in definitions:
        # Several files may hold editions of one standard, but only one may be current.
        if definition["retired"]:
            continue
        if definition["code"] in codes:
            report.problems.append(
                fileformat.Problem(
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


def _edition_order(entry: tuple[str, dict]) -> tuple:
    name, definition = entry
    return (not definition["retired"], definition["effective_date"] or "", name)


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
