"""Creating and completing inspections."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.scope import scope_of
from inspection.checklists import queries as checklist_queries
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistVersion
from inspection.draws.queries import enforcement_refusal
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.evidence.models import Photo
from inspection.evidence.models import PhotoKind
from inspection.hazards.models import Hazard
from inspection.inspections.models import Answer
from inspection.inspections.models import AnswerResult
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionChecklist
from inspection.inspections.models import InspectionInspector
from inspection.inspections.models import InspectionStatus
from inspection.inspections.models import InspectionType
from inspection.inspections.models import Signature
from inspection.inspections.models import SignerRole
from inspection.parks.models import Park
from inspection.risk.services import check_cap


def create_inspection(
    session: Session,
    *,
    enterprise: Enterprise,
    actor: User,
    type: str,
    planned_date: date,
    enforcement: bool = False,
    co_inspector_ids: list[int] | None = None,
    summary: str | None = None,
    version_ids: list[int] | None = None,
    targeted: str | None = None,
    over_cap_reason: str | None = None,
) -> Inspection:
    """Open an inspection of one enterprise with the actor as lead inspector."""
    if actor.role != Role.INSPECTOR:
        raise Forbidden(_("Only inspectors can start inspections."))
    park = session.get(Park, enterprise.park_id)
    co_inspectors = [i for i in co_inspector_ids or [] if i != actor.id]
    team = [actor] + team_members(session, co_inspectors, park=park)
    inspection = open_inspection(
        session,
        enterprise=enterprise,
        actor=actor,
        team=team,
        type=type,
        planned_date=planned_date,
        enforcement=enforcement,
        summary=summary,
        status=InspectionStatus.IN_PROGRESS,
        targeted=targeted,
        over_cap_reason=over_cap_reason,
    )
    use_checklists(session, inspection, version_ids or [])
    return inspection


def team_members(session: Session, user_ids: list[int], *, park: Park) -> list[User]:
    """Active inspectors of the park by id, in the order given, without repeats."""
    members = []
    for user_id in dict.fromkeys(user_ids):
        user = session.get(User, user_id)
        if user is None or user.role != Role.INSPECTOR or not user.active:
            raise DomainError(_("Only active inspectors can be on an inspection team."))
        check_serves(user, park)
        members.append(user)
    return members


def check_serves(user: User, park: Park) -> None:
    """Refuse someone who does not work in the park (its own staff, or the region's bureau)."""
    if not scope_of(user).covers(park):
        raise DomainError(
            _(
                "%(name)s does not work in %(park)s and cannot take part in its inspections.",
                name=user.display_name,
                park=park.name,
            )
        )


def use_checklists(
    session: Session,
    inspection: Inspection,
    version_ids: list[int],
    *,
    for_campaign: bool = False,
) -> None:
    """Put the current versions of checklists on a new inspection, in the order given.

    A version that is not its checklist's current one (retired or superseded) or that must
    not be used at the enterprise (its not_for rule) is refused with the reason. A campaign
    planning many enterprises at once passes for_campaign: a plan saved before a checklist
    changed uses its current version, and an excluded checklist is left off that one
    enterprise's inspection.
    """
    enterprise = session.get(Enterprise, inspection.enterprise_id)
    used: set[int] = set()
    for version_id in dict.fromkeys(version_ids):
        version = session.get(ChecklistVersion, version_id)
        if version is None:
            raise DomainError(_("Only published checklists can be used in an inspection."))
        if for_campaign:
            version = checklist_queries.latest_published(session, version.template_id) or version
            if checklist_queries.excluded_reason(version, enterprise):
                continue
        if version.id in used:
            continue
        checklist_queries.check_usable(session, version, enterprise)
        used.add(version.id)
        session.add(
            InspectionChecklist(
                inspection_id=inspection.id, version_id=version.id, position=len(used)
            )
        )
    session.flush()


def open_inspection(
    session: Session,
    *,
    enterprise: Enterprise,
    actor: User,
    team: list[User],
    type: str,
    planned_date: date,
    enforcement: bool,
    summary: str | None,
    status: str,
    campaign_id: int | None = None,
    due_date: date | None = None,
    targeted: str | None = None,
    over_cap_reason: str | None = None,
) -> Inspection:
    """Create an inspection with its team (the first member leads), checking the rules; one
    beyond the enterprise's yearly cap needs a reason (国办发〔2024〕54号)."""
    if type not in set(InspectionType):
        raise DomainError(_("Choose the inspection's type."))
    if not enterprise.active:
        raise DomainError(_("%(name)s is no longer active in the park.", name=enterprise.name))
    if not team:
        raise DomainError(_("Choose at least one inspector."))
    park = session.get(Park, enterprise.park_id)
    for member in [actor, *team]:
        check_serves(member, park)
    if enforcement:
        officers = [member for member in team if not member.third_party]
        if any(member.third_party for member in team):
            raise DomainError(
                _(
                    "A third-party service firm's staff may find hazards but may not carry out an"
                    " enforcement inspection. Remove them or make it a non-enforcement inspection."
                )
            )
        if len(officers) < 2:
            raise DomainError(
                _("An enforcement inspection needs at least two inspectors. Add a colleague.")
            )
        # An expired enforcement certificate takes an officer out of enforcement teams.
        refusal = enforcement_refusal(session, [member.id for member in team], planned_date)
        if refusal:
            raise DomainError(refusal)
    over_cap_reason = check_cap(
        session,
        enterprise=enterprise,
        type=type,
        planned_date=planned_date,
        targeted=targeted or None,
        reason=over_cap_reason,
    )
    now = clock.now()
    inspection = Inspection(
        park_id=enterprise.park_id,
        targeted=targeted or None,
        over_cap_reason=over_cap_reason,
        enterprise_id=enterprise.id,
        type=type,
        enforcement=enforcement,
        status=status,
        campaign_id=campaign_id,
        planned_date=planned_date,
        due_date=due_date,
        started_at=now if status == InspectionStatus.IN_PROGRESS else None,
        summary=(summary or "").strip() or None,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(inspection)
    session.flush()
    for member in team:
        session.add(
            InspectionInspector(
                inspection_id=inspection.id, user_id=member.id, lead=member is team[0]
            )
        )
    session.flush()
    return inspection


def ensure_started(inspection: Inspection) -> None:
    """A planned inspection starts with the first answer, photo or hazard."""
    if inspection.status == InspectionStatus.PLANNED:
        inspection.status = InspectionStatus.IN_PROGRESS
        inspection.started_at = clock.now()
        inspection.updated_at = inspection.started_at


def complete_inspection(
    session: Session, *, inspection: Inspection, actor: User, summary: str | None
) -> Inspection:
    """Close and lock the site visit once everyone has signed; hazards keep their own life."""
    if session.get(InspectionInspector, (inspection.id, actor.id)) is None:
        raise Forbidden(_("You are not on this inspection's team."))
    session.refresh(inspection, with_for_update=True)
    if inspection.status == InspectionStatus.COMPLETED:
        raise DomainError(_("This inspection is already completed. Nothing was changed."))
    unphotographed = missing_photos(session, inspection)
    if unphotographed:
        raise DomainError(
            _(
                "A failed item needs a photo before the record is locked: %(items)s. Take the"
                " photos at these items (or log their hazards with photos), then complete.",
                items="、".join(unphotographed),
            )
        )
    missing = missing_signatures(session, inspection)
    if missing:
        raise DomainError(
            _(
                "Still to sign: %(names)s. Everyone signs before the record is locked.",
                names="、".join(missing),
            )
        )
    inspection.status = InspectionStatus.COMPLETED
    inspection.completed_at = clock.now()
    if summary is not None and summary.strip():
        inspection.summary = summary.strip()
    inspection.version += 1
    inspection.updated_at = inspection.completed_at
    session.flush()
    return inspection


def missing_photos(session: Session, inspection: Inspection) -> list[str]:
    """The codes of failed items that need a photo and have none: neither on the answer nor on
    a hazard logged from it."""
    failed = session.exec(
        select(Answer.id, ChecklistItem.code)
        .join(ChecklistItem, ChecklistItem.id == Answer.item_id)
        .where(
            Answer.inspection_id == inspection.id,
            Answer.result == AnswerResult.FAIL,
            ChecklistItem.photo_on_fail.is_(True),
        )
        .order_by(ChecklistItem.id)
    ).all()
    if not failed:
        return []
    shown = answers_with_photos(session, [answer_id for answer_id, _code in failed])
    return [code for answer_id, code in failed if answer_id not in shown]


def answers_with_photos(session: Session, answer_ids: list[int]) -> set[int]:
    """Of these answers, the ones with a photo: their own, or one of a hazard logged from them."""
    if not answer_ids:
        return set()
    return set(
        session.exec(select(Photo.answer_id).where(Photo.answer_id.in_(answer_ids)).distinct())
    ) | set(
        session.exec(
            select(Hazard.answer_id)
            .join(Photo, Photo.hazard_id == Hazard.id)
            .where(Hazard.answer_id.in_(answer_ids), Photo.kind != PhotoKind.PENDING)
            .distinct()
        )
    )


def missing_signatures(session: Session, inspection: Inspection) -> list[str]:
    """Who still has to sign: every inspector of the team and the enterprise's representative."""
    signed = {
        (sig.role, sig.user_id)
        for sig in session.exec(select(Signature).where(Signature.inspection_id == inspection.id))
    }
    missing = []
    for member_id in team_ids(session, inspection.id):
        if (SignerRole.INSPECTOR, member_id) not in signed:
            missing.append(session.get(User, member_id).display_name)
    if not any(role == SignerRole.ENTERPRISE for role, _user in signed):
        missing.append(_("the enterprise's representative"))
    return missing


def team_ids(session: Session, inspection_id: int) -> list[int]:
    """The ids of an inspection's inspectors."""
    return list(
        session.exec(
            select(InspectionInspector.user_id).where(
                InspectionInspector.inspection_id == inspection_id
            )
        )
    )
