"""The supervision figures against hand-computed values on a small fixed data set.

Hazards (found by `inspector`; ours is a 五金 enterprise, theirs 化工, both in one zone):
  H1 ours  general  found 10-10, deadline 10-20, closed 10-18          on time, 8 days
  H2 ours  general  found 10-30, deadline 11-09, closed 11-03          crosses into November
  H3 theirs major   found 10-15, deadline 10-25, extended to 11-10,
                    closed 11-05                                      late (first deadline)
  H4 theirs general found 11-02, deadline 11-12, still open           overdue on 11-20
  H5 ours  general  found 11-05, voided                               not counted
  H6 ours  general  found 11-06, fixed on the spot                     on time, 0 days
Each rectification reports 1000 yuan (the factory's figure); H6 reports none.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.auth.scope import EVERYTHING
from inspection.db import get_session
from inspection.hazards import extensions
from inspection.hazards import services
from inspection.hazards.models import ExtensionRequest
from inspection.hazards.models import Hazard
from inspection.parks.models import Park
from inspection.statistics import figures
from inspection.statistics import tally
from inspection.statistics.figures import Subject
from inspection.statistics.models import HazardTally
from inspection.statistics.periods import Period
from tests.factories import checked

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


def _found(make, world, enterprise, when, *, deadline, level="general"):
    with clock.frozen(when):
        inspection = make.inspection(enterprise, world.inspector)
        hazard = make.hazard(
            inspection,
            world.inspector,
            level=level,
            basis="应急管理部令第10号 第十一条第（一）项" if level == "major" else None,
            deadline=deadline,
        )
        return inspection, hazard


def _issue_and_ack(make, world, inspection, user, when):
    with clock.frozen(when):
        notice = make.issue(inspection, world.inspector)
        make.acknowledge(notice, user)


def _close(make, world, hazard, user, submitted, accepted):
    with clock.frozen(submitted):
        make.submit(hazard, user)
    with clock.frozen(accepted):

        def work(s):
            current = s.get(Hazard, hazard.id)
            return services.accept_rectification(
                s,
                hazard=current,
                actor=s.get(User, world.inspector2.id),
                comment="复查合格",
                photos=[checked()],
                expected_version=current.version,
            )

        with make.app.test_request_context():
            make._run(work)


@pytest.fixture
def data(make, world):
    ours, theirs = world.ours, world.theirs
    i1, h1 = _found(make, world, ours, at(10, 10), deadline=date(2026, 10, 20))
    _issue_and_ack(make, world, i1, world.ours_user, at(10, 10, 11))
    _close(make, world, h1, world.ours_user, at(10, 17), at(10, 18))

    i2, h2 = _found(make, world, ours, at(10, 30), deadline=date(2026, 11, 9))
    _issue_and_ack(make, world, i2, world.ours_user, at(10, 30, 11))
    _close(make, world, h2, world.ours_user, at(11, 2), at(11, 3))

    # This park asks for no lead time before a deadline (the default is 20 working days).
    make._run(lambda s: setattr(s.exec(select(Park)).one(), "extension_lead_days_major", 0))
    i3, h3 = _found(make, world, theirs, at(10, 15), deadline=date(2026, 10, 25), level="major")
    _issue_and_ack(make, world, i3, world.theirs_user, at(10, 15, 11))
    with clock.frozen(at(10, 20)):
        make.extension(h3, world.theirs_user, days=16)  # to 11-10
    with clock.frozen(at(10, 21)), make.app.test_request_context():

        def decide(s):
            request = s.exec(select(ExtensionRequest)).one()
            return extensions.decide_extension(
                s,
                request=request,
                actor=s.get(User, world.supervisor.id),
                approve=True,
                comment="同意",
            )

        make._run(decide)
    with clock.frozen(at(10, 22)):
        make.plan(h3, world.theirs_user)  # a major hazard's rectification plan (五落实)
    _close(make, world, h3, world.theirs_user, at(11, 4), at(11, 5))

    i4, h4 = _found(make, world, theirs, at(11, 2), deadline=date(2026, 11, 12))
    _issue_and_ack(make, world, i4, world.theirs_user, at(11, 2, 11))

    _i5, h5 = _found(make, world, ours, at(11, 5), deadline=date(2026, 11, 15))
    with clock.frozen(at(11, 5, 11)), make.app.test_request_context():

        def void(s):
            current = s.get(Hazard, h5.id)
            return services.void_hazard(
                s,
                hazard=current,
                actor=s.get(User, world.inspector.id),
                reason="重复录入",
                expected_version=current.version,
            )

        make._run(void)

    _i6, h6 = _found(make, world, ours, at(11, 6), deadline=date(2026, 11, 16))
    with clock.frozen(at(11, 6, 11)), make.app.test_request_context():

        def fix(s):
            current = s.get(Hazard, h6.id)
            return services.fix_on_spot(
                s,
                hazard=current,
                actor=s.get(User, world.inspector.id),
                comment="已当场整改",
                photos=[checked()],
                expected_version=current.version,
            )

        make._run(fix)
    return {"h1": h1, "h2": h2, "h3": h3, "h4": h4, "h5": h5, "h6": h6}


def _in(app, work):
    with app.app_context():
        return work(get_session())


def test_october_counts_the_hazards_found_in_it_even_when_closed_in_november(app, data):
    october = _in(
        app,
        lambda s: figures.totals(
            s, Period.parse("2026-10", date(2026, 11, 20)), Subject(EVERYTHING)
        ),
    )
    assert (october.found, october.closed, october.closed_on_time) == (3, 3, 2)
    assert october.closure_rate == 1.0
    assert october.on_time_rate == pytest.approx(2 / 3)  # H3 was extended, so it is late
    assert (october.major_found, october.major_closed, october.major_rate) == (1, 1, 1.0)
    assert october.average_days == pytest.approx((8 + 4 + 21) / 3)
    assert october.funding_yuan == 3000


def test_november_leaves_out_the_voided_hazard(app, data):
    november = _in(
        app,
        lambda s: figures.totals(
            s, Period.parse("2026-11", date(2026, 11, 20)), Subject(EVERYTHING)
        ),
    )
    assert (november.found, november.closed, november.closed_on_time) == (2, 1, 1)
    assert november.closure_rate == 0.5
    assert november.average_days == 0
    assert november.funding_yuan == 0
    assert november.major_found == 0 and november.major_rate is None


def test_the_year_the_quarter_and_the_trend(app, data):
    today = date(2026, 11, 20)
    year = _in(app, lambda s: figures.totals(s, Period.parse("2026", today), Subject(EVERYTHING)))
    quarter = _in(
        app, lambda s: figures.totals(s, Period.parse("2026-Q4", today), Subject(EVERYTHING))
    )
    for totals in (year, quarter):
        assert (totals.found, totals.closed, totals.closed_on_time) == (5, 4, 3)
        assert totals.closure_rate == 0.8 and totals.on_time_rate == 0.75
    trend = _in(app, lambda s: figures.trend(s, today, Subject(EVERYTHING)))
    assert len(trend) == 12 and trend[0][0] == date(2025, 12, 1)
    assert [(m.month, t.found, t.closed) for m, t in trend[-2:]] == [(10, 3, 3), (11, 2, 1)]
    assert all(t.found == 0 for _m, t in trend[:-2])


def test_breakdowns_by_industry_enterprise_zone_and_level(app, data, world):
    period = Period.parse("2026", date(2026, 11, 20))
    industry = _in(app, lambda s: figures.breakdown(s, period, "industry", EVERYTHING))
    assert {k: (t.found, t.closed) for k, t in industry.items()} == {
        "五金": (3, 3),
        "化工": (2, 1),
    }
    enterprise = _in(app, lambda s: figures.breakdown(s, period, "enterprise", EVERYTHING))
    assert enterprise[str(world.theirs.id)].major_found == 1
    zone = _in(app, lambda s: figures.breakdown(s, period, "zone", EVERYTHING))
    assert {k: t.found for k, t in zone.items()} == {str(world.zone.id): 5}
    inspector = _in(app, lambda s: figures.breakdown(s, period, "inspector", EVERYTHING))
    assert {k: t.found for k, t in inspector.items()} == {str(world.inspector.id): 5}
    scoped = _in(app, lambda s: figures.totals(s, period, Subject(EVERYTHING, "industry", "化工")))
    assert (scoped.found, scoped.closed, scoped.closed_on_time) == (2, 1, 0)


def test_how_things_stand_now(app, data, world):
    with clock.frozen(at(11, 20)):
        now = _in(app, lambda s: figures.now(s, Subject(EVERYTHING)))
        worst = _in(app, lambda s: figures.worst_enterprises(s, Subject(EVERYTHING)))
        chemical = _in(app, lambda s: figures.now(s, Subject(EVERYTHING, "industry", "化工")))
        hardware = _in(
            app, lambda s: figures.now(s, Subject(EVERYTHING, "enterprise", str(world.ours.id)))
        )
    assert (now.open, now.overdue, now.open_major) == (1, 1, 0)
    assert [(e.id, overdue, open_) for e, overdue, open_ in worst] == [(world.theirs.id, 1, 1)]
    assert chemical.overdue == 1 and hardware.open == 0


def test_closing_records_whether_it_was_on_time(app, data, make):
    assert make.get(Hazard, data["h1"].id).closed_on_time is True
    assert make.get(Hazard, data["h3"].id).closed_on_time is False
    assert make.get(Hazard, data["h4"].id).closed_on_time is None


def test_the_tallies_agree_with_a_recount_and_follow_an_enterprise_that_moves(
    app, data, make, world
):
    assert _in(app, tally.differences) == []
    other_zone = make.zone("新材料产业园")
    with make.app.test_request_context():

        def move(s):
            from inspection.enterprises import services as enterprise_services
            from inspection.enterprises.models import Enterprise

            enterprise = s.get(Enterprise, world.ours.id)
            values = {
                name: getattr(enterprise, name)
                for name in ("name", "credit_code", "industry", "scale", "discharge_permit")
            }
            values.update(zone_id=other_zone.id, industry="机械")
            enterprise_services.update_enterprise(
                s, enterprise, values=values, expected_version=enterprise.version
            )

        make._run(move)
    assert _in(app, tally.differences) == []
    period = Period.parse("2026", date(2026, 11, 20))
    zone = _in(app, lambda s: figures.breakdown(s, period, "zone", EVERYTHING))
    assert {k: t.found for k, t in zone.items() if t.found} == {
        str(world.zone.id): 2,
        str(other_zone.id): 3,
    }
    with make.session() as s:
        rows = len(s.exec(select(HazardTally)).all())
    assert _in(app, tally.rebuild) <= rows  # emptied cells are left at zero, not deleted


def test_periods_are_parsed_strictly():
    today = date(2026, 11, 20)
    assert Period.parse("", today).code == "2026"
    assert Period.parse("2026-q4", today).months == [date(2026, m, 1) for m in (10, 11, 12)]
    assert Period.parse("2026-01..2026-03", today).last_day == date(2026, 3, 31)
    for wrong in ("2026-13", "abc", "2026-06..2026-01", "1' OR 1=1", "2026-Q5", "99999"):
        with pytest.raises(ValueError, match="不是|is not"):
            with_app_context_parse(wrong, today)


def with_app_context_parse(text, today):
    from flask import Flask
    from flask_babel import Babel

    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        return Period.parse(text, today)
