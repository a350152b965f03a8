"""How the domain's codes read in the interface (translated; Chinese by default)."""

from __future__ import annotations

import re

from inspection.i18n import lazy_gettext as _l

ROLES = {
    "admin": _l("Administrator"),
    "supervisor": _l("Supervisor"),
    "inspector": _l("Inspector"),
    "enterprise": _l("Enterprise user"),
}

HAZARD_STATES = {
    "found": _l("Found, not yet issued"),
    "issued": _l("Notice issued"),
    "acknowledged": _l("Acknowledged"),
    "rectifying": _l("Rectifying"),
    "submitted": _l("Awaiting re-inspection"),
    "accepted": _l("Accepted, awaiting removal from supervision"),
    "closed": _l("Closed"),
    "escalated": _l("Refused, escalated to enforcement"),
    "voided": _l("Voided"),
}

HAZARD_LEVELS = {
    "general": _l("General hazard"),
    "significant": _l("Significant hazard"),
    "major": _l("Major hazard"),
}

# A major hazard is called what the standard that makes it major calls it: GB 35181 names its
# findings 重大火灾隐患; 16号令, 10号令 and 121号 name theirs 重大事故隐患 (the default above).
MAJOR_LEVEL_BY_STANDARD = ((re.compile(r"GB\s*35181"), _l("Major fire hazard")),)


def level_labeller():
    """A level_label with the names translated once, for exports of many rows."""
    names = {code: str(name) for code, name in HAZARD_LEVELS.items()}
    by_standard = [(pattern, str(name)) for pattern, name in MAJOR_LEVEL_BY_STANDARD]

    def label_of(level: str | None, basis: str | None = None) -> str:
        if level == "major" and basis:
            for pattern, name in by_standard:
                if pattern.search(basis):
                    return name
        return names.get(level, level or "")

    return label_of


def level_label(level: str | None, basis: str | None = None) -> str:
    """The name of a hazard's level, worded as the standard in its basis words it."""
    return level_labeller()(level, basis)


HAZARD_CATEGORIES = {
    "safety": _l("Safety"),
    "process": _l("Process"),
    "electrical": _l("Electrical"),
    "instrument": _l("Instrumentation"),
    "fire": _l("Fire"),
    "layout": _l("Site layout"),
    "equipment": _l("Equipment"),
    "environment": _l("Environment"),
    "other": _l("Other"),
}

HAZARD_ASPECTS = {
    "person": _l("Unsafe act of a person"),
    "thing": _l("Unsafe state of a thing"),
    "management": _l("Management defect"),
}

OCCURRENCE_LINKS = {
    "design": _l("Design"),
    "product_defect": _l("Product quality defect"),
    "storage": _l("Storage"),
    "construction": _l("Project construction"),
    "start_stop": _l("Start-up or shutdown"),
    "operation": _l("Use and operation"),
    "maintenance": _l("Upkeep"),
    "repair": _l("Repair"),
    "change": _l("Change of process, equipment or staff"),
    "transport": _l("Transport"),
}

HANDLING = {"on_spot": _l("Fixed on the spot"), "deadline": _l("Rectify by a deadline")}

INSPECTION_TYPES = {
    "routine": _l("Routine"),
    "special": _l("Special campaign"),
    "random": _l("Random (double random)"),
    "seasonal": _l("Seasonal"),
    "pre_holiday": _l("Before holidays"),
    "pre_resumption": _l("Before resuming work"),
    "reinspection": _l("Re-inspection"),
    "third_party": _l("Third-party service"),
    "self": _l("Enterprise self-inspection"),
    "report": _l("Public report"),
}

INSPECTION_STATUSES = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
}

SCALES = {
    "large": _l("Large"),
    "medium": _l("Medium"),
    "small": _l("Small"),
    "micro": _l("Micro"),
}

DISCHARGE_PERMITS = {
    "none": _l("No permit"),
    "key": _l("Key management"),
    "simplified": _l("Simplified management"),
    "registration": _l("Registration"),
}

RISK_FLAGS = {
    "dust": _l("Explosible dust"),
    "confined_space": _l("Confined spaces"),
    "ammonia_refrigeration": _l("Ammonia refrigeration"),
    "hazardous_chemicals": _l("Hazardous chemicals"),
    "major_hazard_source": _l("Major hazard installation"),
    "hazardous_waste": _l("Hazardous-waste producer"),
}

DISCHARGE_PERMIT_HOLDER = _l("Holds a discharge permit")

