"""Job functions: importable, module-level, each run inside the app context and committed once."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlmodel import delete

from inspection import clock
from inspection.api.uploads import forget_abandoned
from inspection.auth.models import LoginThrottle
from inspection.campaigns.recurring import plan_due
from inspection.db import get_session
from inspection.draws.results import remind_late
from inspection.evidence.services import forget_pending
from inspection.hazards.audit import verify_chain
from inspection.health.services import beat
from inspection.notifications.delivery import deliver_due
from inspection.notifications.digest import make_digests
from inspection.reminders import sweep as reminder_sweep
from inspection.reports.jobs import run_queued
from inspection.risk import services as risk_services
from inspection.risk import warnings as risk_warnings
from inspection.security.integrity import archive_old
from inspection.security.integrity import verify_log
from scheduler import STOPPING

log = logging.getLogger(__name__)


def heartbeat() -> str:
    """Say that the scheduler is alive, for /healthz?scheduler=1."""
    beat(get_session())
    return "idle"


def purge_login_throttles() -> int:
    """Forget failed-login counts older than the counting window whose pause has ended, so
    the table stays small."""
    session = get_session()
    now = clock.now()
    window = timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    result = session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.first_failure_at < now - window,
            (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until < now),
        )
    )
    return result.rowcount or 0


def forget_abandoned_uploads() -> str:
    """Drop photo uploads a tablet stopped sending weeks ago, and their partial files, and the
    photos uploaded on a hazard's page for a step nobody saved."""
    session = get_session()
    uploads = forget_abandoned(session)
    pending = forget_pending(session)
    return f"{uploads} unfinished uploads, {pending} unsaved hazard-page photos"


def verify_audit_trail() -> int:
    """Recompute the hazard histories' and the security log's hash chains every night and log
    any record that does not fit."""
    session = get_session()
    problems = verify_chain(session)
    for problem in problems:
        log.error(
            "audit trail: event %s (hazard %s, step %s): %s",
            problem.record_id,
            problem.chain,
            problem.seq,
            problem.reason,
        )
    log_problems = verify_log(session, archive_dir=Path(current_app.config["SECURITY_ARCHIVE_DIR"]))
    for problem in log_problems:
        log.error(
            "security log: entry %s (%s, step %s): %s",
            problem.record_id,
            problem.chain,
            problem.seq,
            problem.reason,
        )
    return len(problems) + len(log_problems)


def archive_security_log() -> int:
    """Move security log entries past the retention period to archive files."""
    done = archive_old(get_session())
    for chain in done.skipped:
        log.error("security log: %s not archived, its old entries do not verify", chain)
    return done.events


def remind_late_draw_results() -> int:
    """Tell supervisors, once, of each 双随机 result past its publication deadline."""
    return remind_late(get_session())


def sweep_reminders() -> str:
    """Queue the day's reminders and escalations (catching up on days the scheduler missed)."""
    result = reminder_sweep.run(get_session())
    return (
        f"{len(result.days)} day(s), {result.hazards_read} hazards due,"
        f" {result.notifications} notifications, {result.escalated} escalated"
    )


def send_digests() -> int:
    """After the digest hour, roll each user's held emails into the day's digest."""
    return make_digests(get_session())


def deliver_notifications() -> str:
    """Send the emails and webhooks that are due; failures wait for their retry."""
    outcomes = deliver_due(get_session(), stop=STOPPING.is_set)
    return ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "idle"


def plan_recurring_inspections() -> str:
    """Make the campaigns of recurring plans whose next occurrence is within the lead time."""
    result = plan_due(get_session())
    return (
        f"{result.campaigns} campaigns, {result.inspections} inspections,"
        f" {result.problems} problems"
    )


def build_reports() -> int:
    """Build the supervision reports and ledgers people asked for."""
    return run_queued(get_session(), stop=STOPPING.is_set)


def recompute_risk_grades() -> str:
    """Grade every enterprise again (deadlines passed, the 12-month window moved) and log any
    grade that no longer fitted the facts of the day it was computed (drift)."""
    outcome = risk_services.recompute(get_session(), cause="nightly")
    for problem in outcome.drift:
        log.error("risk grade drift: %s", problem)
    return f"{outcome.enterprises} graded, {outcome.moved} moved, {len(outcome.drift)} drifted"


def sweep_risk_warnings() -> int:
    """Raise the day's warnings and send each once."""
    return risk_warnings.sweep(get_session())
