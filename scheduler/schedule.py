"""The schedule, declared as data: stable ids, one instance at a time, late runs coalesced.

A trigger argument given as a string names a setting (e.g. the delivery interval), read from
the app's configuration when the scheduler is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from scheduler import jobs


@dataclass(frozen=True)
class Job:
    """One scheduled job."""

    id: str
    func: object
    trigger: str
    trigger_args: dict = field(default_factory=dict)
    misfire_grace_time: int = 3600
    # Also run as soon as the scheduler starts, to catch up on what it missed while down.
    at_start: bool = False


JOBS: tuple[Job, ...] = (
    Job(
        "heartbeat",
        jobs.heartbeat,
        "interval",
        {"seconds": "HEARTBEAT_SECONDS"},
        misfire_grace_time=60,
        at_start=True,
    ),
    Job(
        "deliver-notifications",
        jobs.deliver_notifications,
        "interval",
        {"seconds": "DELIVERY_INTERVAL_SECONDS"},
        misfire_grace_time=60,
        at_start=True,
    ),
    Job(
        "build-reports",
        jobs.build_reports,
        "interval",
        {"seconds": "REPORT_INTERVAL_SECONDS"},
        misfire_grace_time=60,
        at_start=True,
    ),
    Job("sweep-reminders", jobs.sweep_reminders, "cron", {"hour": 7, "minute": 0}, at_start=True),
    Job(
        "remind-late-draw-results",
        jobs.remind_late_draw_results,
        "cron",
        {"hour": 7, "minute": 10},
        at_start=True,
    ),
    Job("send-digests", jobs.send_digests, "cron", {"minute": 5}, at_start=True),
    Job(
        "plan-recurring-inspections",
        jobs.plan_recurring_inspections,
        "cron",
        {"hour": 6, "minute": 30},
        at_start=True,
    ),
    Job("recompute-risk-grades", jobs.recompute_risk_grades, "cron", {"hour": 1, "minute": 30}),
    Job("sweep-risk-warnings", jobs.sweep_risk_warnings, "cron", {"hour": 7, "minute": 10}),
    Job("purge-login-throttles", jobs.purge_login_throttles, "interval", {"hours": 1}),
    Job("verify-audit-trail", jobs.verify_audit_trail, "cron", {"hour": 2, "minute": 30}),
    Job("archive-security-log", jobs.archive_security_log, "cron", {"hour": 2, "minute": 45}),
    Job(
        "forget-abandoned-uploads", jobs.forget_abandoned_uploads, "cron", {"hour": 3, "minute": 15}
    ),
)
