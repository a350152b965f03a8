"""Registering enterprises and zones, one by one or from a spreadsheet."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from dataclasses import field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.enterprises import credit_code
from inspection.enterprises import organisation_code
from inspection.enterprises.models import INDUSTRY_SECTORS
from inspection.enterprises.models import RISK_FLAGS
from inspection.enterprises.models import DischargePermit
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Scale
from inspection.enterprises.models import Zone
from inspection.errors import DomainError
from inspection.errors import check_version
from inspection.parks.models import Park
from inspection.risk.services import regrade
from inspection.statistics import tally

EDITABLE_FIELDS = (
    "name",
    "credit_code",
    "company_code",
    "industry",
    "zone_id",
    "address",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "contact_email",
    "scale",
    "employees",
    "discharge_permit",
    *(f"risk_{flag}" for flag in RISK_FLAGS),
)


class InvalidEnterprise(DomainError):
    """One or more fields of an enterprise are wrong; `problems` maps field to message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("；".join(problems.values()))
        self.problems = problems


def validate(
    session: Session, park: Park, values: dict, *, enterprise_id: int | None = None
) -> dict[str, str]:
    """Check enterprise values; return a message per wrong field (empty when all is well)."""
    problems: dict[str, str] = {}
    name = (values.get("name") or "").strip()
    if not name:
        problems["name"] = _("Enter the enterprise's name.")
    elif _taken(session, Enterprise.name == name, Enterprise.park_id == park.id, enterprise_id):
        problems["name"] = _("An enterprise named %(name)s is already registered.", name=name)
    code = credit_code.normalise(values.get("credit_code") or "")
    if not code:
        problems["credit_code"] = _("Enter the unified social credit code.")
    elif (message := credit_code.problem(code)) is not None:
        problems["credit_code"] = message
    elif _taken(session, Enterprise.credit_code == code, None, enterprise_id):
        problems["credit_code"] = _(
            "The credit code %(code)s is already registered to another enterprise.", code=code
        )
    # Only a code someone typed is checked: one derived from a valid credit code is what the
    # registry issued, and an enterprise must stay editable by people who never touched it.
    if (
        "credit_code" not in problems
        and (values.get("company_code") or "").strip()
        and (message := organisation_code.problem(_company_code(values)))
    ):
        problems["company_code"] = message
    if values.get("industry") not in INDUSTRY_SECTORS:
        problems["industry"] = _(
            "Choose an industry from the list: %(names)s.", names="、".join(INDUSTRY_SECTORS)
        )
    zone_id = values.get("zone_id")
    if zone_id is not None:
        zone = session.get(Zone, zone_id)
        if zone is None or zone.park_id != park.id:
            problems["zone_id"] = _("Choose one of the park's zones.")
    if values.get("scale", Scale.SMALL) not in set(Scale):
        problems["scale"] = _("Choose a size: large, medium, small or micro.")
    if values.get("discharge_permit", DischargePermit.NONE) not in set(DischargePermit):
        problems["discharge_permit"] = _("Choose a discharge permit class from the list.")
    employees = values.get("employees")
    if employees is not None and (not isinstance(employees, int) or employees < 0):
        problems["employees"] = _("The number of employees must be a whole number, 0 or more.")
    email = values.get("contact_email")
    if email and ("@" not in email or len(email) > 254):
        problems["contact_email"] = _("The e-mail address does not look right.")
    return problems


def _taken(session: Session, condition, park_condition, enterprise_id: int | None) -> bool:
    stmt = select(Enterprise.id).where(condition)
    if park_condition is not None:
        stmt = stmt.where(park_condition)
    if enterprise_id is not None:
        stmt = stmt.where(Enterprise.id != enterprise_id)
    return session.exec(stmt).first() is not None


def _company_code(values: dict) -> str:
    """The organisation code typed, else characters 9-17 of the credit code."""
    typed = credit_code.normalise(values.get("company_code") or "").replace("-", "")
    return typed or organisation_code.from_credit_code(values.get("credit_code") or "")


def _clean(values: dict) -> dict:
    cleaned = {key: values.get(key) for key in EDITABLE_FIELDS if key in values}
    cleaned["name"] = (cleaned.get("name") or "").strip()
    cleaned["credit_code"] = credit_code.normalise(cleaned.get("credit_code") or "")
    cleaned["company_code"] = _company_code(values)
    for key in (
        "address",
        "legal_representative",
        "contact_name",
        "contact_phone",
        "contact_email",
    ):
        if key in cleaned:
            cleaned[key] = (cleaned[key] or "").strip() or None
    return cleaned


def create_enterprise(session: Session, *, park: Park, values: dict) -> Enterprise:
    """Register a new enterprise in the park."""
    problems = validate(session, park, values)
    if problems:
        raise InvalidEnterprise(problems)
    enterprise = Enterprise(park_id=park.id, **_clean(values))
    session.add(enterprise)
    session.flush()
    regrade(session, enterprise.id, cause="registered")
    return enterprise


