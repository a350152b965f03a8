"""How things stand now is counted once and kept until a hazard or an enterprise changes (or the
day does), never shown stale."""

from __future__ import annotations

from datetime import date

import pytest

from inspection import clock
from inspection.auth.models import User
from inspection.auth.scope import EVERYTHING
from inspection.db import get_session
from inspection.enterprises.models import Enterprise
from inspection.hazards.models import Hazard
from inspection.statistics import figures
from inspection.statistics import standing
from inspection.statistics.figures import Subject
from tests.test_statistics import _close
from tests.test_statistics import at
from tests.test_statistics import data  # noqa: F401  (the fixed data set)


@pytest.fixture
def counted(monkeypatch):
    """How many times the open hazards were actually counted."""
    calls = []
    real, real_parks = figures.now, figures.parks_standing

    def counting(session, scope=None):
        calls.append(scope)
        return real(session, scope or Subject(EVERYTHING))

    def counting_parks(session, parks, limit=10):
        calls.append(parks)
        return real_parks(session, parks, limit)

    monkeypatch.setattr(figures, "now", counting)
    monkeypatch.setattr(figures, "parks_standing", counting_parks)
    return calls


def _standing(app, scope=None):
    with app.app_context():
        return standing.current(get_session(), scope or Subject(EVERYTHING))


@pytest.mark.usefixtures("data")
def test_the_answer_is_kept_until_a_hazard_changes(app, make, world, counted):
    with clock.frozen(at(11, 20)):
        first = _standing(app)
        again = _standing(app)
        assert (first.now.open, first.now.overdue) == (1, 1)
        assert again is first and len(counted) == 1
        assert [(e.name, overdue, open_) for e, overdue, open_ in first.worst] == [
            (world.theirs.name, 1, 1)
        ]
        # Another scope is its own answer.
        assert _standing(app, Subject(EVERYTHING, "enterprise", str(world.ours.id))).now.open == 0
        assert len(counted) == 2

        # H4 is rectified and accepted: the very next view counts again and shows it.
        with make.session() as s:
            h4 = make.get(Hazard, _open_hazard_id(s))
        _close(make, world, h4, world.theirs_user, at(11, 20, 11), at(11, 20, 12))
        after = _standing(app)
        assert (after.now.open, after.now.overdue) == (0, 0) and after.worst == []
        assert len(counted) == 3


@pytest.mark.usefixtures("data")
def test_a_new_day_counts_again(app, counted):
    with clock.frozen(at(11, 10)):
        assert _standing(app).now.overdue == 0  # H4's deadline is 11-12
    with clock.frozen(at(11, 13)):
        assert _standing(app).now.overdue == 1
    assert len(counted) == 2


@pytest.mark.usefixtures("data")
def test_moving_an_enterprise_to_another_zone_counts_again(app, make, world, counted):
    zone = Subject(EVERYTHING, "zone", str(world.zone.id))
    with clock.frozen(at(11, 20)):
        assert _standing(app, zone).now.open == 1
        with make.session() as s:
            theirs = s.get(Enterprise, world.theirs.id)
            theirs.zone_id = None
            s.commit()
        assert _standing(app, zone).now.open == 0
    assert len(counted) == 2


@pytest.mark.usefixtures("data")
def test_what_is_rolled_back_or_unrelated_keeps_the_answer(app, make, world, counted):
    with clock.frozen(at(11, 20)):
        first = _standing(app)
        with make.session() as s:
            hazard = s.get(Hazard, _open_hazard_id(s))
            hazard.deadline = date(2026, 12, 31)
            s.flush()
            s.rollback()
        with make.session() as s:
            user = s.get(User, world.inspector.id)
            user.display_name = "改名"
            s.commit()
        assert _standing(app) is first
    assert len(counted) == 1


def _open_hazard_id(session) -> int:
    return session.exec(
        Hazard.__table__.select().where(Hazard.state.not_in(("closed", "voided")))
    ).one()[0]


@pytest.mark.usefixtures("data")
def test_the_number_moves_at_the_commit_not_at_a_savepoint(make):
    from sqlmodel import select

    from inspection.statistics.models import StandingVersion

    def version(session) -> int:
        return session.exec(select(StandingVersion.version)).first() or 0

    with make.session() as s:
        before = version(s)
        hazard = s.get(Hazard, _open_hazard_id(s))
        with s.begin_nested():
            hazard.deadline = date(2026, 12, 31)
        assert version(s) == before  # a released savepoint is not the commit
        s.commit()
        assert version(s) == before + 1


def test_a_region_is_counted_in_one_pass_as_its_parks_and_enterprises_are(app, make):
    """The region's one-pass count gives each park's figures and the enterprises with the most
    overdue hazards exactly as the per-park count and the per-enterprise ranking do."""
    from inspection.auth.scope import Scope

    t = make.two_parks()
    with clock.frozen(at(11, 2)):
        for enterprise, inspector, deadlines in (
            (t.ours, t.inspector, (5, 6, 25)),
            (t.theirs, t.inspector, (7, 26)),
            (t.b_enterprise, t.b_inspector, (4, 5, 9)),
        ):
            inspection = make.inspection(enterprise, inspector)
            for n, day in enumerate(deadlines):
                make.hazard(
                    inspection,
                    inspector,
                    title=f"隐患{n}",
                    level="major" if day == 9 else "general",
                    basis="应急管理部令第10号" if day == 9 else None,
                    deadline=date(2026, 11, day),
                )
    region = Scope(region_id=t.region.id)
    with clock.frozen(at(11, 20)), app.app_context():
        s = get_session()
        parks, worst = figures.parks_standing(s, region, limit=2)
        expected_worst = [
            (e.id, e.name, overdue, open_)
            for e, overdue, open_ in figures.worst_enterprises(s, Subject(region), limit=2)
        ]
        # Each park's figures are what `now` says of that park alone.
        assert parks == {
            park_id: figures.now(s, Subject(Scope(park_id=park_id, region_id=t.region.id)))
            for park_id in (t.park_a.id, t.park_b.id)
        }
        assert [(e.id, e.name, overdue, open_) for e, overdue, open_ in worst] == expected_worst
    park_b = parks[t.park_b.id]
    assert (park_b.open, park_b.overdue, park_b.open_major, park_b.overdue_major) == (3, 3, 1, 1)
    # The two with most overdue: park B's enterprise (3), then ours (2) ahead of theirs (1).
    assert [(e.id, overdue) for e, overdue, _open in worst] == [
        (t.b_enterprise.id, 3),
        (t.ours.id, 2),
    ]
