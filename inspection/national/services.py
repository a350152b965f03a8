"""A hazard as the national 双重预防 interface's 隐患信息 record (/sec_hidden_danger_info), and
a period's records as the interface's JSON.

Field names, codes and formats follow shared/reference/supervision-research.md §3.2 F; the
JSON Schema written from that list (hidden_danger_info.schema.json, next to this file) is what
the export is checked against.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from datetime import datetime
from datetime import time
from functools import cache
from pathlib import Path

from inspection import clock
from inspection.enterprises.organisation_code import from_credit_code
from inspection.hazards.models import Hazard
from inspection.national import codes
from inspection.national.attachments import data_url
from inspection.national.queries import Facts

SCHEMA_PATH = Path(__file__).with_name("hidden_danger_info.schema.json")
# The interface's date-time format (the 隐患信息 document's; some regions use yyyyMMddHHmmss).
STAMP = "%Y-%m-%d %H:%M:%S"
NAME_LIMIT = 300
MEASURES_LIMIT = 1000
# Before and after photos, in the interface's attachment fields.
ATTACHMENTS = (("attachments1", "before"), ("attachments2", "after"))


@cache
def schema() -> dict:
    """The JSON Schema of the export (an array of 隐患信息 records)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def fields() -> list[tuple[str, str]]:
    """The record's fields in order, each with its meaning (the schema's title)."""
    properties = schema()["$defs"]["hiddenDangerInfo"]["properties"]
    return [(name, spec["title"]) for name, spec in properties.items()]


def required_fields() -> list[str]:
    """The fields every record must fill."""
    return list(schema()["$defs"]["hiddenDangerInfo"]["required"])


def _stamp(value: datetime | None) -> str | None:
    return clock.local(value).strftime(STAMP) if value else None


def record(facts: Facts) -> dict:
    """The national record of one hazard, without its photos (see `with_attachments`)."""
    hazard, enterprise = facts.hazard, facts.enterprise
    company = enterprise.company_code or from_credit_code(enterprise.credit_code)
    state = codes.DANGER_STATE[hazard.state]
    found_by = facts.names.get(hazard.found_by_id)
    values = {
        "id": hazard.uuid,
        "companyCode": company,
        # 风险分析对象编码: the park holds no 危险源 register of the enterprise's, so the
        # enterprise as a whole is the object its hazards are filed under.
        "hazardCode": company,
        "enforcementId": facts.enforcement_id,
        "dangerName": hazard.title[:NAME_LIMIT],
        "dangerLevel": codes.DANGER_LEVEL[hazard.level],
        "registTime": _stamp(hazard.found_at),
        "registrant": found_by,
        "dangerSrc": codes.DANGER_SOURCE[hazard.source],
        "dangerManageType": codes.MANAGE_TYPE[hazard.handling],
        "hazardDangerType": codes.DANGER_TYPE[hazard.category],
        "hazardCategory": int(codes.REGISTRANT[hazard.registrant_duty]),
        "dangerDesc": hazard.description or hazard.title,
        "dangerReason": hazard.danger_reason,
        "controlMeasures": _measures(hazard),
        # 整改资金 in 万元, as the interface's forms ask.
        "cost": None if hazard.funding_yuan is None else round(hazard.funding_yuan / 10000, 4),
        # 整改责任人: the enterprise's answer, else its principal (主要负责人), else its contact.
        "liablePerson": hazard.responsible_person
        or enterprise.legal_representative
        or enterprise.contact_name,
        "dangerManageDeadline": _deadline(hazard),
        "dangerState": state,
        "managementClassification": codes.ASPECT.get(hazard.aspect or ""),
        "occurrenceLink": codes.OCCURRENCE.get(hazard.occurrence_link or ""),
        "deleted": "1" if hazard.state in codes.DELETED_STATES else "0",
        "createDate": _stamp(hazard.created_at),
        "createBy": found_by,
        "updateDate": _stamp(hazard.updated_at),
        "updateBy": facts.updated_by or found_by,
    }
    if state == codes.ACCEPTED_STATE:
        values.update(
            checkAcceptPerson=facts.names.get(hazard.reviewed_by_id or hazard.closed_by_id),
            checkAcceptTime=_stamp(hazard.reviewed_at or hazard.closed_at),
            checkAcceptComment=hazard.review_comment,
        )
    return {name: value for name, value in values.items() if value not in (None, "")}


def _measures(hazard: Hazard) -> str | None:
    text = hazard.rectification_measures or hazard.required_measures
    return text[:MEASURES_LIMIT] if text else None


def _deadline(hazard: Hazard) -> str:
    day = hazard.deadline or clock.local(hazard.found_at).date()
    return datetime.combine(day, time(23, 59, 59)).strftime(STAMP)


def with_attachments(facts: Facts, read: Callable[[str], bytes]) -> dict:
    """The record with its first photo before and after rectification, each re-encoded under
    the interface's 5 MB limit; `read` gives a stored photo's bytes by its hash."""
    values = record(facts)
    for name, kind in ATTACHMENTS:
        if kind in facts.photos:
            sha256, content_type = facts.photos[kind]
            values[name] = data_url(read(sha256), content_type)
    return values


def json_chunks(all_facts: Iterable[Facts], read: Callable[[str], bytes]) -> Iterator[str]:
    """The export as the interface's JSON (an array of records), a record at a time, so the
    photos of a whole year need not be held at once."""
    yield "["
    for index, facts in enumerate(all_facts):
        yield ("," if index else "") + json.dumps(
            with_attachments(facts, read), ensure_ascii=False, separators=(",", ":")
        )
    yield "]"


def incomplete(records: Iterable[tuple[str, dict]]) -> dict[str, list[str]]:
    """The required fields each (hazard number, record) lacks, for the records lacking any:
    what the page warns about before anything is sent."""
    required = required_fields()
    return {
        number: missing
        for number, values in records
        if (missing := [name for name in required if name not in values])
    }