def update_enterprise(
    session: Session, enterprise: Enterprise, *, values: dict, expected_version: int
) -> Enterprise:
    """Change an enterprise's details, refusing a stale edit."""
    check_version(enterprise.version, expected_version)
    park = session.get(Park, enterprise.park_id)
    problems = validate(session, park, values, enterprise_id=enterprise.id)
    if problems:
        raise InvalidEnterprise(problems)
    before = (enterprise.zone_id, enterprise.industry)
    for key, value in _clean(values).items():
        setattr(enterprise, key, value)
    tally.enterprise_moved(
        session, enterprise.id, old=before, new=(enterprise.zone_id, enterprise.industry)
    )
    enterprise.version += 1
    enterprise.updated_at = clock.now()
    session.flush()
    regrade(session, enterprise.id, cause="details changed")
    return enterprise


def create_zone(session: Session, *, park: Park, name: str, description: str | None) -> Zone:
    """Add a zone (区块) to the park."""
    name = name.strip()
    if not name:
        raise DomainError(_("Enter the zone's name."))
    exists = session.exec(select(Zone).where(Zone.park_id == park.id, Zone.name == name)).first()
    if exists:
        raise DomainError(_("The park already has a zone named %(name)s.", name=name))
    zone = Zone(park_id=park.id, name=name, description=(description or "").strip() or None)
    session.add(zone)
    session.flush()
    return zone


# --- Import from CSV or Excel -------------------------------------------------------------

# Column headings accepted in an import file (Chinese first), mapped to fields.
IMPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("企业名称", "name"),
    "credit_code": ("统一社会信用代码", "credit_code"),
    "company_code": ("组织机构代码", "company_code"),
    "industry": ("行业", "industry"),
    "zone": ("区块", "zone"),
    "address": ("地址", "address"),
    "legal_representative": ("法定代表人", "legal_representative"),
    "contact_name": ("联系人", "contact_name"),
    "contact_phone": ("联系电话", "contact_phone"),
    "contact_email": ("联系邮箱", "contact_email"),
    "scale": ("规模", "scale"),
    "employees": ("从业人数", "employees"),
    "risk_dust": ("涉粉尘", "dust"),
    "risk_confined_space": ("有限空间", "confined_space"),
    "risk_ammonia_refrigeration": ("涉氨制冷", "ammonia_refrigeration"),
    "risk_hazardous_chemicals": ("危化品", "hazardous_chemicals"),
    "risk_major_hazard_source": ("重大危险源", "major_hazard_source"),
    "risk_hazardous_waste": ("危废产生单位", "hazardous_waste"),
    "discharge_permit": ("排污许可类别", "discharge_permit"),
}
REQUIRED_COLUMNS = ("name", "credit_code", "industry")
SCALE_WORDS = {"大型": Scale.LARGE, "中型": Scale.MEDIUM, "小型": Scale.SMALL, "微型": Scale.MICRO}
PERMIT_WORDS = {
    "无": DischargePermit.NONE,
    "重点管理": DischargePermit.KEY,
    "简化管理": DischargePermit.SIMPLIFIED,
    "登记管理": DischargePermit.REGISTRATION,
}
YES_WORDS = {"是", "有", "涉及", "y", "yes", "true", "1", "√", "✓"}
NO_WORDS = {"否", "无", "不涉及", "n", "no", "false", "0", ""}


# Characters 9-17 are a valid organisation code (MA2CK7L0 and its check digit).
EXAMPLE_BASE = "91330800" + "MA2CK7L0" + organisation_code.check_character("MA2CK7L0")
EXAMPLE_CREDIT_CODE = EXAMPLE_BASE + credit_code.check_character(EXAMPLE_BASE)


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    errors: list[tuple[int, str]] = field(default_factory=list)
    created: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(DomainError):
    """An import found wrong rows, so nothing of it is kept; `report` says which."""

    status = 422

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            ngettext(
                "Nothing was imported: %(num)d problem was found",
                "Nothing was imported: %(num)d problems were found",
                len(report.errors),
            )
        )
        self.report = report


def template_csv() -> str:
    """A CSV with the expected headings and one example row, for users to fill in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([names[0] for names in IMPORT_COLUMNS.values()])
    writer.writerow(
        [
            "示例五金制品有限公司",
            EXAMPLE_CREDIT_CODE,
            "",
            "五金",
            "新材料新装备产业园",
            "园区大道1号",
            "张三",
            "李四",
            "13800000000",
            "safety@example.com",
            "小型",
            "50",
            "是",
            "否",
            "否",
            "否",
            "否",
            "是",
            "登记管理",
        ]
    )
    return "\ufeff" + out.getvalue()


def read_rows(filename: str, data: bytes) -> list[list[str]]:
    """Read a CSV (UTF-8 or GB18030) or an Excel workbook into rows of text."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return [row for row in csv.reader(io.StringIO(text))]
        raise DomainError(_("The CSV file is neither UTF-8 nor GBK text. Save it again as CSV."))
    raise DomainError(_("Choose a .csv or .xlsx file."))


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise DomainError(
            _("The Excel file could not be read (%(error)s). Save it again as .xlsx.", error=error)
        ) from error
    sheet = workbook.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(["" if cell is None else _cell_text(cell) for cell in row])
    workbook.close()
    return rows