HAZARD_EVENTS = {
    "record": _l("Recorded"),
    "fix_on_spot": _l("Fixed on the spot"),
    "issue": _l("Notice issued"),
    "acknowledge": _l("Notice acknowledged"),
    "plan": _l("Rectification plan filed"),
    "submit": _l("Rectification submitted"),
    "accept": _l("Accepted and closed"),
    "reject": _l("Rejected"),
    "refuse": _l("Refused, escalated"),
    "resume": _l("Rectification resumed"),
    "void": _l("Voided"),
    "delist": _l("Removed from supervision and closed"),
    "request_extension": _l("Extension requested"),
    "decide_extension": _l("Extension decided"),
    "list": _l("Listed for supervision"),
    "confirm": _l("Major finding reviewed (研判)"),
    "approve_resumption": _l("Resuming production approved (复产)"),
    "reassign": _l("Reassigned"),
    "remind": _l("Reminded"),
    "escalate_overdue": _l("Overdue, reported to the supervisors"),
}
# The park's industries are kept by their Chinese names (the registry's words); these are the
# names English pages show for them. An industry not listed here shows as it was typed.
INDUSTRIES = {
    "五金": _l("Hardware"),
    "机械": _l("Machinery"),
    "化工": _l("Chemicals"),
    "光伏": _l("Photovoltaics"),
    "木制品": _l("Wood products"),
    "生物医疗": _l("Biomedicine"),
    "印刷": _l("Printing"),
    "食品": _l("Food"),
    "轻工": _l("Light industry"),
    "纺织": _l("Textiles"),
    "电子": _l("Electronics"),
    "建材": _l("Building materials"),
    "冶金": _l("Metallurgy"),
    "有色": _l("Non-ferrous metals"),
    "烟草": _l("Tobacco"),
    "商贸": _l("Commerce and trade"),
    "其他": _l("Other"),
}


def industry_label(name: str | None) -> str:
    """An industry's name in the reader's language (as typed when it is not a known one)."""
    return str(INDUSTRIES[name]) if name in INDUSTRIES else (name or "")


# A listed hazard that passes re-inspection is accepted, not closed: 摘牌 closes it.
ACCEPTED_AWAITING_DELISTING = _l("Passed re-inspection, awaiting removal from supervision")


def event_label(event: str | None, to_state: str | None = None) -> str:
    """What a step of a hazard's history did, as its outcome says (accepted is not closed)."""
    if event == "accept" and to_state == "accepted":
        return str(ACCEPTED_AWAITING_DELISTING)
    return label(HAZARD_EVENTS, event)


SUPERVISION_LEVELS = {
    "city": _l("City level"),
    "county": _l("County level"),
    "park": _l("Park level"),
}

REVIEW_MODES = {"on_site": _l("On site"), "documents": _l("On the documents")}

EXTENSION_STATUSES = {
    "pending": _l("Awaiting a decision"),
    "approved": _l("Approved"),
    "refused": _l("Refused"),
}

PHOTO_KINDS = {
    "before": _l("As found"),
    "after": _l("After rectification"),
    "review": _l("Re-inspection"),
    "inspection": _l("Inspection"),
}


def label(table: dict, code: str | None) -> str:
    """The label of a code, or the code itself when it has none."""
    if code is None:
        return ""
    return str(table.get(code, code))


SOURCE_KINDS = {
    "official": _l("Official publication"),
    "reprint": _l("Full reprint of the official text"),
    "summary": _l("Summary or notes (cannot confirm wording)"),
}

TEMPLATE_KINDS = {
    "major_hazard_criteria": _l("Major-hazard criteria"),
    "routine": _l("Routine checklist"),
    "assessment": _l("Scored assessment"),
}

ANSWER_TYPES = {
    "pass_fail": _l("Pass / fail / not applicable"),
    "number": _l("A number with limits"),
    "choice": _l("A choice"),
    "text": _l("Text"),
    "photo": _l("A photo"),
}

VERSION_STATUSES = {"draft": _l("Draft"), "published": _l("Published")}

ANSWER_RESULTS = {"pass": _l("Complies"), "fail": _l("Does not comply"), "na": _l("Not applicable")}

BULK_ACTIONS = {
    "remind": _l("Remind the enterprises"),
    "reassign": _l("Reassign to an inspector"),
    "extend": _l("Extend the deadline"),
}

NOTIFICATION_KINDS = {
    "account_locked": _l("Account locked after failed logins"),
    "notice_issued": _l("Notice issued"),
    "rectification_submitted": _l("Rectification submitted"),
    "rectification_rejected": _l("Rectification rejected"),
    "hazard_closed": _l("Hazard closed"),
    "awaiting_delisting": _l("Awaiting removal from supervision"),
    "extension_requested": _l("Extension requested"),
    "extension_approved": _l("Extension approved"),
    "extension_refused": _l("Extension refused"),
    "hazard_listed": _l("Listed for supervision"),
    "resumption_approved": _l("Resuming production approved"),
    "hazard_assigned": _l("Hazard assigned"),
    "reminder": _l("Reminder from an inspector"),
    "deadline_near": _l("Deadline approaching"),
    "due_today": _l("Due today"),
    "overdue": _l("Overdue"),
    "overdue_escalated": _l("Overdue, reported to the supervisors"),
    "case_deadline_near": _l("Assigned case: deadline approaching"),
    "case_due_today": _l("Assigned case due today"),
    "case_overdue": _l("Assigned case overdue"),
    "case_overdue_escalated": _l("Assigned case overdue, reported to the supervisors"),
    "extension_waiting": _l("Extension request waiting"),
    "statistics_due": _l("Hazard statistics due"),
    "inspections_planned": _l("Recurring inspections planned"),
    "risk_warning": _l("Risk warning"),
    "repeat_escalated": _l("Hazard found a third time, reported to the supervisors"),
    "digest": _l("Daily digest"),
    "test": _l("Test message"),
}

RISK_GRADES = {
    "red": _l("Red (major risk)"),
    "orange": _l("Orange (significant risk)"),
    "yellow": _l("Yellow (general risk)"),
    "blue": _l("Blue (low risk)"),
}

RISK_WARNINGS = {
    "grade_worse": _l("Grade worsened"),
    "repeat": _l("Repeat hazard"),
    "repeat_third": _l("Hazard found a third time"),
    "not_inspected": _l("Not inspected within its grade's interval"),
    "major_no_plan": _l("Major hazard due within 7 days without a plan"),
    "overdue_rising": _l("Overdue hazards rose three months running"),
    "over_cap": _l("Over its yearly inspection cap"),
}

RISK_CAUSES = {
    "nightly": _l("Nightly recompute"),
    "demo": _l("Demo data"),
    "registered": _l("Enterprise registered"),
    "details changed": _l("Enterprise details changed"),
    "record": _l("Hazard recorded"),
    "list": _l("Listed for supervision"),
    "extension": _l("Deadline extended"),
    "override": _l("Mandatory grade set"),
    "override lifted": _l("Mandatory grade lifted"),
    "settings": _l("Settings changed"),
}


def risk_cause(cause: str) -> str:
    """What moved a grade, worded: "record YH-…" reads "Hazard recorded YH-…"."""
    for code, name in RISK_CAUSES.items():
        if cause == code or cause.startswith(code + ":"):
            return str(name) + cause[len(code) :]
    event, _space, rest = cause.partition(" ")
    if event in RISK_CAUSES:
        return f"{RISK_CAUSES[event]} {rest}"
    if event in HAZARD_EVENTS:
        return f"{HAZARD_EVENTS[event]} {rest}"
    return cause


WARNING_STATUSES = {
    "new": _l("New"),
    "acknowledged": _l("Acknowledged"),
    "handled": _l("Handled"),
}

TARGETED = {"complaint": _l("After a complaint"), "warning": _l("After a warning")}

