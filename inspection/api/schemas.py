"""The shapes the API accepts and answers with; pydantic checks them and describes them.

Every id the database keeps as a 32-bit integer is bounded here, text refuses NUL characters
(PostgreSQL cannot store them) and numbers must be finite, so nonsense is refused with a 422
that names the field instead of reaching the database.
"""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Annotated
from typing import Any
from typing import Literal
from uuid import UUID

from pydantic import AfterValidator
from pydantic import AwareDatetime
from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import Field
from pydantic import GetJsonSchemaHandler
from pydantic import StringConstraints
from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from inspection import clock
from inspection.hazards.models import HazardCategory
from inspection.hazards.models import OccurrenceLink

MAX_ID = 2**31 - 1
MAX_BATCH = 200
MAX_PHOTO_BYTES = 20 * 1024 * 1024


NO_NUL = r"^[^\x00]*$"
UUID_TEXT = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)


class Described:
    """Adds keywords to a type's JSON schema: what a validator checks, the document says too."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.update(
            {key: value() if callable(value) else value for key, value in self.keywords.items()}
        )
        return schema


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


def _json_number(value: Any) -> Any:
    """Only a JSON number is a number: pydantic alone would take "12" or true for one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    return value


def _json_uuid(value: Any) -> Any:
    """Only the hyphenated text form, as the document's "uuid" format says."""
    if not isinstance(value, str) or not UUID_TEXT.match(value):
        raise ValueError("must be a UUID such as 0b6c1f8e-6d3a-4c53-9f0e-2a4c6e8b1d57")
    return value


def _sane_time(value: datetime) -> datetime:
    try:
        moment = value.astimezone(UTC)
    except (OverflowError, ValueError) as error:
        raise ValueError("time out of range") from error
    if not 2000 <= moment.year <= 2100:
        raise ValueError("time out of range (2000–2100)")
    return moment


def _alternatives(values: range, width: int = 2) -> str:
    return "|".join(f"{value:0{width}d}" for value in values)


def _days_upto(last: int) -> str:
    return f"(?:{_alternatives(range(1, last + 1))})"


def photo_time_pattern(latest: date) -> str:
    """A date-time written on a day from 2000-01-01 to `latest`, as RFC 3339 and pydantic read it.

    JSON Schema has no bounds for a date-time, so the bounds are written into a pattern.
    """
    any_day = "(?:0[1-9]|[12][0-9]|3[01])"
    any_month = "(?:0[1-9]|1[0-2])"
    days = []
    if latest.year > 2000:
        days.append(f"(?:{_alternatives(range(2000, latest.year), 4)})-{any_month}-{any_day}")
    if latest.month > 1:
        months = _alternatives(range(1, latest.month))
        days.append(f"{latest.year}-(?:{months})-{any_day}")
    days.append(f"{latest.year}-{latest.month:02d}-{_days_upto(latest.day)}")
    time = "T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,6})?"
    offset = "(?:Z|[+-](?:0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)"
    return f"^(?:{'|'.join(days)}){time}{offset}$"


def latest_photo_day() -> date:
    """The last day a photo may say it was taken on: tomorrow by the server's clock (UTC)."""
    return clock.now().astimezone(UTC).date() + timedelta(days=1)


def _photo_time_text(value: Any) -> Any:
    if not isinstance(value, str) or not re.match(photo_time_pattern(latest_photo_day()), value):
        raise ValueError(
            "must be a time such as 2026-05-01T09:30:00+08:00, from 2000 to tomorrow at the latest"
        )
    return value


