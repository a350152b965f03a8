"""Wait for the scheduler lock, then run the jobs until SIGTERM or SIGINT (see __main__)."""

from __future__ import annotations

import functools
import logging
import os
import signal
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler

from inspection import create_app
from inspection.config import ConfigurationError
from inspection.db import get_session
from scheduler import STOP_SIGNALS
from scheduler import STOPPING
from scheduler.lock import SchedulerLock
from scheduler.schedule import JOBS

log = logging.getLogger("scheduler")

# How often the running scheduler checks that it still holds its lock.
LOCK_WATCH_SECONDS = 30


def in_app_context(app, func):
    """Run a job in its own app context and commit what it did once."""

    @functools.wraps(func)
    def run_job() -> None:
        with app.app_context():
            try:
                result = func()
                get_session().commit()
            except Exception:
                log.exception("job %s failed", func.__name__)
                raise
            if result not in (0, "idle"):
                log.info("job %s done: %s", func.__name__, result)

    return run_job


def build_scheduler(app, scheduler_class: type[BaseScheduler]) -> BaseScheduler:
    """A scheduler with the declared jobs, in the park's time zone."""
    zone = ZoneInfo(app.config["TIMEZONE"])
    scheduler = scheduler_class(
        timezone=zone,
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    for job in JOBS:
        arguments = {
            name: app.config[value] if isinstance(value, str) else value
            for name, value in job.trigger_args.items()
        }
        if job.at_start:
            arguments["next_run_time"] = datetime.now(zone)
        scheduler.add_job(
            in_app_context(app, job.func),
            job.trigger,
            id=job.id,
            misfire_grace_time=job.misfire_grace_time,
            replace_existing=True,
            **arguments,
        )
    return scheduler


def watch_lock(scheduler: BaseScheduler, lock: SchedulerLock) -> None:
    """Stop running jobs if the lock was lost (e.g. PostgreSQL restarted and dropped its
    connection): another scheduler may hold it now. The process exits; its supervisor restarts
    it, and it waits for the lock like any second copy."""

    def check() -> None:
        if not lock.still_held():
            log.error("the scheduler lock was lost; stopping so that only one scheduler runs")
            os.kill(os.getpid(), signal.SIGTERM)

    scheduler.add_job(
        check, "interval", seconds=LOCK_WATCH_SECONDS, id="watch-scheduler-lock", coalesce=True
    )


def run() -> None:
    """Run until SIGINT or SIGTERM, which the caller has blocked in every thread.

    The signals are taken synchronously (waited for) rather than by a handler: a handler runs in
    the middle of whatever the main thread is doing, and stopping the scheduler from there can
    deadlock on a lock the interrupted code holds (the thread pool's, while jobs are being
    submitted). The main thread stops the scheduler, lets the running jobs finish, and only then
    gives the lock up, so that a scheduler taking over never overlaps with this one's last jobs.
    """
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s scheduler %(message)s")
    for name in ("scheduler", "inspection"):
        logging.getLogger(name).setLevel(logging.INFO)
    try:
        app = create_app()
    except ConfigurationError as refused:
        raise SystemExit(str(refused)) from None
    lock = SchedulerLock(app.extensions["engine"], Path(app.instance_path) / "scheduler.lock")
    poll = float(app.config["SCHEDULER_LOCK_POLL_SECONDS"])
    scheduler = None
    try:
        if not lock.wait(poll_seconds=poll, stop=stop_requested) or stop_requested(0):
            return  # stopped before it started
        log.info("scheduler lock taken; running %d jobs", len(JOBS))
        # Built only now, so that the jobs that run at start do so once the lock is ours.
        scheduler = build_scheduler(app, BackgroundScheduler)
        watch_lock(scheduler, lock)
        scheduler.start()
        signal.sigwait(STOP_SIGNALS)
        log.info("stopping: letting the running jobs finish (stop again to leave at once)")
        finish(scheduler)
    finally:
        if scheduler is not None and scheduler.running:  # left by an error: still wait for jobs
            scheduler.shutdown(wait=True)
        lock.release()
        log.info("scheduler stopped")


def finish(scheduler: BaseScheduler) -> None:
    """Start no new job and let the running ones end (long ones stop between items); a second
    SIGTERM or SIGINT leaves at once, which loses at most the item a job was working on."""
    STOPPING.set()
    scheduler.pause()
    stopper = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True)
    stopper.start()
    while stopper.is_alive():
        if stop_requested(0.2):
            log.warning("stopped again: leaving without waiting for the running jobs")
            logging.shutdown()
            os._exit(1)  # the lock goes with the process


def stop_requested(seconds: float) -> bool:
    """Wait up to `seconds` for SIGTERM or SIGINT; say whether one came."""
    return signal.sigtimedwait(STOP_SIGNALS, seconds) is not None
