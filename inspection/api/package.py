"""The offline package: what an inspector's tablet takes along for the day."""

from __future__ import annotations

import json

from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection import labels
from inspection.api import schemas
from inspection.auth.models import User
from inspection.checklists import queries as checklist_queries
from inspection.checklists.models import ChecklistVersion
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Zone
from inspection.hazards.models import Hazard
from inspection.hazards.recording import DEFAULT_DEADLINE_DAYS
from inspection.hazards.recording import park_levels
from inspection.inspections import queries
from inspection.inspections.answers import answers_of
from inspection.inspections.answers import versions_of
from inspection.inspections.models import InspectionStatus
from inspection.inspections.services import answers_with_photos
from inspection.inspections.signatures import signatures_of
from inspection.parks.models import Park


def build_package(session: Session, user: User) -> schemas.Package:
    """The user's open inspections (today's and those under way) with all they need offline."""
    inspections = []
    version_ids: dict[int, None] = {}
    levels = park_levels(session.get(Park, user.park_id) if user.park_id else None)
    for inspection, _name in queries.my_open_inspections(session, user):
        if inspection.status == InspectionStatus.COMPLETED:
            continue
        versions = versions_of(session, inspection.id)
        version_ids.update(dict.fromkeys(v.id for v in versions))
        inspections.append(_inspection(session, inspection, [v.id for v in versions]))
    return schemas.Package(
        prepared_at=clock.now(),
        user=schemas.Person(id=user.id, name=user.display_name),
        inspections=inspections,
        checklists=[_checklist(session, session.get(ChecklistVersion, i)) for i in version_ids],
        levels=[
            schemas.Choice(value=k, label=labels.label(labels.HAZARD_LEVELS, k)) for k in levels
        ],
        categories=[
            schemas.Choice(value=k, label=str(v)) for k, v in labels.HAZARD_CATEGORIES.items()
        ],
        occurrence_links=[
            schemas.Choice(value=k, label=str(v)) for k, v in labels.OCCURRENCE_LINKS.items()
        ],
        default_deadline_days={str(k): DEFAULT_DEADLINE_DAYS[k] for k in levels},
    )


def _inspection(session: Session, inspection, version_ids: list[int]) -> schemas.PackageInspection:
    enterprise = session.get(Enterprise, inspection.enterprise_id)
    zone = session.get(Zone, enterprise.zone_id) if enterprise.zone_id else None
    hazards = session.exec(
        select(Hazard).where(Hazard.inspection_id == inspection.id).order_by(Hazard.id)
    )
    answered = answers_of(session, inspection.id).values()
    photographed = answers_with_photos(session, [answer.id for answer in answered])
    return schemas.PackageInspection(
        id=inspection.id,
        enterprise=schemas.PackageEnterprise(
            id=enterprise.id,
            name=enterprise.name,
            address=enterprise.address,
            zone=zone.name if zone else None,
            industry=enterprise.industry,
        ),
        type=inspection.type,
        type_label=labels.label(labels.INSPECTION_TYPES, inspection.type),
        status=inspection.status,
        planned_date=inspection.planned_date,
        version=inspection.version,
        team=[
            schemas.Person(id=member.id, name=member.display_name, lead=lead)
            for member, lead in queries.team(session, inspection.id)
        ],
        checklists=version_ids,
        answers=[
            schemas.PackageAnswer(
                item=answer.item_id,
                result=answer.result,
                number=answer.number_value,
                choice=answer.choice_value,
                text=answer.text_value,
                comment=answer.comment,
                version=answer.version,
                has_photo=answer.id in photographed,
            )
            for answer in answered
        ],
        hazards=[
            schemas.PackageHazard(
                id=hazard.uuid,
                number=hazard.number,
                title=hazard.title,
                level=hazard.level,
                state=hazard.state,
                item=hazard.checklist_item_id,
            )
            for hazard in hazards
        ],
        signatures=[
            schemas.PackageSignature(role=sig.role, user=sig.user_id, name=sig.signer_name)
            for sig in signatures_of(session, inspection.id)
        ],
    )


def _checklist(session: Session, version: ChecklistVersion) -> schemas.PackageChecklist:
    items = checklist_queries.items_by_section(session, version.id)
    return schemas.PackageChecklist(
        id=version.id,
        title=version.title,
        version=version.number,
        kind=version.kind,
        sections=[
            schemas.PackageSection(
                id=section.id,
                code=section.code,
                title=section.title,
                items=[
                    schemas.PackageItem(
                        id=item.id,
                        code=item.code,
                        text=item.text,
                        basis=item.basis,
                        guidance=item.guidance,
                        answer_type=item.answer_type,
                        choices=json.loads(item.choices or "[]"),
                        fail_choices=json.loads(item.fail_choices or "[]"),
                        number_min=item.number_min,
                        number_max=item.number_max,
                        unit=item.number_unit,
                        major=item.major,
                        hazard_title=item.hazard_title,
                        category=item.category,
                        deadline_days=item.deadline_days,
                        photo_on_fail=item.photo_on_fail,
                    )
                    for item in items.get(section.id, [])
                ],
            )
            for section in checklist_queries.sections_of(session, version.id)
        ],
    )
