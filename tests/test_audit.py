"""The audit trail is append-only and hash-chained; tampering is named by the verify command."""

from __future__ import annotations

from sqlalchemy import text

from inspection.hazards.audit import verify_chain


def _history(world, make):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    make.submit(hazard, world.ours_user)
    return hazard


def _verify(app):
    runner = app.test_cli_runner()
    return runner.invoke(args=["audit", "verify"])


def test_an_untouched_trail_verifies(app, world, make):
    _history(world, make)
    result = _verify(app)
    assert result.exit_code == 0
    assert "intact" in result.output


def test_altering_one_event_is_named(app, world, make):
    hazard = _history(world, make)
    with make.session() as s:
        event_id = s.execute(
            text("SELECT id FROM hazard_event WHERE hazard_id = :h AND seq = 3"), {"h": hazard.id}
        ).scalar_one()
        s.execute(
            text("UPDATE hazard_event SET comment = '改过的意见' WHERE id = :id"), {"id": event_id}
        )
        s.commit()
    result = _verify(app)
    assert result.exit_code == 1
    assert f"event {event_id} (hazard {hazard.id}, step 3): content altered" in result.output
    with make.session() as s:
        problems = verify_chain(s)
    assert [p.record_id for p in problems] == [event_id]


def test_deleting_an_event_breaks_the_chain(app, world, make):
    hazard = _history(world, make)
    with make.session() as s:
        s.execute(
            text("DELETE FROM hazard_event WHERE hazard_id = :h AND seq = 2"), {"h": hazard.id}
        )
        s.commit()
        problems = verify_chain(s)
    assert {p.reason for p in problems} == {
        "sequence gap (record missing)",
        "link to previous record broken",
    }
    assert {p.seq for p in problems} == {3}
