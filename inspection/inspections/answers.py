"""Going through checklists in an inspection: which versions it uses, the answers, progress."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.checklists import queries as checklist_queries
from inspection.checklists.models import AnswerType
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistVersion
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.errors import check_version
from inspection.inspections.models import Answer
from inspection.inspections.models import AnswerResult
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionChecklist
from inspection.inspections.models import InspectionInspector
from inspection.inspections.models import InspectionStatus
from inspection.inspections.services import ensure_started


def _check_team(session: Session, inspection: Inspection, actor: User) -> None:
    if session.get(InspectionInspector, (inspection.id, actor.id)) is None:
        raise Forbidden(_("You are not on this inspection's team."))
    if inspection.status == InspectionStatus.COMPLETED:
        raise DomainError(_("This inspection is completed; its answers can no longer change."))


def add_checklist(
    session: Session, *, inspection: Inspection, version: ChecklistVersion, actor: User
) -> InspectionChecklist:
    """Use a published checklist version in this inspection (it keeps that exact version)."""
    _check_team(session, inspection, actor)
    checklist_queries.check_usable(
        session, version, session.get(Enterprise, inspection.enterprise_id)
    )
    existing = session.exec(
        select(InspectionChecklist)
        .join(ChecklistVersion, ChecklistVersion.id == InspectionChecklist.version_id)
        .where(
            InspectionChecklist.inspection_id == inspection.id,
            ChecklistVersion.template_id == version.template_id,
        )
    ).first()
    if existing is not None:
        raise DomainError(_("This checklist is already part of the inspection."))
    count = len(versions_of(session, inspection.id))
    link = InspectionChecklist(
        inspection_id=inspection.id, version_id=version.id, position=count + 1
    )
    session.add(link)
    session.flush()
    return link


def _check_item(session: Session, inspection: Inspection, item: ChecklistItem | None) -> None:
    # By primary key: the session's identity map answers repeated answers without a query.
    if item is None or session.get(InspectionChecklist, (inspection.id, item.version_id)) is None:
        raise DomainError(_("This item is not on a checklist of this inspection."))


def item_of(session: Session, inspection: Inspection, item_id: int) -> ChecklistItem:
    """An item of one of the inspection's checklists, by id; anything else is refused."""
    item = session.get(ChecklistItem, item_id)
    _check_item(session, inspection, item)
    return item


def versions_of(session: Session, inspection_id: int) -> list[ChecklistVersion]:
    """The checklist versions an inspection uses, in the order they were added."""
    return list(
        session.exec(
            select(ChecklistVersion)
            .join(InspectionChecklist, InspectionChecklist.version_id == ChecklistVersion.id)
            .where(InspectionChecklist.inspection_id == inspection_id)
            .order_by(InspectionChecklist.position)
        )
    )


def evaluate(
    item: ChecklistItem,
    *,
    result: str | None,
    number: float | None,
    choice: str | None,
    text: str | None,
) -> str:
    """Decide an answer's result from what was given, by the item's answer type."""
    if result == AnswerResult.NOT_APPLICABLE:
        return AnswerResult.NOT_APPLICABLE
    if item.answer_type == AnswerType.NUMBER and number is not None:
        low = item.number_min if item.number_min is not None else float("-inf")
        high = item.number_max if item.number_max is not None else float("inf")
        return AnswerResult.PASS if low <= number <= high else AnswerResult.FAIL
    if item.answer_type == AnswerType.CHOICE and choice is not None:
        if choice not in json.loads(item.choices):
            raise DomainError(_("“%(value)s” is not one of this item's choices.", value=choice))
        return AnswerResult.FAIL if choice in json.loads(item.fail_choices) else AnswerResult.PASS
    if item.answer_type == AnswerType.TEXT and text:
        return result if result in (AnswerResult.PASS, AnswerResult.FAIL) else AnswerResult.PASS
    if result in (AnswerResult.PASS, AnswerResult.FAIL):
        return result
    raise DomainError(_("Choose pass, fail or not applicable for this item."))


