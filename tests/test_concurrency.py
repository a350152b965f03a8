"""Concurrent work on PostgreSQL: notice numbers stay gap-free, and one of two decisions wins."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from inspection.auth.models import User
from inspection.db import get_session
from inspection.errors import DomainError
from inspection.hazards import services
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.inspections.models import Inspection

pytestmark = pytest.mark.postgres_only


def _together(app, jobs):
    """Run each job in its own thread, app context and session, all starting at once."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        with app.test_request_context():
            session = get_session()
            barrier.wait()
            try:
                results[index] = ("ok", job(session))
                session.commit()
            except DomainError as refused:
                session.rollback()
                results[index] = ("refused", refused)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_notices_issued_at_once_get_distinct_consecutive_numbers(app, world, make):
    inspections = []
    for _ in range(6):
        inspection = make.inspection(world.ours, world.inspector)
        make.hazard(inspection, world.inspector)
        inspections.append(inspection)

    def issue(inspection_id):
        def job(session):
            notice = services.issue_notice(
                session,
                inspection=session.get(Inspection, inspection_id),
                actor=session.get(User, world.inspector.id),
            )
            return notice.seq

        return job

    results = _together(app, [issue(i.id) for i in inspections])
    assert all(kind == "ok" for kind, _value in results), results
    assert sorted(value for _kind, value in results) == [1, 2, 3, 4, 5, 6]


def test_two_reviewers_at_once_one_wins_and_the_other_is_told(app, world, make):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    make.submit(hazard, world.ours_user)
    third = make.user("inspector", "inspector3")
    version = make.get(Hazard, hazard.id).version

    def accept(session):
        return services.accept_rectification(
            session,
            hazard=session.get(Hazard, hazard.id),
            actor=session.get(User, world.inspector2.id),
            comment="合格",
            photos=[],
            expected_version=version,
        ).state

    def reject(session):
        return services.reject_rectification(
            session,
            hazard=session.get(Hazard, hazard.id),
            actor=session.get(User, third.id),
            reason="不合格",
            photos=[],
            expected_version=version,
        ).state

    results = _together(app, [accept, reject])
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["ok", "refused"], results
    refused = next(value for kind, value in results if kind == "refused")
    assert "其他人已修改了这条记录" in refused.message
    with make.session() as s:
        decisions = s.exec(
            select(HazardEvent).where(
                HazardEvent.hazard_id == hazard.id, HazardEvent.event.in_(["accept", "reject"])
            )
        ).all()
        final = s.get(Hazard, hazard.id)
    assert len(decisions) == 1
    winner = next(value for kind, value in results if kind == "ok")
    assert final.state == winner and final.version == version + 1


def test_two_claims_at_once_take_disjoint_deliveries(app, make):
    """Even if two schedulers ran, FOR UPDATE SKIP LOCKED gives each delivery to one only."""
    from inspection.notifications.delivery import claim
    from inspection.notifications.services import Message
    from inspection.notifications.services import queue

    with app.app_context():
        session = get_session()
        from inspection.notifications.models import WebhookEndpoint

        park = make.park().id
        session.add(
            WebhookEndpoint(park_id=park, name="r", url="http://127.0.0.1:9", kinds='["test"]')
        )
        session.commit()
        queue(
            session,
            [Message([], "test", f"m{n}", {"user": "x"}, park_id=park) for n in range(40)],
        )
        session.commit()
    results = _together(app, [lambda s: [d.id for d in claim(s, 25)]] * 2)
    first, second = (set(ids) for _status, ids in results)
    assert not first & second
    assert len(first | second) == 40


def test_the_same_reminder_written_twice_at_once_exists_once(app, world, make):
    from inspection.notifications.models import Notification
    from inspection.notifications.services import notify

    def write(session):
        return notify(
            session,
            [session.get(User, world.ours_user.id)],
            kind="test",
            key="race",
            params={"user": "x"},
        )

    results = _together(app, [write] * 2)
    assert sorted(len(ids) for _status, ids in results) == [0, 1]
    with make.session() as s:
        assert len(s.exec(select(Notification).where(Notification.kind == "test")).all()) == 1
