"""一公开: a drawn enterprise's result, 录入 → 审核 → 公示, and its publication deadline."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.campaigns.models import Holiday
from inspection.draws.models import DrawResult
from inspection.draws.models import DrawTask
from inspection.draws.models import ResultState
from inspection.enterprises.models import Enterprise
from inspection.errors import Conflict
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.notifications.services import notify
from inspection.notifications.services import supervisors

# Result codes: the national market-supervision ones (kept so the data can be exchanged) and
# the safety ones added for 应急 inspections.
RESULT_CODES: dict[str, object] = {
    "1": _l("No problem found"),  # 未发现问题
    "E": _l("Problems found and corrected as ordered"),  # 发现问题已责令改正
    "A": _l("Problems found, awaiting further handling"),  # 发现问题待后续处理
    "5": _l("Violates other departments' rules"),  # 违反其他部门相关规定
    "6": _l("Cannot be reached at the registered address"),  # 通过登记的住所无法联系
    "7": _l("Closed down or in liquidation"),  # 已关闭停业或正在组织清算
    "8": _l("Refused to cooperate with the inspection"),  # 不配合检查
    "F": _l("None of the inspected business activities found"),  # 未发现开展本次抽查涉及的经营活动
    "S1": _l("General hazards found and ordered corrected"),  # 发现一般隐患已责令改正
    "S2": _l("Major accident hazards found, ordered corrected by a deadline"),
    "S3": _l("Case opened for investigation"),  # 立案查处
}
DEFAULT_WORKING_DAYS = 20


def working_days_after(day: date, working_days: int, holidays: list[Holiday]) -> date:
    """The day `working_days` working days after `day`, skipping weekends and holidays."""
    left = working_days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5 and not any(h.start_date <= day <= h.end_date for h in holidays):
            left -= 1
    return day


def publication_deadline(session: Session, park_id: int, inspected_on: date) -> date:
    """The day a result must be published by: 20 working days after the inspection, or as
    many as `INSPECTION_DRAW_PUBLISH_WORKING_DAYS` says."""
    days = int(current_app.config.get("DRAW_PUBLISH_WORKING_DAYS", DEFAULT_WORKING_DAYS))
    holidays = list(session.exec(select(Holiday).where(Holiday.park_id == park_id)))
    return working_days_after(inspected_on, days, holidays)


def _check_version(result: DrawResult, version: int | None) -> None:
    if version is not None and version != result.version:
        raise Conflict(
            _("Someone changed this result while you were editing. Reload it and try again.")
        )


def enter_result(
    session: Session,
    *,
    result: DrawResult,
    actor: User,
    codes: list[str],
    inspected_on: date | None,
    follow_up: str | None,
    note: str | None,
    version: int | None = None,
) -> DrawResult:
    """录入: record the result of inspecting a drawn enterprise."""
    if actor.role not in (Role.INSPECTOR, Role.SUPERVISOR):
        raise Forbidden(_("Only inspectors and supervisors record results."))
    _check_version(result, version)
    if result.withdrawn:
        raise DomainError(_("This enterprise was withdrawn from the draw."))
    if result.state in (ResultState.REVIEWED, ResultState.PUBLISHED):
        raise DomainError(_("This result has been reviewed; it can no longer be changed."))
    codes = [c for c in dict.fromkeys(codes) if c]
    if not codes:
        raise DomainError(_("Choose at least one result code."))
    unknown = [c for c in codes if c not in RESULT_CODES]
    if unknown:
        raise DomainError(_("Unknown result code %(code)s.", code=unknown[0]))
    if inspected_on is None:
        raise DomainError(_("Give the date of the inspection."))
    if inspected_on > clock.today():
        raise DomainError(_("The inspection date cannot be in the future."))
    result.codes = ",".join(codes)
    result.inspected_on = inspected_on
    result.follow_up = (follow_up or "").strip() or None
    result.note = (note or "").strip() or None
    result.publish_by = publication_deadline(session, result.park_id, inspected_on)
    result.state = ResultState.ENTERED
    result.entered_by_id = actor.id
    result.version += 1
    session.add(result)
    session.flush()
    return result


def review_result(
    session: Session,
    *,
    result: DrawResult,
    actor: User,
    approve: bool,
    opinion: str | None,
    version: int | None = None,
) -> DrawResult:
    """审核: a supervisor other than who entered the result approves it or sends it back."""
    if actor.role != Role.SUPERVISOR:
        raise Forbidden(_("Only a supervisor reviews results."))
    _check_version(result, version)
    if result.state != ResultState.ENTERED:
        raise DomainError(_("Only an entered result waits for review."))
    if result.entered_by_id == actor.id:
        raise DomainError(_("Someone other than who entered the result must review it."))
    opinion = (opinion or "").strip() or None
    if not approve and not opinion:
        raise DomainError(_("Say what must be corrected when sending a result back."))
    result.state = ResultState.REVIEWED if approve else ResultState.RETURNED
    result.reviewed_by_id = actor.id
    result.review_opinion = opinion
    result.version += 1
    session.add(result)
    session.flush()
    return result


def publish_result(
    session: Session, *, result: DrawResult, actor: User, version: int | None = None
) -> DrawResult:
    """公示: publish a reviewed result on the task's public page."""
    if actor.role not in (Role.INSPECTOR, Role.SUPERVISOR):
        raise Forbidden(_("Only inspectors and supervisors publish results."))
    _check_version(result, version)
    if result.state == ResultState.PUBLISHED:
        raise DomainError(_("This result is already published."))
    if result.state != ResultState.REVIEWED:
        raise DomainError(
            _("A result is published only after its review (审核). Send it for review first.")
        )
    result.state = ResultState.PUBLISHED
    result.published_at = clock.now()
    result.version += 1
    session.add(result)
    session.flush()
    return result


def remind_late(session: Session, today: date | None = None) -> int:
    """Tell the park's supervisors, once, of each result past its publication deadline."""
    today = today or clock.today()
    late = session.exec(
        select(DrawResult, DrawTask, Enterprise)
        .join(DrawTask, DrawTask.id == DrawResult.task_id)
        .join(Enterprise, Enterprise.id == DrawResult.enterprise_id)
        .where(
            DrawResult.state != ResultState.PUBLISHED,
            DrawResult.withdrawn.is_(False),
            DrawResult.publish_by.is_not(None),
            DrawResult.publish_by < today,
            DrawResult.reminded_at.is_(None),
        )
    ).all()
    for result, task, enterprise in late:
        recipients = supervisors(session, result.park_id)
        if result.entered_by_id:
            recipients.append(session.get(User, result.entered_by_id))
        notify(
            session,
            recipients,
            kind="draw_result_late",
            key=f"draw-result-late:{result.id}",
            params={
                "task": task.name,
                "enterprise": enterprise.name,
                "deadline": result.publish_by.isoformat(),
            },
            link=f"/draws/tasks/{task.id}",
            park_id=result.park_id,
        )
        result.reminded_at = clock.now()
        session.add(result)
    session.flush()
    return len(late)
