"""The checklist file format's vocabulary: schema version, codes, known fields, source kinds,
and the problems a file can have. The format is documented in checklists/README.md."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from inspection.enterprises.models import INDUSTRY_SECTORS
from inspection.enterprises.models import RISK_FLAGS

SCHEMA_VERSION = 1


CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


SECTORS = {sector for sector in INDUSTRY_SECTORS.values() if sector}


KNOWN_INDUSTRIES = set(INDUSTRY_SECTORS) | SECTORS


KNOWN_FLAGS = {*RISK_FLAGS, "discharge_permit"}


TEMPLATE_FIELDS = {
    "schema",
    "code",
    "title",
    "standard",
    "issuer",
    "effective_date",
    "kind",
    "description",
    "applies_to",
    "scoring",
    "sources",
    "retired",
    "not_for",
    "sections",
}


TEMPLATE_REQUIRED = ("schema", "code", "title", "standard", "kind", "sections")


SECTION_FIELDS = {"code", "title", "applies_to", "items"}


SECTION_REQUIRED = ("code", "title", "items")


ITEM_FIELDS = {
    "code",
    "text",
    "guidance",
    "basis",
    "answer",
    "number",
    "choices",
    "fail_choices",
    "photo_on_fail",
    "major",
    "category",
    "hazard_title",
    "deadline_days",
    "points",
    "needs_verification",
    "source",
}


ITEM_REQUIRED = ("code", "text", "basis")


APPLIES_FIELDS = {"industries", "risk_flags", "match"}


NOT_FOR_FIELDS = {"industries", "risk_flags", "reason"}


SOURCE_FIELDS = {"id", "title", "kind", "checked", "note"}


SOURCE_REQUIRED = ("id", "title", "kind")


# official: the official publication itself; reprint: a full reprint of the official text
# (a gazette or newspaper page, a standards library); summary: a paraphrase or digest, which
# can place an item but cannot confirm its wording.
SOURCE_KINDS = ("official", "reprint", "summary")


WORDING_SOURCES = {"official", "reprint"}


def is_date(value: object) -> bool:
    """True for a date written as YYYY-MM-DD."""
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a checklist file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class InvalidChecklist(Exception):
    """A checklist file with problems; nothing of it was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems
