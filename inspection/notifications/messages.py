"""What each kind of notification says, worded in the reader's language when it is shown."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l

from inspection import labels
from inspection.notifications.models import Notification


@dataclass(frozen=True)
class Plural:
    """A message whose wording depends on a count among its parameters (`key`)."""

    singular: str
    plural: str
    key: str

    def text(self, params: dict) -> str:
        try:
            count = int(params.get(self.key, 0))
        except (TypeError, ValueError):
            count = 0
        # The raw catalog text: its placeholders are filled by the caller, all at once.
        return get_translations().ungettext(self.singular, self.plural, count)


def _plural(singular: str, plural: str, key: str) -> Plural:
    """Mark a plural message for the catalog (extracted with the keyword `_plural:1,2`)."""
    return Plural(singular, plural, key)


MESSAGES = {
    "notice_issued": (
        _l("Rectification notice %(notice)s"),
        _plural(
            "%(enterprise)s has received rectification notice %(notice)s with %(count)s hazard."
            " Acknowledge it and rectify the hazard by its deadline.",
            "%(enterprise)s has received rectification notice %(notice)s with %(count)s hazards."
            " Acknowledge it and rectify each hazard by its deadline.",
            "count",
        ),
    ),
    "rectification_submitted": (
        _l("Rectification of %(hazard)s submitted"),
        _l(
            "%(enterprise)s reports hazard %(hazard)s (%(title)s) rectified; it awaits your"
            " re-inspection."
        ),
    ),
    "rectification_rejected": (
        _l("Rectification of %(hazard)s rejected"),
        _l(
            "The re-inspection of hazard %(hazard)s (%(title)s) did not pass: %(reason)s."
            " New deadline: %(deadline)s."
        ),
    ),
    "hazard_closed": (
        _l("Hazard %(hazard)s closed"),
        _l("Hazard %(hazard)s (%(title)s) passed its re-inspection and is closed."),
    ),
    "awaiting_delisting": (
        _l("Listed hazard %(hazard)s awaits removal from the list"),
        _l(
            "The rectification of listed major hazard %(hazard)s (%(title)s) at %(enterprise)s"
            " passed re-inspection. Approve its removal from supervision to close it."
        ),
    ),
    "extension_requested": (
        _l("Extension requested for %(hazard)s"),
        _l(
            "%(enterprise)s asks to move the deadline of hazard %(hazard)s from %(old)s to"
            " %(new)s: %(reason)s"
        ),
    ),
    "extension_approved": (
        _l("Extension of %(hazard)s approved"),
        _l("The deadline of hazard %(hazard)s (%(title)s) is now %(new)s."),
    ),
    "extension_refused": (
        _l("Extension of %(hazard)s refused"),
        _l("The deadline of hazard %(hazard)s (%(title)s) stays %(old)s: %(reason)s"),
    ),
    "draw_result_late": (
        _l("Result of %(enterprise)s not yet published"),
        _l(
            "The result of %(enterprise)s in random inspection task %(task)s was due for"
            " publication by %(deadline)s. Review and publish it."
        ),
    ),
    "hazard_listed": (
        _l("Hazard %(hazard)s listed for supervision"),
        _l("Major hazard %(hazard)s (%(title)s) is listed for supervision by %(body)s."),
    ),
    "resumption_approved": (
        _l("Resuming production approved for %(hazard)s"),
        _l(
            "The review of your application found that production stopped for hazard"
            " %(hazard)s (%(title)s) may resume."
        ),
    ),
    "hazard_assigned": (
        _l("Hazard %(hazard)s assigned to you"),
        _l("You now follow up hazard %(hazard)s (%(title)s) at %(enterprise)s."),
    ),
    "reminder": (
        _l("Reminder: hazard %(hazard)s is due %(deadline)s"),
        _l("Hazard %(hazard)s (%(title)s) must be rectified by %(deadline)s."),
    ),
    "deadline_near": (
        _plural(
            "Hazard %(hazard)s is due in %(days)s day",
            "Hazard %(hazard)s is due in %(days)s days",
            "days",
        ),
        _plural(
            "Hazard %(hazard)s (%(title)s) at %(enterprise)s must be rectified by %(deadline)s,"
            " %(days)s day from now. Submit the rectification for re-inspection in time, or"
            " ask for an extension before the deadline.",
            "Hazard %(hazard)s (%(title)s) at %(enterprise)s must be rectified by %(deadline)s,"
            " %(days)s days from now. Submit the rectification for re-inspection in time, or"
            " ask for an extension before the deadline.",
            "days",
        ),
    ),
    "due_today": (
        _l("Hazard %(hazard)s is due today"),
        _l(
            "Today, %(deadline)s, is the deadline of hazard %(hazard)s (%(title)s) at"
            " %(enterprise)s."
        ),
    ),
    "overdue": (
        _plural(
            "Hazard %(hazard)s is %(days)s day overdue",
            "Hazard %(hazard)s is %(days)s days overdue",
            "days",
        ),
        _plural(
            "The deadline of hazard %(hazard)s (%(title)s) at %(enterprise)s was %(deadline)s;"
            " it is %(days)s day overdue. Rectify it and submit it for re-inspection now.",
            "The deadline of hazard %(hazard)s (%(title)s) at %(enterprise)s was %(deadline)s;"
            " it is %(days)s days overdue. Rectify it and submit it for re-inspection now.",
            "days",
        ),
    ),
    "overdue_escalated": (
        _plural(
            "Overdue %(days)s day: %(enterprise)s, hazard %(hazard)s",
            "Overdue %(days)s days: %(enterprise)s, hazard %(hazard)s",
            "days",
        ),
        _plural(
            "Hazard %(hazard)s (%(title)s, %(level)s) at %(enterprise)s passed its deadline"
            " %(deadline)s %(days)s day ago and is still not rectified. It is reported to the"
            " supervisors for follow-up.",
            "Hazard %(hazard)s (%(title)s, %(level)s) at %(enterprise)s passed its deadline"
            " %(deadline)s %(days)s days ago and is still not rectified. It is reported to the"
            " supervisors for follow-up.",
            "days",
        ),
    ),
    "case_deadline_near": (
        _plural(
            "Assigned case %(number)s is due in %(days)s day",
            "Assigned case %(number)s is due in %(days)s days",
            "days",
        ),
        _l(
            "Assigned case %(number)s (%(problem)s), owed by %(responsible)s, must be rectified"
            " by %(deadline)s."
        ),
    ),
    "case_due_today": (
        _l("Assigned case %(number)s is due today"),
        _l(
            "Today, %(deadline)s, is the deadline of assigned case %(number)s (%(problem)s),"
            " owed by %(responsible)s."
        ),
    ),
    "case_overdue": (
        _plural(
            "Assigned case %(number)s is %(days)s day overdue",
            "Assigned case %(number)s is %(days)s days overdue",
            "days",
        ),
        _plural(
            "The deadline of assigned case %(number)s (%(problem)s), owed by %(responsible)s,"
            " was %(deadline)s; it is %(days)s day overdue. Rectify it and submit it for"
            " acceptance now.",
            "The deadline of assigned case %(number)s (%(problem)s), owed by %(responsible)s,"
            " was %(deadline)s; it is %(days)s days overdue. Rectify it and submit it for"
            " acceptance now.",
            "days",
        ),
    ),
    "case_overdue_escalated": (
        _plural(
            "Overdue %(days)s day: %(responsible)s, assigned case %(number)s",
            "Overdue %(days)s days: %(responsible)s, assigned case %(number)s",
            "days",
        ),
        _plural(
            "Assigned case %(number)s (%(problem)s), owed by %(responsible)s, passed its"
            " deadline %(deadline)s %(days)s day ago and is still not rectified. It is reported"
            " to the supervisors for follow-up.",
            "Assigned case %(number)s (%(problem)s), owed by %(responsible)s, passed its"
            " deadline %(deadline)s %(days)s days ago and is still not rectified. It is reported"
            " to the supervisors for follow-up.",
            "days",
        ),
    ),
    "extension_waiting": (
        _l("Extension request for %(hazard)s awaits your decision"),
        _plural(
            "%(enterprise)s asked %(waiting)s day ago to move the deadline of hazard"
            " %(hazard)s from %(old)s to %(new)s. Approve or refuse it.",
            "%(enterprise)s asked %(waiting)s days ago to move the deadline of hazard"
            " %(hazard)s from %(old)s to %(new)s. Approve or refuse it.",
            "waiting",
        ),
    ),
    "statistics_due": (
        _l("Hazard statistics for %(period)s due %(due)s"),
        _l(
            "%(enterprise)s: report the hazard investigation and rectification statistics for"
            " %(period)s to the park by %(due)s."
        ),
    ),
    "inspections_planned": (
        _plural(
            "%(count)s inspection planned: %(plan)s",
            "%(count)s inspections planned: %(plan)s",
            "count",
        ),
        _plural(
            "The recurring plan %(plan)s has created %(count)s inspection planned for"
            " %(date)s. It is on your list of inspections.",
            "The recurring plan %(plan)s has created %(count)s inspections planned for"
            " %(date)s. They are on your list of inspections.",
            "count",
        ),
    ),
    "risk_warning": (
        _l("Warning: %(case)s, %(enterprise)s"),
        _l(
            "%(enterprise)s: %(case)s (%(summary)s). Acknowledge it on the warnings page and"
            " note how it was handled."
        ),
    ),
    "repeat_escalated": (
        _l("Found a third time: %(enterprise)s, hazard %(hazard)s"),
        _l(
            "Hazard %(hazard)s (%(title)s) at %(enterprise)s is the %(occurrence)sth finding of"
            " the same problem within a year of its closure. It is reported to the supervisors:"
            " consider a talk with the principal (约谈), listing, and more frequent inspection."
        ),
    ),
    "digest": (
        _plural(
            "Daily digest: %(count)s notification", "Daily digest: %(count)s notifications", "count"
        ),
        _plural(
            "%(count)s notification since the last digest.",
            "%(count)s notifications since the last digest.",
            "count",
        ),
    ),
    "account_locked": (
        _l("Account %(user)s locked after failed logins"),
        _plural(
            "The account %(user)s had %(failures)s failed logins from %(addresses)s address"
            " within the hour. It is locked for addresses it never logged in from; the user can"
            " still log in from their usual devices. Check the security log, and reset the"
            " password if it may be known to others.",
            "The account %(user)s had %(failures)s failed logins from %(addresses)s addresses"
            " within the hour. It is locked for addresses it never logged in from; the user can"
            " still log in from their usual devices. Check the security log, and reset the"
            " password if it may be known to others.",
            "addresses",
        ),
    ),
    "password_reset_link": (
        _l("Choose a new password"),
        _plural(
            "Someone asked to reset the password of %(user)s. Open this link within"
            " %(hours)s hour to choose a new one: %(link)s . If it was not you, ignore this"
            " message; your password stays as it is.",
            "Someone asked to reset the password of %(user)s. Open this link within"
            " %(hours)s hours to choose a new one: %(link)s . If it was not you, ignore this"
            " message; your password stays as it is.",
            "hours",
        ),
    ),
    "test": (
        _l("Test message from the inspection system"),
        _l("This webhook is set up correctly. Sent by %(user)s."),
    ),
}

# Kinds that go out by email at once, whatever the user chose (a reset link is useless later).
ALWAYS_EMAILED: frozenset[str] = frozenset({"password_reset_link"})

# Kinds that go out by email only in the daily digest, whatever the user chose: they are many.
DIGEST_KINDS: frozenset[str] = frozenset(
    {
        "deadline_near",
        "due_today",
        "overdue",
        "overdue_escalated",
        "case_deadline_near",
        "case_due_today",
        "case_overdue",
        "case_overdue_escalated",
        "extension_waiting",
        "statistics_due",
        "risk_warning",
    }
)


def render(notification: Notification) -> tuple[str, str]:
    """The subject and body of a notification, in the current language."""
    return render_kind(notification.kind, json.loads(notification.params))


def render_kind(kind: str, params: dict) -> tuple[str, str]:
    """The subject and body of a kind of message with its parameters, in the current language."""
    subject, body = MESSAGES.get(kind, (kind, ""))
    subject, body = (_worded(text, params) for text in (subject, body))
    params = _localised(params)
    try:
        return str(subject) % params, str(body) % params if body else ""
    except (KeyError, TypeError, ValueError):  # a message written before its wording changed
        return str(subject).split("%")[0].strip() or kind, ""


def _worded(text, params: dict):
    """A message's text for these parameters (the plural form their count needs)."""
    return text.text(params) if isinstance(text, Plural) else text


def _localised(params: dict) -> dict:
    """Parameters that are codes (a hazard level) worded in the current language."""
    params = dict(params)
    if "level" in params:
        params["level"] = labels.level_label(params["level"], params.get("basis"))
    if "case" in params:
        params["case"] = labels.label(labels.RISK_WARNINGS, params["case"])
    if "period" in params:
        params["period"] = labels.statistics_period(params["period"])
    return params