DELIVERY_STATUSES = {
    "held": _l("Waiting for the daily digest"),
    "pending": _l("Queued"),
    "sending": _l("Sending"),
    "retrying": _l("Failed, will retry"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "digested": _l("Sent in a digest"),
    "cancelled": _l("Cancelled"),
}

CHANNELS = {"email": _l("Email"), "webhook": _l("Webhook")}

EMAIL_MODES = {
    "immediate": _l("Each message at once"),
    "digest": _l("One digest a day"),
    "off": _l("No email"),
}

WEBHOOK_FLAVOURS = {
    "generic": _l("Signed JSON (other systems)"),
    "dingtalk": _l("DingTalk group robot"),
    "wecom": _l("WeCom group robot"),
}

RECURRENCES = {
    "monthly": _l("Monthly"),
    "quarterly": _l("Quarterly"),
    "before_holidays": _l("Before each holiday"),
}


def statistics_period(code: str) -> str:
    """ "2026Q4" -> 2026年第4季度, "2026" -> 2026年度 (in the current language)."""
    if "Q" in code:
        year, quarter = code.split("Q", 1)
        return str(_l("Q%(quarter)s %(year)s", quarter=quarter, year=year))
    return str(_l("the year %(year)s", year=code))


# What each list or dashboard filter is called, for messages about a value it could not use.
FILTER_NAMES = {
    "state": _l("State"),
    "level": _l("Level"),
    "category": _l("Category"),
    "source": _l("Source"),
    "zone": _l("Zone"),
    "enterprise": _l("Enterprise"),
    "inspector": _l("Inspector"),
    "industry": _l("Industry"),
}


SECURITY_EVENTS = {
    "login": _l("Login"),
    "login_failed": _l("Failed login"),
    "logout": _l("Logout"),
    "login_throttled": _l("Login slowed down"),
    "account_locked": _l("Account locked"),
    "password_changed": _l("Password changed"),
    "password_reset": _l("Password reset"),
    "reset_link_sent": _l("Reset link made"),
    "user_created": _l("User created"),
    "user_changed": _l("User changed"),
    "user_activation": _l("User enabled or disabled"),
    "access_refused": _l("Access refused"),
    "export": _l("Export"),
    "download": _l("Download"),
    "api_sync": _l("API sync"),
    "settings_changed": _l("Settings changed"),
    "session_expired": _l("Session expired"),
}

SECURITY_OUTCOMES = {
    "ok": _l("Succeeded"),
    "failed": _l("Failed"),
    "refused": _l("Refused"),
}

YES_NO = {True: _l("Yes"), False: _l("No")}

SYNC_OUTCOMES = {"accepted": _l("accepted"), "rejected": _l("rejected"), "retry": _l("to retry")}

# The names of the details a security log entry may carry.
SECURITY_DETAILS = {
    "what": _l("What"),
    "format": _l("Format"),
    "filters": _l("Filters"),
    "hazard": _l("Hazard"),
    "hazards": _l("Hazards"),
    "notice": _l("Notice"),
    "report": _l("Report"),
    "title": _l("Title"),
    "inspection": _l("Inspection"),
    "user": _l("User"),
    "by": _l("By"),
    "fields": _l("Fields changed"),
    "active": _l("Can log in"),
    "reason": _l("Reason"),
    "wait_seconds": _l("Wait (seconds)"),
    "known_user": _l("User name exists"),
    "failures": _l("Failures"),
    "addresses": _l("Addresses"),
    "setting": _l("Setting"),
    "old": _l("Before"),
    "new": _l("After"),
    "values": _l("Values"),
    "method": _l("Method"),
    "path": _l("Address"),
    "role": _l("Role"),
    "park_id": _l("Park"),
    "region_id": _l("Region"),
    "device": _l("Device"),
    "records": _l("Records"),
    "results": _l("Results"),
    "idle_minutes": _l("Idle minutes"),
    "webhook": _l("Webhook"),
    "name": _l("Name"),
    "kinds": _l("Kinds"),
    "changes": _l("Changes"),
    "enterprise_id": _l("Enterprise"),
    "via": _l("Made through"),
}

SECURITY_DETAIL_VALUES = {
    "hazard_ledger": _l("Hazard ledger"),
    "hazard_history": _l("Hazard history"),
    "notice_pdf": _l("Rectification notice"),
    "inspection_record_pdf": _l("Inspection record"),
    "report_pdf": _l("Report"),
    "security_log": _l("Security log"),
    "admin": _l("an administrator"),
    "link": _l("a reset link"),
    "email": _l("e-mail"),
    "wrong_current": _l("wrong current password"),
    "account_locked": _l("account locked"),
    "disabled": _l("account disabled"),
    "password_min_length": _l("Shortest password"),
    "reminder_policy": _l("Reminder rules"),
    "webhook": _l("Webhook"),
    "display_name": _l("Name"),
    "phone": _l("Phone"),
    "organisation": _l("Organisation"),
    "third_party": _l("Third party"),
    "enforcement_certificate": _l("Enforcement certificate number"),
    "role": _l("Role"),
    "workplace": _l("Works in"),
    "cli": _l("the command line"),
    "demo": _l("the demo data"),
    "enterprise": _l("Enterprise"),
    "active": _l("Can log in"),
    "workflow_settings": _l("The park's workflow settings"),
    "risk_settings": _l("Risk grading settings"),
    "significant_level": _l("Grade hazards in three levels: general, 较大 and major"),
    "confirmation_min_people": _l("People taking part in 研判 of a major finding"),
    "reviewer_must_differ": _l("The re-inspector must not be the finder"),
    "extension_approver": _l("Who decides extensions of hazards not listed for supervision"),
    "extension_lead_days_major": _l(
        "Major hazard: ask at least this many working days before the deadline"
    ),
    "extension_lead_days_general": _l(
        "Other hazards: ask at least this many working days before the deadline"
    ),
    "extension_decision_days": _l("Decide a request within this many working days"),
    "rectification_max_days": _l(
        "Extensions take a deadline at most this many days after the finding"
    ),
}
