"""Importing a batch of assigned cases from the sheet the issuing body sends: every row, or
none when any row is wrong, with each problem named by row and column."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection.assignments import lifecycle
from inspection.assignments.models import AssignedCase
from inspection.assignments.models import AssignmentBatch
from inspection.assignments.models import AssignmentSource
from inspection.auth.models import User
from inspection.enterprises import credit_code
from inspection.enterprises.models import Enterprise
from inspection.enterprises.services import read_rows
from inspection.errors import DomainError
from inspection.parks.models import Park

# Column key: the headings accepted for it (the first is the template's).
COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("交办编号", "编号", "序号", "number"),
    "problem": ("问题描述", "交办问题", "问题", "problem"),
    "enterprise": ("责任企业", "责任单位", "enterprise"),
    "department": ("责任部门", "department"),
    "deadline": ("整改时限", "办结时限", "deadline"),
    "requirement": ("整改要求", "requirement"),
    "posting": ("是否公示", "posting"),
}
REQUIRED = ("number", "problem", "enterprise", "department")
YES = {"是", "需要", "y", "yes", "1", "true", "√"}
NO = {"否", "不需要", "n", "no", "0", "false"}
MAX_ROWS = 2000


@dataclass
class RowProblem:
    """One thing wrong with the sheet: its row (1 is the headings), column heading and what."""

    row: int
    column: str
    message: str


@dataclass
class BatchFacts:
    """What the form says about the batch the sheet belongs to."""

    source: str
    issuer: str
    name: str
    received_on: date | None
    deadline: date | None


@dataclass
class ImportResult:
    """The batch made, or the problems that kept anything from being made."""

    problems: list[RowProblem] = field(default_factory=list)
    batch: AssignmentBatch | None = None
    cases: list[AssignedCase] = field(default_factory=list)


class BatchRefused(DomainError):
    """A sheet with wrong rows: nothing of it is kept; `problems` says what, row by row."""

    status = 422

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(
            _(
                "Nothing was imported: %(count)s problems were found. Correct the sheet and"
                " import it again.",
                count=len(problems),
            )
        )
        self.problems = problems


_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00(?::00)?)?$"
)


def parse_date(text: str) -> date | None:
    """A date as such sheets write it (2026-03-31, 2026/3/31, 2026年3月31日), or None."""
    found = _DATE.match(text.strip())
    if not found:
        return None
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def template_xlsx() -> bytes:
    """The sheet to fill in: the headings and two example rows (an enterprise, the park)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "交办问题"
    sheet.append([names[0] for names in COLUMNS.values()])
    sheet.append(
        [
            "D2026-001",
            "企业雨水排口有异味，疑似混排",
            "示例五金制品有限公司",
            "",
            "2026-06-30",
            "排查雨污管网，整改混接",
            "是",
        ]
    )
    sheet.append(
        [
            "D2026-002",
            "园区污水管网破损渗漏",
            "",
            "园区建设局",
            "2026-09-30",
            "修复管网并检测",
            "是",
        ]
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def import_batch(
    session: Session,
    *,
    park: Park,
    actor: User,
    facts: BatchFacts,
    filename: str,
    data: bytes,
) -> ImportResult:
    """Make the batch and its cases from the sheet, or raise `BatchRefused` with every problem."""
    problems: list[RowProblem] = []
    batch_heading = _("Batch")
    if facts.source not in set(AssignmentSource):
        problems.append(RowProblem(0, batch_heading, _("Choose where the problems come from.")))
    if not (facts.issuer or "").strip():
        problems.append(RowProblem(0, batch_heading, _("Name the issuing body.")))
    if not (facts.name or "").strip():
        problems.append(RowProblem(0, batch_heading, _("Give the batch its name or number.")))
    if facts.received_on is None or facts.deadline is None:
        problems.append(RowProblem(0, batch_heading, _("Give the date received and the deadline.")))
    rows = read_rows(filename, data)
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise BatchRefused([*problems, RowProblem(1, "", _("The sheet is empty."))])
    columns = _headings(rows[0], problems)
    if len(rows) - 1 > MAX_ROWS:
        problems.append(
            RowProblem(
                1, "", _("The sheet has more than %(count)s rows; split it.", count=MAX_ROWS)
            )
        )
    if problems and not columns:
        raise BatchRefused(problems)
    enterprises = _enterprises(session, park)
    pending: list[dict] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        raw = {key: (row[i].strip() if i < len(row) else "") for key, i in columns.items()}
        values = _row(raw, line, enterprises, facts, problems)
        number = values["number"]
        if number and number in seen:
            problems.append(
                RowProblem(
                    line,
                    COLUMNS["number"][0],
                    _(
                        "The number %(number)s also appears on row %(row)s.",
                        number=number,
                        row=seen[number],
                    ),
                )
            )
        seen.setdefault(number, line)
        pending.append(values)
    if not pending and not problems:
        problems.append(RowProblem(2, "", _("The sheet has headings but no cases.")))
    if problems:
        raise BatchRefused(problems)
    batch = AssignmentBatch(
        park_id=park.id,
        source=facts.source,
        issuer=facts.issuer.strip(),
        name=facts.name.strip(),
        received_on=facts.received_on,
        deadline=facts.deadline,
        created_by_id=actor.id,
    )
    session.add(batch)
    session.flush()
    result = ImportResult(batch=batch)
    for values in pending:
        case = AssignedCase(park_id=park.id, batch_id=batch.id, source=batch.source, **values)
        session.add(case)
        session.flush()
        lifecycle.record_import(session, case, actor)
        result.cases.append(case)
    return result


def _headings(header: list[str], problems: list[RowProblem]) -> dict[str, int]:
    lookup = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    columns: dict[str, int] = {}
    for index, heading in enumerate(header):
        heading = heading.strip().lstrip("\ufeff")
        if not heading:
            continue
        key = lookup.get(heading.lower())
        if key is None:
            problems.append(
                RowProblem(1, heading, _("Unknown column. Use the headings of the template."))
            )
        elif key in columns:
            problems.append(RowProblem(1, heading, _("This column appears twice.")))
        else:
            columns[key] = index
    for key in REQUIRED:
        if key not in columns:
            problems.append(
                RowProblem(
                    1, COLUMNS[key][0], _("The column is missing; add it as in the template.")
                )
            )
    return columns


def _enterprises(session: Session, park: Park) -> dict[str, int]:
    """The park's enterprises by name and by credit code."""
    found: dict[str, int] = {}
    for enterprise in session.exec(select(Enterprise).where(Enterprise.park_id == park.id)):
        found[enterprise.name] = enterprise.id
        if enterprise.credit_code:
            found[credit_code.normalise(enterprise.credit_code)] = enterprise.id
    return found


def _row(
    raw: dict[str, str],
    line: int,
    enterprises: dict[str, int],
    facts: BatchFacts,
    problems: list[RowProblem],
) -> dict:
    def problem(key: str, message: str) -> None:
        problems.append(RowProblem(line, COLUMNS[key][0], message))

    number, text = raw.get("number", ""), raw.get("problem", "")
    if not number:
        problem("number", _("Give the case its number."))
    elif len(number) > 64:
        problem("number", _("The number is longer than 64 characters."))
    if not text:
        problem("problem", _("Describe the problem."))
    name, department = raw.get("enterprise", ""), raw.get("department", "")
    enterprise_id = None
    if name and department:
        problem("enterprise", _("Fill in the enterprise or the park's department, not both."))
    elif name:
        enterprise_id = enterprises.get(name) or enterprises.get(credit_code.normalise(name))
        if enterprise_id is None:
            problem(
                "enterprise",
                _("There is no enterprise %(name)s in this park's registry.", name=name),
            )
    elif not department:
        problem(
            "enterprise",
            _(
                "Name the responsible enterprise, or the park's department for the park's own"
                " cases."
            ),
        )
    elif len(department) > 64:
        problem("department", _("The department's name is longer than 64 characters."))
    deadline = facts.deadline
    if raw.get("deadline"):
        deadline = parse_date(raw["deadline"])
        if deadline is None:
            problem(
                "deadline",
                _("%(value)s is not a date; write it as 2026-06-30.", value=raw["deadline"]),
            )
    posting = raw.get("posting", "").lower()
    if posting and posting not in YES | NO:
        problem("posting", _("Write 是 or 否."))
    return {
        "number": number,
        "problem": text,
        "requirement": raw.get("requirement") or None,
        "enterprise_id": enterprise_id,
        "department": None if name else (department or None),
        "deadline": deadline,
        "needs_posting": posting not in NO,
    }