DeviceTime = Annotated[AwareDatetime, AfterValidator(_sane_time)]
# When a photo was taken: from the year 2000 to a day ahead of the server (a tablet's clock may
# be a little ahead, never years).
PhotoTime = Annotated[
    AwareDatetime,
    BeforeValidator(_photo_time_text),
    AfterValidator(lambda moment: moment.astimezone(UTC)),
    Described(pattern=lambda: photo_time_pattern(latest_photo_day())),
]
DeviceId = Annotated[UUID, BeforeValidator(_json_uuid)]
RecordId = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_json_number)]
ShortText = Annotated[
    str, StringConstraints(max_length=200), AfterValidator(_no_nul), Described(pattern=NO_NUL)
]
LongText = Annotated[
    str, StringConstraints(max_length=4000), AfterValidator(_no_nul), Described(pattern=NO_NUL)
]
# As long as their columns (answer.choice_value, inspection.summary): longer reached PostgreSQL
# and failed there with a 500.
ChoiceText = Annotated[
    str, StringConstraints(max_length=100), AfterValidator(_no_nul), Described(pattern=NO_NUL)
]
SummaryText = Annotated[
    str, StringConstraints(max_length=2000), AfterValidator(_no_nul), Described(pattern=NO_NUL)
]
Latitude = Annotated[
    float, Field(ge=-90, le=90, allow_inf_nan=False), BeforeValidator(_json_number)
]
Longitude = Annotated[
    float, Field(ge=-180, le=180, allow_inf_nan=False), BeforeValidator(_json_number)
]


class Strict(BaseModel):
    """Unknown fields are refused, so a typo in a field name is not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class FieldProblem(BaseModel):
    """One field that was wrong."""

    field: str
    message: str


class Problem(BaseModel):
    """An error: a stable code for programs, a short title and what to do about it for people."""

    code: str = Field(
        description=(
            "Stable: not_logged_in, session_expired, forbidden, not_found, conflict, refused,"
            " invalid_request, csrf_failed, out_of_order, damaged, photo_refused,"
            " document_refused, illegal_transition, too_large, bad_request, method_not_allowed,"
            " server_error (and http_<status> for any other status)"
        ),
        examples=["out_of_order"],
    )
    error: str = Field(description="A short title in the user's language")
    message: str = Field(description="What went wrong and what to do, in the user's language")
    fields: list[FieldProblem] = Field(
        default_factory=list,
        description=(
            "The inputs the refusal is about: a body field, `body` (the whole body), a header"
            " (`Content-Range`, `X-CSRFToken`), `photo_id` or `session` (the login cookie); left"
            " out when it is about no input (403, 405)"
        ),
    )


class ValidationProblem(Problem):
    """A request whose fields did not check out."""

    fields: list[FieldProblem] = Field(min_length=1)


class Me(BaseModel):
    """Who is logged in on this device, and the token that writes need."""

    id: int
    name: str
    role: str
    csrf_token: str
    server_time: datetime


# The offline package: what a device takes with it for the day.


class Person(BaseModel):
    id: int
    name: str
    lead: bool = False


class PackageEnterprise(BaseModel):
    id: int
    name: str
    address: str | None
    zone: str | None
    industry: str | None


class PackageAnswer(BaseModel):
    item: int
    result: str | None
    number: float | None
    choice: str | None
    text: str | None
    comment: str | None
    version: int
    # A photo is on the server for it (its own, or one of a hazard logged from it).
    has_photo: bool = False


class PackageHazard(BaseModel):
    id: UUID
    number: str
    title: str
    level: str
    state: str
    item: int | None


class PackageSignature(BaseModel):
    role: str
    user: int | None
    name: str


class PackageInspection(BaseModel):
    id: int
    enterprise: PackageEnterprise
    type: str
    type_label: str
    status: str
    planned_date: date
    version: int
    team: list[Person]
    checklists: list[int]
    answers: list[PackageAnswer]
    hazards: list[PackageHazard]
    signatures: list[PackageSignature]


class PackageItem(BaseModel):
    id: int
    code: str
    text: str
    basis: str | None
    guidance: str | None
    answer_type: str
    choices: list[str]
    fail_choices: list[str]
    number_min: float | None
    number_max: float | None
    unit: str | None
    major: bool
    hazard_title: str | None
    category: str
    deadline_days: int | None
    # A failure needs a photo before the inspection can be completed.
    photo_on_fail: bool = True


class PackageSection(BaseModel):
    id: int
    code: str
    title: str
    items: list[PackageItem]


class PackageChecklist(BaseModel):
    id: int
    title: str
    version: int
    kind: str
    sections: list[PackageSection]


class Choice(BaseModel):
    value: str
    label: str


class Package(BaseModel):
    """The day's inspections with their enterprises and checklist versions."""

    prepared_at: datetime
    user: Person
    inspections: list[PackageInspection]
    checklists: list[PackageChecklist]
    levels: list[Choice]
    categories: list[Choice]
    occurrence_links: list[Choice]
    default_deadline_days: dict[str, int]


