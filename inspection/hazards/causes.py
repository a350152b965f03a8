"""The cause (原因分析) and stage (发生环节) of a hazard where the inspector need not say them:
derived from the kind of finding and the clause it breaks, so the national 双重预防 record is
complete without another question on the tablet.

The texts are record data in the interface's language (Chinese), not interface labels: they
are the same whatever language the inspector's screen is in.
"""

from __future__ import annotations

from inspection.hazards.models import HazardAspect
from inspection.hazards.models import HazardCategory
from inspection.hazards.models import OccurrenceLink

# 人的不安全行为 / 物的不安全状态 / 管理上的缺陷 (GB/T 6441 and the interface's
# managementClassification).
ASPECT_TERMS = {
    HazardAspect.PERSON: "人的不安全行为",
    HazardAspect.THING: "物的不安全状态",
    HazardAspect.MANAGEMENT: "管理上的缺陷",
}
REASON_LIMIT = 1000


def default_reason(aspect: str | None, basis: str | None) -> str | None:
    """原因分析 from the kind of finding and the clause it breaks, e.g.
    '物的不安全状态：未满足《工贸企业重大事故隐患判定标准》第十一条的要求'; None when neither is
    known (the interface does not require it)."""
    term = ASPECT_TERMS.get(aspect or "")
    basis = (basis or "").strip()
    clause = f"未满足{basis}的要求" if basis else ""
    if term and clause:
        return f"{term}：{clause}"[:REASON_LIMIT]
    return (term or clause)[:REASON_LIMIT] or None


def default_occurrence(aspect: str | None, category: str | None) -> str | None:
    """The stage a hazard arose in, where the finding itself says it: an unsafe act happens in
    use and operation (使用操作); a layout finding (总图: distances, exits, zoning) comes from
    the design. Otherwise None: the inspector may choose one; the interface does not require it."""
    if aspect == HazardAspect.PERSON:
        return OccurrenceLink.OPERATION
    if category == HazardCategory.LAYOUT:
        return OccurrenceLink.DESIGN
    return None
