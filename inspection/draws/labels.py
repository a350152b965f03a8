"""How the draw pages name stored codes: statuses, methods, strata, quotas, states."""

from __future__ import annotations

import functools

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from inspection import labels

TASK_STATUSES = {
    "draft": _l("Draft"),
    "frozen": _l("Pool frozen, hash published"),
    "drawn": _l("Drawn"),
    "campaign": _l("Inspections planned"),
}
METHODS = {
    "onsite": _l("On site (实地)"),
    "written": _l("In writing (书面)"),
    "online": _l("Online monitoring (网络监测)"),
}
RESULT_STATES = {
    "pending": _l("Not yet entered"),
    "entered": _l("Entered, awaiting review"),
    "returned": _l("Sent back"),
    "reviewed": _l("Reviewed"),
    "published": _l("Posted publicly"),
}
ADJUSTMENTS = {
    "replace_officer": _l("Officer replaced"),
    "withdraw_enterprise": _l("Enterprise withdrawn"),
}

KEY_REASONS = {
    "credit_d": _l("credit class D"),
    "major_hazard_source": _l("major hazard installation"),
    "major_risk": _l("risk grade red (major risk)"),
    "significant_risk": _l("risk grade orange (significant risk)"),
}


def _lookup(table: dict):
    return functools.partial(labels.label, table)


def stratum_label(key: str) -> str:
    """A stratum's name: its key, or words for the catch-all ones."""
    if key == "all":
        return _("All enterprises")
    if key == "none":
        return _("Not classed")
    if key == "*":
        return _("Every stratum")
    return key


def quota_label(quota: dict) -> str:
    """A quota as people write it."""
    if "count" in quota:
        return _("draw %(n)s", n=quota["count"])
    return _("draw %(ratio)s%%", ratio=quota["ratio"])


def caps_label(caps: dict | None) -> str:
    """The yearly cap of each risk grade, as a plan writes it: 红 12 · 橙 8 · 黄 4 · 蓝 2."""
    return " · ".join(
        _("%(grade)s: at most %(cap)s", grade=labels.label(labels.RISK_GRADES, grade), cap=cap)
        for grade, cap in (caps or {}).items()
    )


LABELS = {
    "task_status": _lookup(TASK_STATUSES),
    "method_label": _lookup(METHODS),
    "result_state": _lookup(RESULT_STATES),
    "adjustment_label": _lookup(ADJUSTMENTS),
    "key_reason": _lookup(KEY_REASONS),
    "stratum_label": stratum_label,
    "quota_label": quota_label,
    "caps_label": caps_label,
}
