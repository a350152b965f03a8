"""The monthly or quarterly supervision report (监管报告): what goes into it."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.enterprises.models import Enterprise
from inspection.evidence.models import Photo
from inspection.evidence.models import PhotoKind
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardLevel
from inspection.hazards.models import HazardState
from inspection.hazards.models import overdue
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionInspector
from inspection.parks.models import Park
from inspection.parks.models import Region
from inspection.reports.pdf import print_copy
from inspection.risk import queries as risk_queries
from inspection.statistics import summary
from inspection.statistics.figures import Subject
from inspection.statistics.periods import Period
from inspection.storage import content

# Photos of at most this many major hazards go into a report (before and after for each).
MAJOR_WITH_PHOTOS = 10
LONGEST_OVERDUE = 20


def context(
    session: Session, period: Period, parks: Scope, step=lambda stage, progress: None
) -> dict:
    """Everything the report template shows for one park or a region's parks, read step by
    step (`step` reports progress)."""
    step("figures", 10)
    if parks.is_region:
        park, region = None, session.get(Region, parks.region_id)
        comparison = summary.compare_parks(session, period, parks)
    else:
        park, region, comparison = session.get(Park, parks.park_id), None, None
    figures = summary.summarise(session, period, Subject(parks))
    previous = summary.summarise(session, period.previous(), Subject(parks))
    step("breakdowns", 25)
    breakdowns = {d: summary.breakdown(session, period, d, parks) for d in ("industry", "category")}
    # A park's report breaks its figures down by zone; a region's compares its parks instead.
    if comparison is not None:
        breakdowns["zone"] = summary.park_breakdown(comparison)
    else:
        breakdowns["zone"] = summary.breakdown(session, period, "zone", parks)
    step("hazards", 40)
    start = clock.start_of_local_day(period.first_day)
    end = clock.start_of_local_day(period.last_day + timedelta(days=1))
    hazards = list(
        session.exec(
            select(Hazard, Enterprise.name)
            .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
            .where(
                parks.parks(Hazard.park_id),
                Hazard.found_at >= start,
                Hazard.found_at < end,
                Hazard.state != HazardState.VOIDED,
            )
            .order_by(Hazard.found_at, Hazard.id)
        )
    )
    late = list(
        session.exec(
            select(Hazard, Enterprise.name)
            .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
            .where(overdue(clock.today()), parks.parks(Hazard.park_id))
            .order_by(Hazard.deadline, Hazard.id)
            .limit(LONGEST_OVERDUE)
        )
    )
    step("photos", 50)
    major = [(h, name) for h, name in hazards if h.level == HazardLevel.MAJOR]
    photos = _before_after(session, [h.id for h, _n in major[:MAJOR_WITH_PHOTOS]])
    store = content()
    for shelves in photos.values():
        for shelf in shelves.values():
            for photo in shelf:
                print_copy(store, photo.sha256)
    step("inspections", 55)
    inspections = list(
        session.exec(
            select(Inspection, Enterprise.name)
            .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
            .where(
                parks.parks(Inspection.park_id),
                Inspection.planned_date >= period.first_day,
                Inspection.planned_date <= period.last_day,
            )
            .order_by(Inspection.planned_date, Inspection.id)
        )
    )
    teams = _teams(session, [i.id for i, _n in inspections])
    found_per_inspection: dict[int, int] = defaultdict(int)
    for hazard, _name in hazards:
        if hazard.inspection_id:
            found_per_inspection[hazard.inspection_id] += 1
    # Charts go in as images the PDF fetches by name (chart:trend, chart:zone, ...).
    charts = {"trend": figures.chart("print")}
    for breakdown in breakdowns.values():
        chart = breakdown.chart("print")
        if chart is not None:
            charts[breakdown.dimension] = chart
    step("risk", 60)
    risk = {
        "grades": risk_queries.distribution(session, parks),
        "warnings": risk_queries.warnings_between(session, parks, start, end),
        "worse": risk_queries.worsened_between(session, parks, start, end),
    }
    return {
        "risk": risk,
        "charts": charts,
        "park": park,
        "region": region,
        "parks": comparison,
        "period": period,
        "summary": figures,
        "previous": previous,
        "zone": breakdowns["zone"],
        "industry": breakdowns["industry"],
        "category": breakdowns["category"],
        "hazards": hazards,
        "overdue": late,
        "major": major,
        "photos": photos,
        "inspections": inspections,
        "teams": teams,
        "found_per_inspection": found_per_inspection,
        "generated_at": clock.now(),
        "today": clock.today(),
    }


def _before_after(session: Session, hazard_ids: list[int]) -> dict[int, dict[str, list[Photo]]]:
    """Each hazard's first photos as found and after rectification."""
    found: dict[int, dict[str, list[Photo]]] = {i: {"before": [], "after": []} for i in hazard_ids}
    if not hazard_ids:
        return found
    for photo in session.exec(
        select(Photo)
        .where(Photo.hazard_id.in_(hazard_ids), Photo.kind.in_([PhotoKind.BEFORE, PhotoKind.AFTER]))
        .order_by(Photo.id)
    ):
        shelf = found[photo.hazard_id][photo.kind]
        if len(shelf) < 2:
            shelf.append(photo)
    return found


def _teams(session: Session, inspection_ids: list[int]) -> dict[int, list[str]]:
    teams: dict[int, list[str]] = defaultdict(list)
    if not inspection_ids:
        return teams
    for inspection_id, name in session.exec(
        select(InspectionInspector.inspection_id, User.display_name)
        .join(User, User.id == InspectionInspector.user_id)
        .where(InspectionInspector.inspection_id.in_(inspection_ids))
        .order_by(InspectionInspector.lead.desc(), User.display_name)
    ):
        teams[inspection_id].append(name)
    return teams
