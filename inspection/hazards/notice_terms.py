"""What a notice says and under which law: chosen from what was found, whether the inspection is
an enforcement inspection, and who issued it.

- A third-party service firm (社会化服务) has no power to order anything: its finding is a
  隐患告知书 that informs the enterprise, with no order and no appeal clause.
- An enforcement inspection's notice is an administrative act (责令限期整改指令书): it states
  the right to 行政复议 (行政复议法 第二十条: within 60 days) and 行政诉讼 (行政诉讼法 第四十六条:
  within 6 months).
- Otherwise the park's own inspection issues a 隐患整改通知书.

The legal basis follows the findings: fire findings cite the Fire Protection Law, environmental
findings the Environmental Protection Law (and the 排污许可管理条例 or the solid-waste law when
the clause is theirs), everything else the Work Safety Law and 16号令.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardCategory
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionType

ADVICE, ORDER, ENFORCEMENT = "advice", "order", "enforcement"

TITLES = {
    ADVICE: _l("Hazard advice"),
    ORDER: _l("Rectification notice"),
    ENFORCEMENT: _l("Order to rectify within a time limit"),
}

WORK_SAFETY = _l("the Work Safety Law of the People's Republic of China")
HAZARD_RULES = _l("the Interim Provisions on Hazard Investigation and Governance (Order No. 16)")
FIRE = _l("the Fire Protection Law of the People's Republic of China")
ENVIRONMENT = _l("the Environmental Protection Law of the People's Republic of China")
PERMITS = _l("the Regulations on the Administration of Pollutant Discharge Permits")
SOLID_WASTE = _l(
    "the Law of the People's Republic of China on the Prevention and Control of Environmental"
    " Pollution by Solid Wastes"
)

FIRE_BASIS = re.compile(r"GB\s*35181|消防")
PERMIT_BASIS = re.compile(r"排污许可")
WASTE_BASIS = re.compile(r"固废|固体废物|危险废物|HJ\s*1259|GB\s*18597")
ENVIRONMENT_BASIS = re.compile(r"环境|排污|废水|废气|雨污|污染")


@dataclass(frozen=True)
class NoticeTerms:
    kind: str
    title: str
    laws: tuple[str, ...]

    @property
    def orders(self) -> bool:
        return self.kind != ADVICE

    @property
    def appealable(self) -> bool:
        return self.kind == ENFORCEMENT


def laws_for(hazards: Iterable[Hazard]) -> tuple[str, ...]:
    """The laws and regulations the findings fall under, in a stable order."""
    found: list = []

    def add(*laws) -> None:
        for law in laws:
            if law not in found:
                found.append(law)

    for hazard in hazards:
        basis = hazard.basis or ""
        if hazard.category == HazardCategory.FIRE or FIRE_BASIS.search(basis):
            add(FIRE)
        elif (
            hazard.category == HazardCategory.ENVIRONMENT
            or ENVIRONMENT_BASIS.search(basis)
            or PERMIT_BASIS.search(basis)
            or WASTE_BASIS.search(basis)
        ):
            add(ENVIRONMENT)
            if PERMIT_BASIS.search(basis):
                add(PERMITS)
            if WASTE_BASIS.search(basis):
                add(SOLID_WASTE)
        else:
            add(WORK_SAFETY, HAZARD_RULES)
    order = (WORK_SAFETY, HAZARD_RULES, FIRE, ENVIRONMENT, PERMITS, SOLID_WASTE)
    return tuple(str(law) for law in sorted(found or [WORK_SAFETY], key=order.index))


def terms(
    inspection: Inspection | None, hazards: list[Hazard], *, third_party_issuer: bool
) -> NoticeTerms:
    """The kind, title and legal basis of a notice of these hazards."""
    if third_party_issuer or (inspection and inspection.type == InspectionType.THIRD_PARTY):
        kind = ADVICE
    elif inspection is not None and inspection.enforcement:
        kind = ENFORCEMENT
    else:
        kind = ORDER
    return NoticeTerms(kind=kind, title=str(TITLES[kind]), laws=laws_for(hazards))
