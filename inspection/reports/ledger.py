"""An enterprise's hazard ledger (隐患台账) as a PDF: what goes into it."""

from __future__ import annotations

from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.auth.scope import Scope
from inspection.enterprises.models import Enterprise
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardState
from inspection.parks.models import Park
from inspection.statistics import summary
from inspection.statistics.figures import Subject
from inspection.statistics.periods import Period


def context(session: Session, enterprise: Enterprise, step=lambda stage, progress: None) -> dict:
    """The enterprise, this year's figures and every hazard it has had (voided ones left out)."""
    step("figures", 10)
    period = Period.year(clock.today().year)
    parks = Scope(park_id=enterprise.park_id)
    figures = summary.summarise(session, period, Subject(parks, "enterprise", str(enterprise.id)))
    step("hazards", 40)
    hazards = list(
        session.exec(
            select(Hazard)
            .where(Hazard.enterprise_id == enterprise.id, Hazard.state != HazardState.VOIDED)
            .order_by(Hazard.found_at, Hazard.id)
        )
    )
    people = {
        user.id: user.display_name
        for user in session.exec(
            select(User).where(
                User.id.in_({h.reviewed_by_id for h in hazards if h.reviewed_by_id})
                | User.id.in_({h.found_by_id for h in hazards})
            )
        )
    }
    return {
        "park": session.get(Park, enterprise.park_id),
        "enterprise": enterprise,
        "period": period,
        "summary": figures,
        "hazards": hazards,
        "people": people,
        "generated_at": clock.now(),
        "today": clock.today(),
    }
