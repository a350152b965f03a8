"""Applying the records a tablet made offline, each exactly once, with an answer for each.

The rules when the server moved on while the device was offline:
- answers from the field win for the inspection in hand: the device's answer replaces the
  server's, and the inspector is told whose answer it replaced;
- workflow decisions made on the server are kept: if the inspection was completed or the
  inspector taken off its team, the record is refused with that reason, never applied over it;
- every record's id is made on the device and its outcome kept as a receipt, so a record sent
  twice (a lost reply, the same batch again) gets the first answer and changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection import labels
from inspection.api import schemas
from inspection.api.in_hand import inspection_in_hand
from inspection.api.models import Outcome
from inspection.api.models import SyncReceipt
from inspection.api.uploads import PhotosMissing
from inspection.api.uploads import photos_by_uuid
from inspection.auth.models import User
from inspection.errors import DomainError
from inspection.hazards.models import Hazard
from inspection.hazards.recording import FoundHazard
from inspection.hazards.recording import record_hazard
from inspection.inspections import answers
from inspection.inspections import services as inspection_services
from inspection.inspections import signatures
from inspection.inspections.models import Answer
from inspection.inspections.models import Inspection


@dataclass
class Applied:
    """What applying one record made on the server."""

    server_id: int | None
    server_version: int | None = None
    number: str | None = None
    note: str | None = None


def apply_batch(session: Session, user: User, batch: schemas.Batch) -> list[schemas.RecordResult]:
    """Apply each record in order, each in its own savepoint, and answer for each.

    A record that cannot be read is refused on its own; an inspection with a record still
    waiting for its photos is not completed by a later record of the same batch.
    """
    results = []
    waiting: set[int] = set()
    for raw in batch.records:
        try:
            record = schemas.RECORD.validate_python(raw)
        except ValidationError as error:
            results.append(_unreadable(raw, error))
            continue
        if record.kind == "completion" and record.inspection in waiting:
            results.append(
                schemas.RecordResult(
                    id=str(record.id),
                    kind=record.kind,
                    outcome=Outcome.RETRY,
                    reason=_(
                        "Records of this inspection sent before it are still waiting for their"
                        " photos; it is completed once they have arrived."
                    ),
                )
            )
            continue
        result = apply_record(session, user, record)
        if result.outcome == Outcome.RETRY:
            waiting.add(record.inspection)
        results.append(result)
    return results


def _unreadable(raw: dict, error: ValidationError) -> schemas.RecordResult:
    """The answer to a record that does not match its kind's shape: refused, naming the fields."""
    problems = "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'][1:] or problem['loc'])}: {problem['msg']}"
        for problem in error.errors(include_url=False, include_input=False)
    )
    return schemas.RecordResult(
        id=str(raw.get("id", ""))[:64],
        kind=str(raw.get("kind", ""))[:16],
        outcome=Outcome.REJECTED,
        reason=_(
            "This record could not be read (%(problems)s), so it was not applied. Correct it and"
            " send it as a new record.",
            problems=problems,
        ),
    )


# Optional record fields added after devices were already sending records.
LATER_FIELDS = ("occurrence_link",)


def body_hash(record) -> str:
    """A fingerprint of a record's content, to tell a true resend from a changed record.

    Fields added later are left out while empty, so a record kept before they existed and
    sent again afterwards still fingerprints as it did."""
    added_later = {name for name in LATER_FIELDS if getattr(record, name, None) is None}
    return hashlib.sha256(record.model_dump_json(exclude=added_later).encode()).hexdigest()


def apply_record(
    session: Session, user: User, record, *, again: bool = False
) -> schemas.RecordResult:
    """Apply one record once: a record seen before gets the answer it got then."""
    record_id = str(record.id)
    receipt = session.get(SyncReceipt, record_id)
    if receipt is not None:
        return _repeat(session, receipt, record, user)
    inspection_id = record.inspection if session.get(Inspection, record.inspection) else None
    number = None
    try:
        with session.begin_nested():
            applied = HANDLERS[record.kind](session, user, record)
            number = applied.number
            receipt = _keep_receipt(
                session,
                record,
                user,
                inspection_id,
                outcome=Outcome.ACCEPTED,
                note=applied.note,
                server_id=applied.server_id,
                server_version=applied.server_version,
            )
    except PhotosMissing as waiting:
        return schemas.RecordResult(
            id=str(record.id),
            kind=record.kind,
            outcome=Outcome.RETRY,
            reason=ngettext(
                "%(num)d of its photos has not fully arrived yet; it will be sent again with it.",
                "%(num)d of its photos have not fully arrived yet; it will be sent again"
                " with them.",
                waiting.count,
            ),
        )
    except DomainError as refused:
        try:
            with session.begin_nested():
                receipt = _keep_receipt(
                    session,
                    record,
                    user,
                    inspection_id,
                    outcome=Outcome.REJECTED,
                    reason=refused.message,
                )
        except IntegrityError:
            return _raced(session, user, record, again)
    except IntegrityError:
        return _raced(session, user, record, again)
    return _result(receipt, number=number)


def _raced(session: Session, user: User, record, again: bool) -> schemas.RecordResult:
    """Another request wrote the same row at the same moment; that row is committed now."""
    receipt = session.get(SyncReceipt, str(record.id), populate_existing=True)
    if receipt is not None:
        # The same record arrived through another request; that one won.
        return _repeat(session, receipt, record, user)
    if again:
        raise RuntimeError(f"record {record.id} collided twice")
    # Another record made the same row (two inspectors giving an item its first answer):
    # apply this record over it.
    return apply_record(session, user, record, again=True)


