"""Recurring inspections: each occurrence of a plan becomes a campaign, made ahead of time."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection import labels
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.scope import EVERYTHING
from inspection.auth.scope import Scope
from inspection.campaigns import services
from inspection.campaigns.models import Campaign
from inspection.campaigns.models import Holiday
from inspection.campaigns.models import RecurringPlan
from inspection.errors import DomainError
from inspection.errors import check_version
from inspection.inspections.services import team_members
from inspection.notifications.services import notify
from inspection.parks.models import Park
from inspection.risk.services import check_caps

log = logging.getLogger(__name__)

RECURRENCES = ("monthly", "quarterly", "before_holidays")
QUARTER_MONTHS = (1, 4, 7, 10)


def occurrences(plan: RecurringPlan, start: date, end: date, holidays: list[Holiday]) -> list[date]:
    """The plan's inspection dates from `start` to `end`, both included."""
    found: set[date] = set()
    if plan.recurrence == "before_holidays":
        for holiday in holidays:
            when = holiday.start_date - timedelta(days=plan.days_before_holiday)
            if start <= when <= end:
                found.add(when)
        return sorted(found)
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        if plan.recurrence == "monthly" or month in QUARTER_MONTHS:
            when = date(year, month, plan.day)
            if start <= when <= end:
                found.add(when)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return sorted(found)


def next_occurrence(session: Session, plan: RecurringPlan) -> date | None:
    """The next date the plan inspects on, within a year."""
    today = clock.today()
    dates = occurrences(plan, today, today + timedelta(days=366), holidays(session, plan.park_id))
    return dates[0] if dates else None


def holidays_in(session: Session, scope: Scope) -> list[Holiday]:
    """The holidays of the parks in scope, in order."""
    return list(
        session.exec(
            select(Holiday).where(scope.parks(Holiday.park_id)).order_by(Holiday.start_date)
        )
    )


def holidays(session: Session, park_id: int) -> list[Holiday]:
    """The park's holidays on record, in order."""
    return list(
        session.exec(select(Holiday).where(Holiday.park_id == park_id).order_by(Holiday.start_date))
    )


@dataclass
class PlanningResult:
    """What one run of the planner did."""

    campaigns: int = 0
    inspections: int = 0
    problems: int = 0


def plan_due(session: Session, parks: Scope = EVERYTHING) -> PlanningResult:
    """Make the campaigns of every occurrence that falls within its plan's lead time (of the
    plans of the parks in scope: the scheduler's night run covers them all)."""
    today = clock.today()
    result = PlanningResult()
    park_holidays: dict[int, list[Holiday]] = {}
    plan_ids = session.exec(
        select(RecurringPlan.id).where(
            RecurringPlan.active.is_(True), parks.parks(RecurringPlan.park_id)
        )
    ).all()
    for plan_id in plan_ids:
        plan = session.get(RecurringPlan, plan_id)
        window_end = today + timedelta(days=plan.lead_days)
        if plan.park_id not in park_holidays:
            park_holidays[plan.park_id] = holidays(session, plan.park_id)
        for when in occurrences(plan, today, window_end, park_holidays[plan.park_id]):
            exists = session.exec(
                select(Campaign.id).where(
                    Campaign.recurring_plan_id == plan.id, Campaign.occurrence == when
                )
            ).first()
            if exists is not None:
                continue
            try:
                campaign = _make_campaign(session, plan, when)
                count = services.progress(session, campaign.id).total
                notify(
                    session,
                    team_members_of(session, plan),
                    kind="inspections_planned",
                    key=f"recurring:{plan.id}:{when.isoformat()}",
                    params={"plan": plan.name, "count": count, "date": when.isoformat()},
                    link=f"/campaigns/{campaign.id}",
                    park_id=plan.park_id,
                )
                plan.last_error = None
                session.commit()
            except DomainError as refused:
                # Nothing of the half-made campaign stays; the plan shows why.
                session.rollback()
                plan = session.get(RecurringPlan, plan_id)
                plan.last_error = f"{when.isoformat()}: {refused.message}"
                session.commit()
                result.problems += 1
                log.warning("recurring plan %s, %s: %s", plan_id, when, refused.message)
                continue
            except IntegrityError:  # planned at the same moment by someone else
                session.rollback()
                plan = session.get(RecurringPlan, plan_id)
                continue
            result.campaigns += 1
            result.inspections += count
    return result


def team_members_of(session: Session, plan: RecurringPlan) -> list[User]:
    """The plan's inspectors who are still active."""
    ids = json.loads(plan.inspector_ids or "[]")
    users = [session.get(User, user_id) for user_id in ids]
    return [u for u in users if u is not None and u.active and u.role == Role.INSPECTOR]