def _cell_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def import_enterprises(
    session: Session, *, park: Park, filename: str, data: bytes, max_rows: int
) -> ImportReport:
    """Import enterprises from a file: all rows, or none when any row is wrong."""
    report = ImportReport()
    rows = read_rows(filename, data)
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        report.errors.append((1, _("The file is empty.")))
        return report
    columns = _map_header(rows[0], report)
    if report.errors:
        return report
    if len(rows) - 1 > max_rows:
        report.errors.append(
            (
                1,
                _(
                    "The file has more than %(count)s rows; split it into smaller files.",
                    count=max_rows,
                ),
            )
        )
        return report
    zones = {z.name: z.id for z in session.exec(select(Zone).where(Zone.park_id == park.id))}
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    pending: list[dict] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        raw = {key: (row[i].strip() if i < len(row) else "") for key, i in columns.items()}
        values, problems = _row_values(raw, zones)
        problems += list(validate(session, park, values).values())
        code, name = credit_code.normalise(values.get("credit_code") or ""), values.get("name")
        if code and code in seen_codes:
            problems.append(
                _("The credit code also appears on line %(line)s.", line=seen_codes[code])
            )
        if name and name in seen_names:
            problems.append(_("The name also appears on line %(line)s.", line=seen_names[name]))
        seen_codes.setdefault(code, line)
        seen_names.setdefault(name, line)
        for problem in problems:
            report.errors.append((line, problem))
        pending.append(values)
    if not pending and not report.errors:
        report.errors.append((2, _("The file has headings but no enterprises.")))
    if report.errors:
        return report
    for values in pending:
        enterprise = Enterprise(park_id=park.id, **_clean(values))
        session.add(enterprise)
        report.created.append(enterprise.name)
    session.flush()
    return report


def _map_header(header: list[str], report: ImportReport) -> dict[str, int]:
    lookup = {alias.lower(): key for key, aliases in IMPORT_COLUMNS.items() for alias in aliases}
    columns: dict[str, int] = {}
    for index, heading in enumerate(header):
        heading = heading.strip().lstrip("\ufeff")
        if not heading:
            continue
        key = lookup.get(heading.lower())
        if key is None:
            report.errors.append(
                (1, _("Unknown column %(name)s. Use the headings of the template.", name=heading))
            )
        elif key in columns:
            report.errors.append((1, _("The column %(name)s appears twice.", name=heading)))
        else:
            columns[key] = index
    for key in REQUIRED_COLUMNS:
        if key not in columns:
            report.errors.append(
                (1, _("The column %(name)s is missing.", name=IMPORT_COLUMNS[key][0]))
            )
    return columns


def _row_values(raw: dict[str, str], zones: dict[str, int]) -> tuple[dict, list[str]]:
    problems: list[str] = []
    values: dict = {
        key: raw.get(key, "")
        for key in (
            "name",
            "credit_code",
            "company_code",
            "industry",
            "address",
            "legal_representative",
            "contact_name",
            "contact_phone",
            "contact_email",
        )
    }
    zone_name = raw.get("zone", "")
    values["zone_id"] = None
    if zone_name:
        if zone_name in zones:
            values["zone_id"] = zones[zone_name]
        else:
            problems.append(
                _(
                    "There is no zone named %(name)s. Known zones: %(known)s.",
                    name=zone_name,
                    known="、".join(zones) or "—",
                )
            )
    scale = raw.get("scale", "")
    values["scale"] = SCALE_WORDS.get(scale, scale.lower() or Scale.SMALL)
    permit = raw.get("discharge_permit", "")
    values["discharge_permit"] = PERMIT_WORDS.get(permit, permit.lower() or DischargePermit.NONE)
    employees = raw.get("employees", "")
    if employees:
        try:
            values["employees"] = int(employees)
        except ValueError:
            problems.append(
                _("The number of employees %(value)s is not a number.", value=employees)
            )
    for flag in RISK_FLAGS:
        key = f"risk_{flag}"
        word = raw.get(key, "").lower()
        if word in YES_WORDS:
            values[key] = True
        elif word in NO_WORDS:
            values[key] = False
        else:
            problems.append(
                _(
                    "%(column)s must be 是 or 否, not %(value)s.",
                    column=IMPORT_COLUMNS[key][0],
                    value=raw.get(key),
                )
            )
    return values, problems
