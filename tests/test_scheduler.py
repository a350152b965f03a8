"""The scheduler: one active process, and its housekeeping jobs."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import select

from inspection import clock
from inspection.auth.models import LoginThrottle
from scheduler import jobs
from scheduler.lock import SchedulerLock
from scheduler.runner import build_scheduler
from scheduler.schedule import JOBS

ROOT = Path(__file__).resolve().parent.parent


def test_only_one_lock_holder_at_a_time(app, tmp_path):
    engine = app.extensions["engine"]
    first = SchedulerLock(engine, tmp_path / "scheduler.lock")
    second = SchedulerLock(engine, tmp_path / "scheduler.lock")
    assert first.try_acquire()
    assert not second.try_acquire()
    assert first.still_held()
    first.release()
    assert second.try_acquire()
    second.release()


def test_jobs_are_declared_with_stable_ids_and_one_instance(app):
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        assert {job.id for job in scheduler.get_jobs()} == {job.id for job in JOBS}
        for job in scheduler.get_jobs():
            assert job.max_instances == 1 and job.coalesce and job.misfire_grace_time >= 60
    finally:
        scheduler.shutdown(wait=False)


def test_purging_throttles_keeps_the_active_ones(app, make):
    now = clock.now()
    old = now - timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"] + 1)
    with make.session() as s:
        s.add(
            LoginThrottle(
                key="expired",
                failures=5,
                first_failure_at=old,
                locked_until=now - timedelta(minutes=1),
            )
        )
        s.add(
            LoginThrottle(
                key="active", failures=5, first_failure_at=old, locked_until=now + timedelta(1)
            )
        )
        s.add(LoginThrottle(key="stale", failures=2, first_failure_at=old))
        # Still counting within the window: kept, or the delays would start again from zero.
        s.add(LoginThrottle(key="counting", failures=2, locked_until=now - timedelta(minutes=1)))
        s.commit()
    with app.app_context():
        from inspection.db import get_session

        assert jobs.purge_login_throttles() == 2
        get_session().commit()
    with make.session() as s:
        assert sorted(t.key for t in s.exec(select(LoginThrottle))) == ["active", "counting"]


def _start(database_url: str, instance: Path, extra: dict | None = None) -> subprocess.Popen:
    env = dict(
        os.environ,
        **(extra or {}),
        DATABASE_URL=database_url,
        INSPECTION_INSTANCE_PATH=str(instance),
        INSPECTION_SCHEDULER_LOCK_POLL_SECONDS="0.2",
        INSPECTION_SECRET_KEY="x",
        INSPECTION_PUBLIC_URL="http://127.0.0.1:5000",  # required on PostgreSQL
        PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Read its output in a thread, so that waiting for a line can time out.
    process.lines = queue.Queue()

    def pump() -> None:
        for line in process.stdout:
            process.lines.put(line)

    process.pump = threading.Thread(target=pump, daemon=True)
    process.pump.start()
    return process


def _wait_for(process: subprocess.Popen, text: str | tuple[str, ...], seconds: float = 60) -> str:
    texts = (text,) if isinstance(text, str) else text
    deadline = time.monotonic() + seconds
    seen = ""
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = process.lines.get(timeout=left)
        except queue.Empty:
            break
        seen += line
        if any(t in line for t in texts):
            return seen
    raise AssertionError(f"{texts!r} not seen in:\n{seen}")


def _stop(*processes: subprocess.Popen | None) -> None:
    """Kill what is still running and close the pipes."""
    for process in processes:
        if process is None:
            continue
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.pump.join(10)
        process.stdout.close()


def test_a_second_scheduler_waits_and_takes_over(database_url, tmp_path):
    first = _start(database_url, tmp_path)
    second = third = None
    try:
        _wait_for(first, "scheduler lock taken")
        second = _start(database_url, tmp_path)
        third = _start(database_url, tmp_path)
        _wait_for(second, "another scheduler is running; waiting")
        _wait_for(third, "another scheduler is running; waiting")
        third.send_signal(signal.SIGINT)  # stopped while waiting: leaves at once
        assert third.wait(30) == 0
        first.kill()  # dies without releasing anything
        first.wait(10)
        _wait_for(second, "scheduler lock taken", seconds=30)
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0
    finally:
        _stop(first, second, third)


def test_stopping_lets_the_running_job_finish_before_giving_the_lock_up(
    app, make, database_url, tmp_path
):
    """SIGTERM in the middle of a delivery: the delivery is finished and recorded, the next one
    is handed back untried, and only then is the lock given up, so a scheduler taking over cannot
    send the same message again."""
    import json

    from inspection.notifications.models import Delivery
    from inspection.notifications.models import DeliveryStatus
    from inspection.notifications.models import WebhookEndpoint
    from tests.loopback import HTTPServer
    from tests.loopback import free_port

    receiver = HTTPServer(free_port(), delay=2.0).start()
    with make.session() as s:
        s.add(
            WebhookEndpoint(
                park_id=make.park().id, name="slow", url=receiver.url, kinds=json.dumps(["test"])
            )
        )
        s.commit()
    _queue_webhook_messages(app, ["slow-1", "slow-2"])
    process = _start(database_url, tmp_path)
    try:
        _wait_until(lambda: len(receiver.posts) == 1)  # the first delivery is under way
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        receiver.stop()
        _stop(process)
    output = "".join(process.lines.queue)
    done = "job deliver_notifications done: 1 handed back, 1 sent"
    assert done in output, output
    assert output.index(done) < output.index("scheduler stopped")
    with make.session() as s:
        statuses = [d.status for d in s.exec(select(Delivery).order_by(Delivery.id))]
    assert statuses == [DeliveryStatus.SENT, DeliveryStatus.PENDING]
    assert len(receiver.posts) == 1


def test_stopped_twice_it_leaves_without_waiting(app, make, database_url, tmp_path):
    import json

    from inspection.notifications.models import WebhookEndpoint
    from tests.loopback import HTTPServer
    from tests.loopback import free_port

    receiver = HTTPServer(free_port(), delay=60.0).start()  # a server that hangs
    with make.session() as s:
        s.add(
            WebhookEndpoint(
                park_id=make.park().id, name="stuck", url=receiver.url, kinds=json.dumps(["test"])
            )
        )
        s.commit()
    _queue_webhook_messages(app, ["stuck-1"])
    process = _start(database_url, tmp_path, {"INSPECTION_WEBHOOK_TIMEOUT": "60"})
    try:
        _wait_until(lambda: len(receiver.posts) == 1)
        process.send_signal(signal.SIGTERM)
        _wait_for(process, "stopping: letting the running jobs finish")
        assert process.poll() is None  # still waiting for the delivery
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 1
        _wait_for(process, "leaving without waiting")
    finally:
        receiver.stop()
        _stop(process)


def _queue_webhook_messages(app, names: list[str]) -> None:
    from inspection.db import get_session
    from inspection.notifications.services import Message
    from inspection.notifications.services import queue
    from inspection.parks.models import Park

    with app.app_context():
        session = get_session()
        park = session.exec(select(Park)).first().id
        queue(
            session,
            [Message([], "test", name, {"user": name}, park_id=park) for name in names],
        )
        session.commit()


def _wait_until(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_two_schedulers_deliver_every_message_exactly_once(app, make, database_url, tmp_path):
    """Two copies started at once: one runs the jobs; killed, the other takes over; every
    message reaches the (real, loopback) webhook receiver once."""
    import json
    from collections import Counter

    from inspection.notifications.models import WebhookEndpoint
    from tests.loopback import HTTPServer
    from tests.loopback import free_port

    receiver = HTTPServer(free_port()).start()
    with make.session() as s:
        s.add(
            WebhookEndpoint(
                park_id=make.park().id,
                name="receiver",
                url=receiver.url,
                kinds=json.dumps(["test"]),
            )
        )
        s.commit()
    _queue_webhook_messages(app, [f"first-{n}" for n in range(20)])
    extra = {"INSPECTION_DELIVERY_INTERVAL_SECONDS": "1"}
    first = _start(database_url, tmp_path, extra)
    second = _start(database_url, tmp_path, extra)
    try:
        outputs = {
            process: _wait_for(process, ("scheduler lock taken", "waiting to take over"))
            for process in (first, second)
        }
        holders = [p for p, out in outputs.items() if "scheduler lock taken" in out]
        waiting = [p for p, out in outputs.items() if "waiting to take over" in out]
        assert len(holders) == 1 and len(waiting) == 1, outputs
        holder, standby = holders[0], waiting[0]
        _wait_until(lambda: len(receiver.posts) >= 20)
        holder.kill()
        holder.wait(10)
        _queue_webhook_messages(app, [f"second-{n}" for n in range(20)])
        before_takeover = _wait_for(standby, "scheduler lock taken", seconds=30)
        assert "job " not in before_takeover  # it ran nothing while it waited
        _wait_until(lambda: len(receiver.posts) >= 40)
        time.sleep(1.5)  # a further tick or two must not send anything again
        standby.send_signal(signal.SIGTERM)
        assert standby.wait(30) == 0
    finally:
        receiver.stop()
        _stop(first, second)
    received = Counter(post.headers["X-Inspection-Delivery"] for post in receiver.posts)
    assert len(received) == 40 and set(received.values()) == {1}, received
