"""Filing an enterprise's quarterly or annual hazard statistics, signed by its principal person
in charge (主要负责人, 16号令 第十四条)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.filings import periods
from inspection.filings.models import StatisticsFiling
from inspection.storage import content

COUNTS = ("found", "found_major", "rectified", "rectified_major", "still_open", "funding_yuan")


@dataclass(kw_only=True)
class FiledStatistics:
    """What the enterprise files: the figures, its analysis and the principal's signature."""

    period: str
    found: int | None
    found_major: int | None
    rectified: int | None
    rectified_major: int | None
    still_open: int | None
    funding_yuan: int | None
    analysis: str | None
    principal_name: str | None
    signature: bytes


def file_statistics(
    session: Session, *, enterprise: Enterprise, actor: User, filed: FiledStatistics
) -> StatisticsFiling:
    """File the statistics of a period that has ended, once per period."""
    if actor.role != Role.ENTERPRISE or actor.enterprise_id != enterprise.id:
        raise Forbidden(_("Only the enterprise's own users can file its statistics."))
    period = periods.parse(filed.period)
    if period is None:
        raise DomainError(_("Choose the quarter or year the statistics are for."))
    if period.end >= clock.today():
        raise DomainError(
            _(
                "The period %(period)s has not ended yet; file its statistics after %(end)s.",
                period=period.code,
                end=period.end.isoformat(),
            )
        )
    counts = {name: getattr(filed, name) for name in COUNTS}
    if any(value is None or value < 0 for value in counts.values()):
        raise DomainError(_("Fill in every figure with a whole number, 0 or more."))
    if counts["found_major"] > counts["found"] or counts["rectified"] > counts["found"]:
        raise DomainError(
            _("Major and rectified hazards cannot outnumber the hazards found. Check the figures.")
        )
    if counts["rectified_major"] > min(counts["found_major"], counts["rectified"]):
        raise DomainError(_("Rectified major hazards cannot outnumber major or rectified hazards."))
    analysis = (filed.analysis or "").strip()
    if not analysis:
        raise DomainError(
            _("Write the analysis: what the figures show and what the enterprise will do.")
        )
    principal = (filed.principal_name or "").strip()
    if not principal:
        raise DomainError(
            _(
                "Write the name of the principal person in charge (主要负责人): the statistics"
                " are signed by them (《安全生产事故隐患排查治理暂行规定》第十四条)."
            )
        )
    if (
        session.exec(
            select(StatisticsFiling.id).where(
                StatisticsFiling.enterprise_id == enterprise.id,
                StatisticsFiling.period == period.code,
            )
        ).first()
        is not None
    ):
        raise DomainError(
            _(
                "The statistics for %(period)s are already filed. Nothing was changed.",
                period=period.code,
            )
        )
    filing = StatisticsFiling(
        park_id=enterprise.park_id,
        enterprise_id=enterprise.id,
        period=period.code,
        **counts,
        analysis=analysis,
        principal_name=principal[:64],
        signature_sha256=content().put(filed.signature),
        filed_by_id=actor.id,
        filed_at=clock.now(),
    )
    session.add(filing)
    session.flush()
    return filing
