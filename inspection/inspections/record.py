"""现场检查记录: everything the inspection record document shows, as plain values."""

from __future__ import annotations

from sqlmodel import Session

from inspection import labels
from inspection.checklists import queries as checklist_queries
from inspection.enterprises.models import Enterprise
from inspection.evidence import queries as photo_queries
from inspection.evidence.watermark import watermarked
from inspection.inspections import answers
from inspection.inspections import queries
from inspection.inspections import signatures
from inspection.inspections.models import Inspection
from inspection.parks.models import Park
from inspection.storage import content


def context(session: Session, inspection: Inspection) -> dict:
    """The values the record template needs (no model is lazily loaded while rendering)."""
    enterprise = session.get(Enterprise, inspection.enterprise_id)
    park = session.get(Park, enterprise.park_id)
    answered = answers.answers_of(session, inspection.id)
    store = content()
    lists = []
    for version in answers.versions_of(session, inspection.id):
        progress, _items = answers.progress(session, version.id, answered)
        sections = []
        items = checklist_queries.items_by_section(session, version.id)
        for section in checklist_queries.sections_of(session, version.id):
            sections.append(
                (section, [(item, answered.get(item.id)) for item in items.get(section.id, [])])
            )
        lists.append((version, progress, sections))
    hazards = []
    for hazard in queries.hazards_of(session, inspection.id):
        photos = photo_queries.photos_of_hazard(session, hazard.id)
        stamped = [
            f"photo:{photo.sha256}/{watermarked(store, photo, enterprise.name, hazard.location)}"
            for photo in photos.get("before", []) + photos.get("after", [])
        ]
        hazards.append((hazard, stamped))
    return {
        "park": park,
        "enterprise": enterprise,
        "inspection": inspection,
        "team": queries.team(session, inspection.id),
        "lists": lists,
        "hazards": hazards,
        "signatures": signatures.signatures_of(session, inspection.id),
        "labels": labels,
    }
