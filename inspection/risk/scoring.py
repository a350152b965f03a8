"""The risk score: 0–100 from what an enterprise is (inherent) and what the system knows of it
(dynamic), mapped to red, orange, yellow or blue, then raised by the mandatory rules.

Pure functions of the facts and the park's settings, so the same code grades one enterprise in
a hazard's transaction, every enterprise in the nightly recompute, and the tests' hand-built
cases. The defaults and their sources are listed in `SETTINGS` and in docs/risk.md.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field

from flask_babel import lazy_gettext as _l

from inspection import labels
from inspection.risk.models import GRADES
from inspection.risk.models import RANK
from inspection.risk.models import Grade
from inspection.risk.models import worse

# Where a default comes from (shown beside each setting and in docs/risk.md).
SRC_MODEL = _l(
    "Three blocks (inherent hazard, management, dynamic) as in 张道斌, 现代化工 2022 S2; points"
    " as proposed in the supervision research §2.4 (a design, no national table exists)."
)
SRC_54 = _l(
    "国办发〔2024〕54号 asks for a yearly inspection cap per enterprise; the figures follow the"
    " caps Shanxi published on 2025-04-23 (≤12/8/4/2 by class)."
)
SRC_ISSUE = _l(
    "The park's frequency rule: red monthly, orange quarterly, yellow twice a year, blue yearly."
)
SRC_OVERRIDE = _l(
    "Older 分类分级 practice grades an enterprise at least so high whatever its score (a fatal"
    " accident, a veto item); research §2.3–2.4."
)
SRC_REPEAT = _l("重复隐患: the same problem again within a year of its closure (research §2.5).")


@dataclass(frozen=True)
class Setting:
    """One setting: its name, group, default, bounds and where the default comes from."""

    name: str
    group: str
    default: int | str
    label: object
    source: object = SRC_MODEL
    minimum: int = 0
    maximum: int = 100


S = Setting
SETTINGS: tuple[Setting, ...] = (
    # Inherent risk: points for what the enterprise is.
    S("major_hazard_source", "inherent", 15, _l("重大危险源")),
    S("hazardous_chemicals", "inherent", 6, _l("危化品")),
    S("dust", "inherent", 6, _l("涉粉尘 (explosible dust)")),
    S("ammonia_refrigeration", "inherent", 6, _l("涉氨制冷")),
    S("confined_space", "inherent", 4, _l("有限空间")),
    S("hazardous_waste", "inherent", 3, _l("危废产生单位")),
    S("industry_chemical", "inherent", 10, _l("Industry: chemical (化工)")),
    S("industry_gongmao", "inherent", 3, _l("Industry: 工贸 sector")),
    S("industry_other", "inherent", 1, _l("Industry: other")),
    S("size", "inherent", 4, _l("Size (large full, medium half, small a quarter)")),
    # What the system knows: points per unit, and at most so many points.
    S("open_general", "dynamic", 1, _l("Per open general hazard")),
    S("open_general_cap", "dynamic", 10, _l("Open general hazards: at most")),
    S("open_major", "dynamic", 10, _l("Per open major hazard")),
    S("open_major_cap", "dynamic", 20, _l("Open major hazards: at most")),
    S("overdue", "dynamic", 2, _l("Per overdue hazard")),
    S("overdue_cap", "dynamic", 10, _l("Overdue hazards: at most")),
    S("repeat", "dynamic", 3, _l("Per repeat hazard (12 months)")),
    S("repeat_cap", "dynamic", 15, _l("Repeat hazards: at most")),
    S("listed", "dynamic", 10, _l("Per open listed hazard (挂牌督办)")),
    S("listed_cap", "dynamic", 20, _l("Listed hazards: at most")),
    S("findings", "dynamic", 2, _l("Per hazard found per inspection (12 months)")),
    S("findings_cap", "dynamic", 10, _l("Findings per inspection: at most")),
    S("late_closure", "dynamic", 10, _l("Closures late (all late = full points, 12 months)")),
    # Thresholds: the least score of each grade.
    S("threshold_red", "thresholds", 70, _l("Red from score"), minimum=1),
    S("threshold_orange", "thresholds", 50, _l("Orange from score"), minimum=1),
    S("threshold_yellow", "thresholds", 30, _l("Yellow from score"), minimum=1),
    # Mandatory rules: the least grade whatever the score ("" = no rule).
    S("rule_major_hazard_source", "rules", Grade.ORANGE, _l("重大危险源: at least"), SRC_OVERRIDE),
    S(
        "rule_listed_major",
        "rules",
        Grade.RED,
        _l("Open listed major hazard: at least"),
        SRC_OVERRIDE,
    ),
    S(
        "rule_overdue_major",
        "rules",
        Grade.ORANGE,
        _l("Overdue major hazard: at least"),
        SRC_OVERRIDE,
    ),
    # Inspection interval in days per grade.
    S("interval_red", "intervals", 30, _l("Red: inspect every (days)"), SRC_ISSUE, 1, 366),
    S("interval_orange", "intervals", 91, _l("Orange: inspect every (days)"), SRC_ISSUE, 1, 366),
    S("interval_yellow", "intervals", 182, _l("Yellow: inspect every (days)"), SRC_ISSUE, 1, 366),
    S("interval_blue", "intervals", 365, _l("Blue: inspect every (days)"), SRC_ISSUE, 1, 731),
    # Yearly cap of inspections per enterprise.
    S("cap_red", "caps", 12, _l("Red: at most per year"), SRC_54, 1, 366),
    S("cap_orange", "caps", 8, _l("Orange: at most per year"), SRC_54, 1, 366),
    S("cap_yellow", "caps", 4, _l("Yellow: at most per year"), SRC_54, 1, 366),
    S("cap_blue", "caps", 2, _l("Blue: at most per year"), SRC_54, 1, 366),
    S(
        "repeat_months",
        "repeats",
        12,
        _l("Repeat window (months after closure)"),
        SRC_REPEAT,
        1,
        60,
    ),
)
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
# The security log names a changed setting by its label.
labels.SECURITY_DETAIL_VALUES.update({s.name: s.label for s in SETTINGS})
DEFAULTS: dict[str, int | str] = {s.name: s.default for s in SETTINGS}
GROUPS: tuple[str, ...] = (
    "inherent",
    "dynamic",
    "thresholds",
    "rules",
    "intervals",
    "caps",
    "repeats",
)
INHERENT_FLAGS = (
    "major_hazard_source",
    "hazardous_chemicals",
    "dust",
    "ammonia_refrigeration",
    "confined_space",
    "hazardous_waste",
)
SIZE_SHARE = {"large": 1.0, "medium": 0.5, "small": 0.25, "micro": 0.0}
COUNTED = ("open_general", "open_major", "overdue", "repeat", "listed")


def merged(stored: str | dict | None) -> dict:
    """The defaults overlaid with what a park stored."""
    values = dict(DEFAULTS)
    if isinstance(stored, str):
        stored = json.loads(stored or "{}")
    values.update({k: v for k, v in (stored or {}).items() if k in BY_NAME})
    return values


def problems(values: dict) -> dict[str, str]:
    """What is wrong with a set of settings, by field name (empty when they make sense)."""
    wrong: dict[str, str] = {}
    for setting in SETTINGS:
        value = values.get(setting.name)
        if setting.group == "rules":
            if value not in ("", *GRADES):
                wrong[setting.name] = str(_l("Choose a grade or no rule."))
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            wrong[setting.name] = str(_l("Write a whole number."))
        elif value < setting.minimum:
            wrong[setting.name] = (
                str(_l("Must not be negative."))
                if setting.minimum == 0
                else str(_l("Must be at least %(least)s.", least=setting.minimum))
            )
        elif value > setting.maximum:
            wrong[setting.name] = str(_l("Must be at most %(most)s.", most=setting.maximum))
    if not wrong:
        red, orange, yellow = (values[f"threshold_{g}"] for g in ("red", "orange", "yellow"))
        if not yellow < orange < red:
            wrong["threshold_orange"] = str(
                _l(
                    "Thresholds must rise from yellow to orange to red (now %(y)s, %(o)s, %(r)s).",
                    y=yellow,
                    o=orange,
                    r=red,
                )
            )
    return wrong


@dataclass
class Facts:
    """What grading one enterprise needs to know."""

    industry: str = ""
    sector: str | None = None
    scale: str = "small"
    flags: frozenset[str] = frozenset()
    open_general: int = 0
    open_major: int = 0
    overdue: int = 0
    overdue_major: int = 0
    repeat: int = 0
    listed: int = 0
    found_12m: int = 0
    inspections_12m: int = 0
    closed_12m: int = 0
    closed_late_12m: int = 0
    # A supervisor's mandatory grade for this enterprise and why.
    override_grade: str | None = None
    override_reason: str | None = None


@dataclass
class Result:
    """A grade with its breakdown, factor by factor."""

    score: int
    inherent: int
    dynamic: int
    score_grade: str
    grade: str
    factors: list[dict] = field(default_factory=list)
    rules: list[dict] = field(default_factory=list)

    def breakdown_json(self) -> str:
        return json.dumps(
            {"factors": self.factors, "rules": self.rules}, ensure_ascii=False, sort_keys=True
        )

    def as_dict(self) -> dict:
        return asdict(self)


def grade_of(score: int, values: dict) -> str:
    """The grade a score alone gives."""
    for grade in (Grade.RED, Grade.ORANGE, Grade.YELLOW):
        if score >= values[f"threshold_{grade}"]:
            return grade
    return Grade.BLUE


def _industry(facts: Facts) -> str:
    if facts.industry == "化工" or (facts.sector is None and "hazardous_chemicals" in facts.flags):
        return "industry_chemical"
    if facts.sector is not None:
        return "industry_gongmao"
    return "industry_other"


def grade(facts: Facts, values: dict) -> Result:
    """Score and grade one enterprise; every factor that adds points is in the breakdown."""
    factors: list[dict] = []

    def add(code: str, quantity, points: float, group: str) -> None:
        points = round(points)
        if points:
            factors.append({"code": code, "quantity": quantity, "points": points, "group": group})

    for flag in INHERENT_FLAGS:
        if flag in facts.flags:
            add(flag, 1, values[flag], "inherent")
    industry = _industry(facts)
    add(industry, facts.industry, values[industry], "inherent")
    add("size", facts.scale, values["size"] * SIZE_SHARE.get(facts.scale, 0.25), "inherent")
    inherent = min(100, sum(f["points"] for f in factors))

    for code in COUNTED:
        count = getattr(facts, code)
        add(code, count, min(values[f"{code}_cap"], count * values[code]), "dynamic")
    if facts.found_12m:
        per_inspection = facts.found_12m / max(facts.inspections_12m, 1)
        add(
            "findings",
            round(per_inspection, 1),
            min(values["findings_cap"], per_inspection * values["findings"]),
            "dynamic",
        )
    if facts.closed_12m:
        late_share = facts.closed_late_12m / facts.closed_12m
        add(
            "late_closure",
            f"{round(late_share * 100)}%",
            late_share * values["late_closure"],
            "dynamic",
        )
    dynamic = sum(f["points"] for f in factors if f["group"] == "dynamic")
    score = max(0, min(100, inherent + dynamic))
    by_score = grade_of(score, values)

    rules: list[dict] = []
    final = by_score

    def floor(code: str, least: str | None, reason: str | None = None) -> None:
        nonlocal final
        if not least:
            return
        if RANK[least] > RANK[final]:
            rules.append({"code": code, "grade": least, "reason": reason})
        final = worse(final, least)

    if "major_hazard_source" in facts.flags:
        floor("rule_major_hazard_source", values["rule_major_hazard_source"])
    if facts.listed:
        floor("rule_listed_major", values["rule_listed_major"])
    if facts.overdue_major:
        floor("rule_overdue_major", values["rule_overdue_major"])
    if facts.override_grade:
        floor("override", facts.override_grade, facts.override_reason)
    return Result(score, inherent, dynamic, by_score, final, factors, rules)


def interval_days(values: dict, grade: str) -> int:
    """Days between inspections for a grade."""
    return values[f"interval_{grade}"]


def yearly_cap(values: dict, grade: str) -> int:
    """The most inspections a year for a grade."""
    return values[f"cap_{grade}"]
