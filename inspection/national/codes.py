"""Our sources, levels, states, categories and handling as the national 双重预防 interface's
codes (隐患信息, /sec_hidden_danger_info; shared/reference/supervision-research.md §3.2 F).

Every value of our enumerations has a code here; tests/test_national_export.py checks that no
value is left out, so a new state or source cannot reach the export unmapped.
"""

from __future__ import annotations

from inspection.hazards.models import Handling
from inspection.hazards.models import HazardAspect
from inspection.hazards.models import HazardCategory
from inspection.hazards.models import HazardLevel
from inspection.hazards.models import HazardState
from inspection.hazards.models import OccurrenceLink
from inspection.hazards.models import RegistrantDuty
from inspection.inspections.models import InspectionType

# dangerLevel: 0 一般隐患, 1 重大隐患. The interface has two grades; a park's 较大 grade is not
# 重大 in law (16号令 第三条 knows only 一般 and 重大), so it is reported as 一般.
DANGER_LEVEL: dict[str, str] = {
    HazardLevel.GENERAL: "0",
    HazardLevel.SIGNIFICANT: "0",
    HazardLevel.MAJOR: "1",
}

# dangerSrc: 1 日常排查, 2 综合性排查, 3 专业性排查, 4 季节性排查, 5 重点时段及节假日前排查,
# 6 事故类比排查, 7 复产复工前排查, 8 外聘专家诊断式排查, 9 管控措施失效, 10 其他.
DANGER_SOURCE: dict[str, str] = {
    InspectionType.ROUTINE: "1",
    InspectionType.SELF: "1",
    InspectionType.RANDOM: "2",  # 双随机: a comprehensive check of the enterprise
    InspectionType.SPECIAL: "3",  # 专项
    InspectionType.SEASONAL: "4",
    InspectionType.PRE_HOLIDAY: "5",
    InspectionType.PRE_RESUMPTION: "7",
    InspectionType.THIRD_PARTY: "8",  # 社会化服务: engaged experts
    InspectionType.REINSPECTION: "10",
    InspectionType.REPORT: "10",  # 举报
}

# dangerState: 0 整改中, 1 待验收, 9 已验收; the platform's own −1 审核中 and 6 已关闭 are never
# sent. A voided hazard is sent as deleted ("1"), in the state it had reached (0).
DANGER_STATE: dict[str, str] = {
    HazardState.FOUND: "0",
    HazardState.ISSUED: "0",
    HazardState.ACKNOWLEDGED: "0",
    HazardState.RECTIFYING: "0",
    HazardState.ESCALATED: "0",
    HazardState.SUBMITTED: "1",
    HazardState.ACCEPTED: "9",  # accepted; only the removal from supervision is still to come
    HazardState.CLOSED: "9",
    HazardState.VOIDED: "0",
}
ACCEPTED_STATE = "9"
DELETED_STATES: frozenset[str] = frozenset({HazardState.VOIDED})

# dangerManageType: 0 即查即改, 1 限期整改.
MANAGE_TYPE: dict[str, str] = {Handling.ON_SPOT: "0", Handling.DEADLINE: "1"}

# hazardDangerType: 1 安全, 2 工艺, 3 电气, 4 仪表, 5 消防, 6 总图, 7 设备, 8 其他.
DANGER_TYPE: dict[str, str] = {
    HazardCategory.SAFETY: "1",
    HazardCategory.PROCESS: "2",
    HazardCategory.ELECTRICAL: "3",
    HazardCategory.INSTRUMENT: "4",
    HazardCategory.FIRE: "5",
    HazardCategory.LAYOUT: "6",
    HazardCategory.EQUIPMENT: "7",
    HazardCategory.ENVIRONMENT: "8",
    HazardCategory.OTHER: "8",
}

# hazardCategory: 0 其他隐患, 1 主要负责人登记, 2 技术负责人登记, 3 操作负责人登记.
REGISTRANT: dict[str, str] = {
    RegistrantDuty.OTHER: "0",
    RegistrantDuty.PRINCIPAL: "1",
    RegistrantDuty.TECHNICAL: "2",
    RegistrantDuty.OPERATIONS: "3",
}

# managementClassification: 1 人的不安全行为, 2 物的不安全状态, 3 管理上的缺陷.
ASPECT: dict[str, str] = {
    HazardAspect.PERSON: "1",
    HazardAspect.THING: "2",
    HazardAspect.MANAGEMENT: "3",
}

# occurrenceLink: 1 设计, 2 产品质量缺陷, 3 仓储, 4 项目施工, 5 开停车, 6 使用操作, 7 维护保养,
# 8 维修, 9 变更, 10 运输.
OCCURRENCE: dict[str, str] = {
    OccurrenceLink.DESIGN: "1",
    OccurrenceLink.PRODUCT_DEFECT: "2",
    OccurrenceLink.STORAGE: "3",
    OccurrenceLink.CONSTRUCTION: "4",
    OccurrenceLink.START_STOP: "5",
    OccurrenceLink.OPERATION: "6",
    OccurrenceLink.MAINTENANCE: "7",
    OccurrenceLink.REPAIR: "8",
    OccurrenceLink.CHANGE: "9",
    OccurrenceLink.TRANSPORT: "10",
}

# Each table above beside the enumeration it maps, for the coverage test.
MAPPINGS = (
    (DANGER_LEVEL, HazardLevel),
    (DANGER_SOURCE, InspectionType),
    (DANGER_STATE, HazardState),
    (MANAGE_TYPE, Handling),
    (DANGER_TYPE, HazardCategory),
    (REGISTRANT, RegistrantDuty),
    (ASPECT, HazardAspect),
    (OCCURRENCE, OccurrenceLink),
)