def _make_campaign(session: Session, plan: RecurringPlan, when: date) -> Campaign:
    actor = session.get(User, plan.created_by_id)
    if actor is None or not actor.active:
        raise DomainError(
            _("The plan's author no longer has an active account; edit and save the plan again.")
        )
    selection = services.Selection(
        park_id=plan.park_id, industry=plan.industry, risk=plan.risk, zone_id=plan.zone_id
    )
    enterprises = services.matching(session, selection)
    campaign = services.create_campaign(
        session,
        actor=actor,
        park=session.get(Park, plan.park_id),
        name=f"{plan.name}（{when.isoformat()}）",
        type=plan.type,
        description=None,
        start_date=when,
        due_date=when + timedelta(days=plan.duration_days),
        enforcement=False,
        enterprise_ids=[e.id for e in enterprises],
        version_ids=json.loads(plan.version_ids or "[]"),
        inspector_ids=json.loads(plan.inspector_ids or "[]"),
        over_cap_reason=plan.over_cap_reason,
    )
    campaign.recurring_plan_id = plan.id
    campaign.occurrence = when
    session.flush()
    return campaign


def save_plan(
    session: Session,
    *,
    actor: User,
    park: Park,
    plan: RecurringPlan | None,
    values: dict,
    expected_version: int | None = None,
) -> RecurringPlan:
    """Create or change a plan after checking it can be carried out."""
    if actor.role not in (Role.INSPECTOR, Role.SUPERVISOR):
        raise DomainError(_("Only inspectors and supervisors can plan inspections."))
    name = (values.get("name") or "").strip()
    if not name:
        raise DomainError(_("Give the plan a name, e.g. 每月危化品企业例行检查."))
    if values.get("recurrence") not in RECURRENCES:
        raise DomainError(_("Choose how often the plan repeats."))
    if values["recurrence"] != "before_holidays" and not 1 <= (values.get("day") or 0) <= 28:
        raise DomainError(_("The day must be from 1 to 28, so that every month has it."))
    for field_name in ("lead_days", "duration_days", "days_before_holiday"):
        value = values.get(field_name)
        if value is None or not 0 <= value <= 90:
            raise DomainError(_("Numbers of days must be from 0 to 90."))
    if not values.get("version_ids"):
        raise DomainError(_("Choose at least one checklist for the plan."))
    inspector_ids = list(values.get("inspector_ids") or [])
    if actor.role == Role.INSPECTOR and actor.id not in inspector_ids:
        inspector_ids.insert(0, actor.id)
    if not inspector_ids:
        raise DomainError(_("Choose at least one inspector for the plan."))
    team_members(session, inspector_ids, park=park)
    if plan is None:
        plan = RecurringPlan(
            park_id=park.id, name=name, recurrence=values["recurrence"], created_by_id=actor.id
        )
        session.add(plan)
    else:
        check_version(plan.version, expected_version)
        plan.version += 1
        plan.created_by_id = actor.id
    plan.name = name
    plan.recurrence = values["recurrence"]
    plan.type = values.get("type") or "routine"
    if plan.type not in labels.INSPECTION_TYPES:
        raise DomainError(_("Choose the type of inspection."))
    plan.day = values.get("day") or 1
    plan.days_before_holiday = values["days_before_holiday"]
    plan.lead_days = values["lead_days"]
    plan.duration_days = values["duration_days"]
    plan.industry = values.get("industry") or None
    plan.risk = values.get("risk") or None
    plan.zone_id = values.get("zone_id") or None
    plan.version_ids = json.dumps(list(values["version_ids"]))
    plan.inspector_ids = json.dumps(inspector_ids)
    plan.active = bool(values.get("active", True))
    plan.over_cap_reason = (values.get("over_cap_reason") or "").strip()[:500] or None
    plan.last_error = None
    session.flush()
    if plan.active:
        _check_caps(session, plan)
    return plan


def _check_caps(session: Session, plan: RecurringPlan) -> None:
    """Refuse a plan whose next occurrence goes beyond an enterprise's yearly cap without the
    reason (the nightly planner would refuse that occurrence anyway)."""
    when = next_occurrence(session, plan)
    if when is None:
        return
    selection = services.Selection(
        park_id=plan.park_id, industry=plan.industry, risk=plan.risk, zone_id=plan.zone_id
    )
    check_caps(
        session,
        enterprises=services.matching(session, selection),
        planned_date=when,
        type=plan.type,
        reason=plan.over_cap_reason,
    )


def add_holiday(
    session: Session, *, park: Park, name: str, start: date | None, end: date | None
) -> Holiday:
    """Record a holiday of the park; the end may be left out for a one-day holiday."""
    name = (name or "").strip()
    if not name or start is None:
        raise DomainError(_("Give the holiday's name and first day."))
    end = end or start
    if end < start:
        raise DomainError(_("A holiday cannot end before it starts."))
    if session.exec(
        select(Holiday.id).where(
            Holiday.park_id == park.id, Holiday.name == name, Holiday.start_date == start
        )
    ).first():
        raise DomainError(_("This holiday is already on the list."))
    holiday = Holiday(park_id=park.id, name=name[:64], start_date=start, end_date=end)
    session.add(holiday)
    session.flush()
    return holiday
