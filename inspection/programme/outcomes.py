"""专项整治 outcomes: how each enterprise a campaign covers ends (关停, 整治提升, 搬迁, 保留,
未完成), with its date and evidence."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.campaigns.models import Campaign
from inspection.errors import DomainError
from inspection.evidence.documents import CheckedDocument
from inspection.i18n import lazy_gettext as _l
from inspection.inspections.models import Inspection
from inspection.programme.models import CampaignOutcome
from inspection.programme.models import Outcome
from inspection.storage import content

OUTCOMES = {
    Outcome.CLOSED_DOWN: _l("Closed down (关停)"),
    Outcome.RECTIFIED: _l("Rectified (整治提升)"),
    Outcome.RELOCATED_IN_COUNTY: _l("Relocated within the county (县内搬迁)"),
    Outcome.RELOCATED_OUT: _l("Relocated out of the county (县外搬迁)"),
    Outcome.KEPT: _l("Kept (保留)"),
    Outcome.UNFINISHED: _l("Not finished (未完成)"),
}


def covered(session: Session, campaign: Campaign) -> list[int]:
    """The enterprises a campaign covers: those it plans an inspection of."""
    return list(
        session.exec(
            select(Inspection.enterprise_id).where(Inspection.campaign_id == campaign.id).distinct()
        ).all()
    )


def record_outcome(
    session: Session,
    *,
    campaign: Campaign,
    actor: User,
    enterprise_id: int,
    outcome: str,
    decided_on: date | None,
    note: str | None,
    document: CheckedDocument | None,
) -> CampaignOutcome:
    """Record (or correct) one covered enterprise's outcome; a final one needs its evidence."""
    if outcome not in set(Outcome):
        raise DomainError(_("Choose the outcome."))
    if enterprise_id not in covered(session, campaign):
        raise DomainError(_("This enterprise is not covered by the campaign."))
    row = session.exec(
        select(CampaignOutcome).where(
            CampaignOutcome.campaign_id == campaign.id,
            CampaignOutcome.enterprise_id == enterprise_id,
        )
    ).first()
    if (
        document is None
        and outcome != Outcome.UNFINISHED
        and (row is None or not row.evidence_sha256)
    ):
        raise DomainError(
            _("Attach the evidence of the outcome (the closure order, photos, the acceptance).")
        )
    if row is None:
        row = CampaignOutcome(
            park_id=campaign.park_id,
            campaign_id=campaign.id,
            enterprise_id=enterprise_id,
            outcome=outcome,
            decided_on=decided_on or clock.today(),
            recorded_by_id=actor.id,
        )
        session.add(row)
    else:
        row.version += 1
    row.outcome = outcome
    row.decided_on = decided_on or clock.today()
    row.note = (note or "").strip() or None
    row.recorded_by_id = actor.id
    row.recorded_at = clock.now()
    if document is not None:
        row.evidence_sha256 = content().put(document.data)
        row.evidence_name = document.filename or "evidence"
        row.evidence_type = document.content_type
    session.flush()
    return row
