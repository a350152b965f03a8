"""Reading campaigns and recurring plans, scoped to the parks the user works in."""

from __future__ import annotations

from sqlmodel import Session
from sqlmodel import select

from inspection.auth.models import User
from inspection.auth.scope import request_scope
from inspection.campaigns.models import Campaign
from inspection.campaigns.models import Holiday
from inspection.campaigns.models import RecurringPlan


def visible_campaigns(user: User):
    """A select of the campaigns of the user's parks (enterprise users see none)."""
    return select(Campaign).where(request_scope(user).rows(Campaign.park_id))


def get_campaign(session: Session, user: User, campaign_id: int) -> Campaign | None:
    """One campaign, if it is of the user's parks."""
    return session.exec(visible_campaigns(user).where(Campaign.id == campaign_id)).first()


def get_plan(session: Session, user: User, plan_id: int) -> RecurringPlan | None:
    """One recurring plan, if it is of the user's parks."""
    return session.exec(
        select(RecurringPlan).where(
            RecurringPlan.id == plan_id, request_scope(user).rows(RecurringPlan.park_id)
        )
    ).first()


def get_holiday(session: Session, user: User, holiday_id: int) -> Holiday | None:
    """One holiday, if it is of the user's parks."""
    return session.exec(
        select(Holiday).where(Holiday.id == holiday_id, request_scope(user).rows(Holiday.park_id))
    ).first()