def record_answer(
    session: Session,
    *,
    inspection: Inspection,
    item: ChecklistItem,
    actor: User,
    result: str | None = None,
    number: float | None = None,
    choice: str | None = None,
    text: str | None = None,
    comment: str | None = None,
    expected_version: int | None = None,
) -> Answer:
    """Save (or change) the answer to one item, as soon as the inspector gives it."""
    _check_team(session, inspection, actor)
    _check_item(session, inspection, item)
    outcome = evaluate(item, result=result, number=number, choice=choice, text=text)
    answer = session.exec(
        select(Answer)
        .where(Answer.inspection_id == inspection.id, Answer.item_id == item.id)
        .with_for_update()
    ).first()
    if answer is not None and expected_version is not None:
        check_version(answer.version, expected_version)
    given = Given(item, result, number, choice, text, comment)
    answer = _write(session, inspection, actor, answer, given, outcome, clock.now())
    ensure_started(inspection)
    session.flush()
    return answer


@dataclass(frozen=True)
class Given:
    """What an inspector gave for one item."""

    item: ChecklistItem
    result: str | None = None
    number: float | None = None
    choice: str | None = None
    text: str | None = None
    comment: str | None = None


def record_answers(
    session: Session, *, inspection: Inspection, actor: User, given: list[Given]
) -> list[Answer]:
    """Save the answers to many items of the inspection at once, by the same rules as
    `record_answer` one by one (a visit written up afterwards, such as the demo's past
    visits): the items' existing answers are read in one query and written in one flush."""
    _check_team(session, inspection, actor)
    outcomes = []
    checked_versions = set()
    for one in given:
        if one.item is None or one.item.version_id not in checked_versions:
            _check_item(session, inspection, one.item)
            checked_versions.add(one.item.version_id)
        outcomes.append(
            evaluate(
                one.item, result=one.result, number=one.number, choice=one.choice, text=one.text
            )
        )
    existing = {
        answer.item_id: answer
        for answer in session.exec(
            select(Answer)
            .where(
                Answer.inspection_id == inspection.id,
                Answer.item_id.in_([one.item.id for one in given]),
            )
            .with_for_update()
        )
    }
    now = clock.now()
    written = []
    for one, outcome in zip(given, outcomes, strict=True):
        # An item given twice is answered twice, as one by one: the second changes the first.
        answer = _write(session, inspection, actor, existing.get(one.item.id), one, outcome, now)
        existing[one.item.id] = answer
        written.append(answer)
    if written:
        ensure_started(inspection)
    session.flush()
    return written


def _write(
    session: Session,
    inspection: Inspection,
    actor: User,
    answer: Answer | None,
    given: Given,
    outcome: str,
    now,
) -> Answer:
    if answer is None:
        answer = Answer(inspection_id=inspection.id, item_id=given.item.id, answered_by_id=actor.id)
        session.add(answer)
    else:
        answer.version += 1
    answer.result = outcome
    answer.number_value = given.number
    answer.choice_value = given.choice
    answer.text_value = (given.text or "").strip() or None
    if given.comment is not None:
        answer.comment = given.comment.strip() or None
    answer.answered_by_id = actor.id
    answer.answered_at = now
    return answer


def answers_of(session: Session, inspection_id: int) -> dict[int, Answer]:
    """An inspection's answers keyed by item id."""
    return {
        answer.item_id: answer
        for answer in session.exec(select(Answer).where(Answer.inspection_id == inspection_id))
    }


@dataclass
class Progress:
    """How far a checklist has been gone through."""

    answered: int
    total: int
    failed: int

    @property
    def percent(self) -> int:
        return round(self.answered / self.total * 100) if self.total else 100


def progress(
    session: Session, version_id: int, answers: dict[int, Answer]
) -> tuple[Progress, list[ChecklistItem]]:
    """Answered, total and failed items of one checklist version in an inspection."""
    items = [
        item
        for group in checklist_queries.items_by_section(session, version_id).values()
        for item in group
    ]
    answered = [answers[i.id] for i in items if i.id in answers and answers[i.id].result]
    failed = sum(1 for a in answered if a.result == AnswerResult.FAIL)
    return Progress(answered=len(answered), total=len(items), failed=failed), items


def answer_for_photo(
    session: Session, *, inspection: Inspection, item: ChecklistItem, actor: User
) -> Answer:
    """The answer a photo of an item belongs to (created, still unanswered, if needed)."""
    _check_team(session, inspection, actor)
    _check_item(session, inspection, item)
    answer = session.exec(
        select(Answer).where(Answer.inspection_id == inspection.id, Answer.item_id == item.id)
    ).first()
    if answer is None:
        answer = Answer(inspection_id=inspection.id, item_id=item.id, answered_by_id=actor.id)
        session.add(answer)
        session.flush()
    return answer