def _keep_receipt(
    session: Session, record, user: User, inspection_id: int | None, **outcome
) -> SyncReceipt:
    """Write down the answer given to a record, so that sending it again changes nothing."""
    receipt = SyncReceipt(
        record_id=str(record.id),
        user_id=user.id,
        kind=record.kind,
        body_hash=body_hash(record),
        inspection_id=inspection_id,
        **outcome,
    )
    session.add(receipt)
    session.flush()
    return receipt


def _result(receipt: SyncReceipt, *, number: str | None = None, repeated: bool = False):
    return schemas.RecordResult(
        id=receipt.record_id,
        kind=receipt.kind,
        outcome=receipt.outcome,
        reason=receipt.reason,
        note=receipt.note,
        server_id=receipt.server_id,
        server_version=receipt.server_version,
        number=number,
        repeated=repeated,
    )


def _repeat(session: Session, receipt: SyncReceipt, record, user: User) -> schemas.RecordResult:
    if receipt.user_id != user.id or receipt.kind != record.kind:
        return schemas.RecordResult(
            id=str(record.id),
            kind=record.kind,
            outcome=Outcome.REJECTED,
            reason=_("Another record already has this id. Nothing was changed."),
        )
    if receipt.body_hash != body_hash(record):
        return schemas.RecordResult(
            id=str(record.id),
            kind=record.kind,
            outcome=Outcome.REJECTED,
            reason=_(
                "This record was changed after it was first sent, so the change was not applied."
                " Send the change as a new record."
            ),
        )
    number = None
    if receipt.kind == "hazard" and receipt.server_id:
        hazard = session.get(Hazard, receipt.server_id)
        number = hazard.number if hazard else None
    return _result(receipt, number=number, repeated=True)


def apply_answer(session: Session, user: User, record: schemas.AnswerRecord) -> Applied:
    """The field's answer wins; if it replaced a different one given on the server, say so."""
    inspection = inspection_in_hand(session, user, record.inspection)
    item = answers.item_of(session, inspection, record.item)
    photos = photos_by_uuid(session, user, inspection, [str(p) for p in record.photos])
    before = session.exec(
        select(Answer).where(Answer.inspection_id == inspection.id, Answer.item_id == item.id)
    ).first()
    replaced = None
    if before is not None and before.result and before.version != (record.base_version or 0):
        replaced = (before.answered_by_id, before.answered_at, before.result)
    answer = answers.record_answer(
        session,
        inspection=inspection,
        item=item,
        actor=user,
        result=record.result,
        number=record.number,
        choice=record.choice,
        text=record.text,
        comment=record.comment,
    )
    for photo in photos:
        if photo.hazard_id is None and photo.answer_id in (None, answer.id):
            photo.answer_id = answer.id
    note = None
    if replaced is not None and replaced[0] != user.id:
        who = session.get(User, replaced[0])
        note = _(
            "Your answer replaced “%(result)s” given on the server by %(name)s at %(time)s.",
            result=labels.label(labels.ANSWER_RESULTS, replaced[2]),
            name=who.display_name if who else "?",
            time=clock.local(replaced[1]).strftime("%m-%d %H:%M"),
        )
    session.flush()
    return Applied(server_id=answer.id, server_version=answer.version, note=note)


def apply_hazard(session: Session, user: User, record: schemas.HazardRecord) -> Applied:
    """Record a hazard logged on the device, closed at once if it was fixed on the spot."""
    inspection = inspection_in_hand(session, user, record.inspection)
    before = photos_by_uuid(session, user, inspection, [str(p) for p in record.photos])
    after = photos_by_uuid(session, user, inspection, [str(p) for p in record.after_photos])
    found = FoundHazard(
        **record.model_dump(
            include={
                "title",
                "description",
                "location",
                "level",
                "category",
                "basis",
                "deadline",
                "required_measures",
                "override_reason",
                "occurrence_link",
                "latitude",
                "longitude",
                "found_at",
                "fixed_on_spot",
                "fix_note",
            }
        ),
        item_id=record.item,
        device_id=str(record.id),
        photo_ids=[photo.id for photo in before],
        after_photo_ids=[photo.id for photo in after],
    )
    hazard = record_hazard(session, inspection=inspection, actor=user, found=found)
    session.flush()
    return Applied(server_id=hazard.id, server_version=hazard.version, number=hazard.number)


def apply_signature(session: Session, user: User, record: schemas.SignatureRecord) -> Applied:
    """Keep a signature drawn on the device."""
    inspection = inspection_in_hand(session, user, record.inspection)
    signature = signatures.sign(
        session,
        inspection=inspection,
        actor=user,
        role=record.role,
        signer_user_id=record.user,
        signer_name=record.signer_name,
        image=signatures.decode_signature(record.image),
    )
    return Applied(server_id=signature.id)


def apply_completion(session: Session, user: User, record: schemas.CompletionRecord) -> Applied:
    """Complete the inspection once everyone has signed."""
    inspection = inspection_in_hand(session, user, record.inspection)
    inspection_services.complete_inspection(
        session, inspection=inspection, actor=user, summary=record.summary
    )
    return Applied(server_id=inspection.id, server_version=inspection.version)


HANDLERS = {
    "answer": apply_answer,
    "hazard": apply_hazard,
    "signature": apply_signature,
    "completion": apply_completion,
}
