"""The lifecycle table: allowed transitions work; the rest are refused and change nothing."""

from __future__ import annotations

import pytest

from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.errors import NotFound
from inspection.hazards import lifecycle
from inspection.hazards.lifecycle import EVENTS
from inspection.hazards.lifecycle import IllegalTransition
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.hazards.models import HazardState

ALL_STATES = list(HazardState)
ROLES = [Role.ADMIN, Role.SUPERVISOR, Role.INSPECTOR, Role.ENTERPRISE]


def _hazard_in(make, world, state: str, guard=None) -> Hazard:
    """A hazard of `ours` forced into `state` (the table is tested, not the path to it), made to
    satisfy a row's guard: listed for supervision, a major hazard (not yet confirmed), or one
    whose production was stopped."""
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    with make.session() as s:
        row = s.get(Hazard, hazard.id)
        row.state = state
        if guard is lifecycle._listed:
            row.level, row.supervision_level, row.supervising_body = "major", "park", "园区安委会"
        if guard in (lifecycle._major_not_listed, lifecycle._unconfirmed_major):
            row.level, row.basis = "major", "测试依据"
        if guard is lifecycle._stopped_not_resumed:
            row.level, row.basis, row.stop_production = "major", "测试依据", True
        s.commit()
        return row


def _actor(world, role: str, row=None) -> User:
    """A user of the role; for a re-inspection, an inspector other than the finder."""
    if row is not None and row.actor_guard is not None and role == Role.INSPECTOR:
        return world.inspector2
    return {
        Role.ADMIN: world.admin,
        Role.SUPERVISOR: world.supervisor,
        Role.INSPECTOR: world.inspector,
        Role.ENTERPRISE: world.ours_user,
    }[role]


def _fire(make, hazard_id, event, actor, comment="理由"):
    with make.app.test_request_context(), make.session() as s:
        hazard = s.get(Hazard, hazard_id)
        before = (hazard.state, hazard.version)
        try:
            record = lifecycle.apply(s, hazard, event, s.get(User, actor.id), comment=comment)
        except DomainError:
            s.rollback()
            raise
        s.commit()
        return before, record


def _snapshot(make, hazard_id):
    with make.session() as s:
        hazard = s.get(Hazard, hazard_id)
        events = s.exec(
            HazardEvent.__table__.select().where(  # type: ignore[attr-defined]
                HazardEvent.hazard_id == hazard_id
            )
        ).all()
        return hazard.state, hazard.version, len(events)


ALLOWED = [
    (row, source, role)
    for row in lifecycle.TRANSITIONS
    for source in sorted(row.sources)
    for role in sorted(row.roles)
]


SOURCES = sorted({source for _row, source, _role in ALLOWED})


@pytest.mark.parametrize("source", SOURCES)
def test_every_allowed_transition(world, make, source):
    """Every transition out of this state, by every role it allows, each on a hazard of its
    own: it lands in its target state with one new event in the history."""
    for row, _source, role in (allowed for allowed in ALLOWED if allowed[1] == source):
        case = f"{row.event} to {row.target or source} from {source} as {role}"
        hazard = _hazard_in(make, world, source, row.guard)
        before = _snapshot(make, hazard.id)
        _state, record = _fire(make, hazard.id, row.event, _actor(world, role, row))
        state, version, events = _snapshot(make, hazard.id)
        assert state == (row.target or source), case
        assert version == before[1] + 1, case
        assert events == before[2] + 1, case
        assert (record.from_state, record.to_state, record.event) == (
            source,
            state,
            row.event,
        ), case


DISALLOWED = [
    (event, state, role)
    for event, rows in EVENTS.items()
    for state in ALL_STATES
    for role in ROLES
    if not any(state in row.sources and role in row.roles for row in rows)
]


@pytest.mark.parametrize("state", ALL_STATES)
def test_every_disallowed_transition_is_refused(world, make, state):
    """Every event each role may not fire on a hazard in this state is refused, with the
    message its kind of refusal gives, and changes nothing (tried in turn on one hazard:
    each refusal leaves it as it was for the next)."""
    refusals = [(event, role) for event, s, role in DISALLOWED if s == state]
    assert refusals
    hazard = _hazard_in(make, world, state)
    before = _snapshot(make, hazard.id)
    for event, role in refusals:
        case = f"{event} on a {state} hazard as {role}"
        try:
            _fire(make, hazard.id, event, _actor(world, role))
        except DomainError as error:
            refused = error
        else:
            pytest.fail(f"{case}: not refused")
        if not any(role in row.roles for row in EVENTS[event]):
            assert isinstance(refused, Forbidden), case
            assert "不能对隐患执行" in refused.message, case
        else:
            assert isinstance(refused, IllegalTransition), case
            assert hazard.number in refused.message, case
            assert "未做任何更改" in refused.message, case
        assert _snapshot(make, hazard.id) == before, case


def test_another_enterprise_cannot_touch_the_hazard(world, make):
    hazard = _hazard_in(make, world, HazardState.ACKNOWLEDGED)
    before = _snapshot(make, hazard.id)
    with pytest.raises(NotFound):
        _fire(make, hazard.id, "submit", world.theirs_user)
    assert _snapshot(make, hazard.id) == before


def test_a_guard_refuses_what_it_does_not_cover(world, make):
    general = _hazard_in(make, world, HazardState.RECTIFYING)
    before = _snapshot(make, general.id)
    with pytest.raises(IllegalTransition) as refused:
        _fire(make, general.id, "list", world.supervisor)
    assert "只有未挂牌的重大隐患" in refused.value.message
    assert _snapshot(make, general.id) == before


def test_a_listed_hazard_is_accepted_first_and_closed_by_removal(world, make):
    hazard = _hazard_in(make, world, HazardState.SUBMITTED, lifecycle._listed)
    _fire(make, hazard.id, "accept", world.inspector2)
    assert _snapshot(make, hazard.id)[0] == HazardState.ACCEPTED
    with pytest.raises(Forbidden):
        _fire(make, hazard.id, "delist", world.inspector)
    _fire(make, hazard.id, "delist", world.supervisor)
    assert _snapshot(make, hazard.id)[0] == HazardState.CLOSED


def test_decisions_that_need_a_reason_refuse_without_one(world, make):
    for transition in [row for row in lifecycle.TRANSITIONS if row.needs_comment]:
        event = transition.event
        source = sorted(transition.sources)[0]
        hazard = _hazard_in(make, world, source, transition.guard)
        actor = _actor(world, sorted(transition.roles)[0], transition)
        with pytest.raises(DomainError) as refused:
            _fire(make, hazard.id, event, actor, comment="  ")
        assert "请填写理由" in refused.value.message
        assert _snapshot(make, hazard.id)[0] == source


def test_overdue_is_derived_not_stored(world, make):
    from datetime import date
    from datetime import timedelta

    hazard = _hazard_in(make, world, HazardState.RECTIFYING)
    today = date(2030, 1, 10)
    hazard.deadline = today - timedelta(days=1)
    assert hazard.is_overdue(today)
    hazard.state = HazardState.CLOSED
    assert not hazard.is_overdue(today)
    assert "overdue" not in set(HazardState)