# Sync: records made on the device, and the server's answer to each.


class AnswerRecord(Strict):
    """The answer to one checklist item; answers from the field win for the inspection in hand."""

    kind: Literal["answer"]
    id: UUID
    inspection: RecordId
    item: RecordId
    result: Literal["pass", "fail", "na"] | None = None
    number: Annotated[float, Field(allow_inf_nan=False)] | None = None
    choice: ChoiceText | None = None
    text: LongText | None = None
    comment: LongText | None = None
    # The version of the server's answer the device last saw (none if it saw none).
    base_version: Annotated[int, Field(ge=0, le=MAX_ID)] | None = None
    photos: list[UUID] = Field(default_factory=list, max_length=20)
    answered_at: DeviceTime | None = None


class HazardRecord(Strict):
    """A hazard logged on the device, with the photos uploaded for it."""

    kind: Literal["hazard"]
    id: UUID
    inspection: RecordId
    item: RecordId | None = None
    title: ShortText
    description: LongText | None = None
    location: ShortText | None = None
    level: Literal["general", "significant", "major"]
    category: HazardCategory
    basis: ShortText | None = None
    deadline: date | None = None
    required_measures: LongText | None = None
    override_reason: LongText | None = None
    # The national record's 发生环节; derived on the server when not given.
    occurrence_link: OccurrenceLink | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    found_at: DeviceTime | None = None
    photos: list[UUID] = Field(default_factory=list, max_length=20)
    fixed_on_spot: bool = False
    fix_note: LongText | None = None
    after_photos: list[UUID] = Field(default_factory=list, max_length=20)


class SignatureRecord(Strict):
    """A signature drawn on the device: an inspector of the team or the enterprise's person."""

    kind: Literal["signature"]
    id: UUID
    inspection: RecordId
    role: Literal["inspector", "enterprise"]
    user: RecordId | None = None
    signer_name: ShortText | None = None
    image: Annotated[str, StringConstraints(max_length=700_000)]


class CompletionRecord(Strict):
    """Completing the inspection once everyone has signed."""

    kind: Literal["completion"]
    id: UUID
    inspection: RecordId
    summary: SummaryText | None = None


SyncRecord = Annotated[
    AnswerRecord | HazardRecord | SignatureRecord | CompletionRecord,
    Field(discriminator="kind"),
]


class Batch(Strict):
    """Records made on a device, applied in the order given (answers before the completion).

    The batch itself must be readable; each record is then checked on its own (see `RECORD`):
    one that does not match its kind's shape is answered `rejected`, naming the field, and the
    others are still applied.
    """

    device: ShortText | None = None
    records: list[dict[str, Any]] = Field(max_length=MAX_BATCH)


RECORDS = (AnswerRecord, HazardRecord, SignatureRecord, CompletionRecord)
RECORD: TypeAdapter = TypeAdapter(SyncRecord)


class RecordResult(BaseModel):
    """The server's answer to one record."""

    id: str
    kind: str
    outcome: Literal["accepted", "rejected", "retry"]
    reason: str | None = None
    # What happened that the inspector should know even though it was accepted.
    note: str | None = None
    server_id: int | None = None
    server_version: int | None = None
    number: str | None = None
    # True when this record had arrived before and this is the answer given then.
    repeated: bool = False


class BatchResult(BaseModel):
    results: list[RecordResult]


# Photos in pieces.


class UploadStart(Strict):
    """Announce a photo before sending its bytes; announcing it again tells how far it got."""

    id: DeviceId
    inspection: RecordId
    size: Annotated[int, Field(ge=1, le=MAX_PHOTO_BYTES), BeforeValidator(_json_number)]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    filename: ShortText | None = None
    taken_at: PhotoTime | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None


class UploadState(BaseModel):
    """How much of a photo has arrived; complete once the server has checked and kept it."""

    id: UUID
    size: int
    received: int
    complete: bool
    thumb: str | None = None
