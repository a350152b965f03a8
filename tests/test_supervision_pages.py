"""The supervision pages: every figure links to the hazards behind it, nonsense filters get a
message or an empty list (never a server error), and exports stream the ledger."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from inspection import clock
from tests.test_statistics import data  # noqa: F401  (the fixed data set)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)


def _figure_link(page: str, name: str) -> tuple[str, str]:
    match = re.search(
        rf'<a class="figure[^"]*" href="([^"]+)"><span class="figure__value" data-figure="{name}">'
        rf"([^<]*)<",
        page,
    )
    assert match, name
    return html.unescape(match.group(1)), match.group(2).strip()


def _listed(client, url: str) -> int:
    page = client.get(url).get_data(as_text=True)
    if "pagination__status" not in page:
        return 0
    match = re.search(r"共 (\d+)\+? 条|(\d+)\+? in all", page)
    return int(match.group(1) or match.group(2))


@pytest.mark.usefixtures("data")
def test_every_figure_links_to_the_hazards_behind_it(world, login):
    client = login(world.supervisor)
    with clock.frozen(NOW):
        page = client.get("/dashboard?period=2026-10").get_data(as_text=True)
        expected = {"found": 3, "closed": 3, "overdue": 1, "open-major": 0}
        for name, count in expected.items():
            url, shown = _figure_link(page, name)
            assert shown == str(count), name
            assert _listed(client, url) == count, (name, url)
        url, shown = _figure_link(page, "on-time-rate")
        assert shown == "66.7%" and _listed(client, url) == 2
        scoped = client.get("/dashboard?period=2026&industry=化工").get_data(as_text=True)
        url, shown = _figure_link(scoped, "found")
        assert shown == "2" and _listed(client, url) == 2
        assert "化工" in scoped


@pytest.mark.usefixtures("data")
def test_the_dashboard_breaks_the_figures_down_one_dimension_at_a_time(world, login):
    client = login(world.supervisor)
    with clock.frozen(NOW):
        by_zone = client.get("/dashboard?period=2026-10").get_data(as_text=True)
        by_industry = client.get("/dashboard?period=2026-10&by=industry").get_data(as_text=True)
        fallback = client.get("/dashboard?period=2026-10&by=nonsense").get_data(as_text=True)
    assert 'id="by-zone"' in by_zone and 'id="by-industry"' not in by_zone
    assert 'id="by-industry"' in by_industry and 'id="by-zone"' not in by_industry
    assert 'id="by-zone"' in fallback
    # The chosen tab is marked; every tab keeps the period.
    current = re.search(
        r'<a class="section-tab" href="([^"]+)"\s+aria-current="page">', by_industry
    )
    assert current and "by=industry" in html.unescape(current.group(1))
    tabs = re.findall(r'<a class="section-tab" href="([^"]+)"', by_industry)
    assert len(tabs) == 5 and all("period=2026-10" in html.unescape(t) for t in tabs)
    # The industry rows link to the hazards behind them: 化工 found 1 in October.
    row = re.search(r'>化工</a></th>\s*<td><a href="([^"]+)">(\d+)</a>', by_industry)
    assert row and row.group(2) == "1"
    with clock.frozen(NOW):
        assert _listed(client, html.unescape(row.group(1))) == 1


@pytest.mark.usefixtures("data")
def test_scorecards_and_workload(world, login):
    with clock.frozen(NOW):
        own = login(world.theirs_user).get("/portal/scorecard?period=2026")
        assert own.status_code == 200
        body = own.get_data(as_text=True)
        assert _figure_link(body, "found")[1] == "2" and "乙化工有限公司" in body
        staff = login(world.supervisor)
        assert staff.get(f"/enterprises/{world.ours.id}/scorecard").status_code == 200
        workload = staff.get("/dashboard/inspectors?period=2026").get_data(as_text=True)
    assert world.inspector.display_name in workload
    assert login(world.ours_user).get("/dashboard/inspectors").status_code == 403


NONSENSE = [
    "?zone=999999",
    "?zone=abc",
    "?found_from=2026-13-45&found_to=yesterday",
    "?page=1000000000000",
    "?page=-5",
    "?q=' OR 1=1; DROP TABLE hazard; --",
    "?state=<script>",
    "?level=major%00",
    "?inspector=99999999999999",
    "?industry=" + "长" * 500,
    "?category=fire&source=nope&enterprise=0",
]


@pytest.mark.parametrize("query", NONSENSE)
def test_nonsense_list_filters_get_a_message_or_an_empty_list(world, login, query):
    for user in (world.supervisor, world.ours_user):
        response = login(user).get("/hazards/" + query)
        assert response.status_code == 200, (user.username, query)
    assert "DROP TABLE" not in login(world.supervisor).get("/hazards/?q=x").get_data(as_text=True)


def test_nonsense_filters_are_named(world, login):
    page = login(world.supervisor).get("/hazards/?found_from=2026-13-45&zone=abc&state=nope")
    text = page.get_data(as_text=True)
    assert "“2026-13-45”不是有效日期" in text
    assert "“abc”不是有效的编号" in text and "“nope”不是有效的状态" in text


@pytest.mark.parametrize(
    "query",
    [
        "?period=2026-13",
        "?period=' OR 1=1",
        "?period=9999-Q9",
        "?zone=x",
        "?inspector=-1",
        "?category=<b>",
        "?period=2026-01..2090-12",
        "?source=1&period=",
    ],
)
def test_nonsense_dashboard_filters_get_a_message(world, login, query):
    response = login(world.supervisor).get("/dashboard" + query)
    assert response.status_code == 200
    assert "flash--warning" in response.get_data(as_text=True)


def test_an_unknown_zone_on_the_dashboard_shows_empty_figures(world, login):
    page = login(world.supervisor).get("/dashboard?zone=999999").get_data(as_text=True)
    assert _figure_link(page, "found")[1] == "0"


@pytest.mark.usefixtures("data")
def test_exports_stream_the_ledger_in_excel_and_csv_with_chinese_headings(app, world, login):
    client = login(world.supervisor)
    with client.get("/hazards/export.csv?found_from=2026-10-01&found_to=2026-10-31") as response:
        assert response.headers["Content-Type"].startswith("text/csv")
        body = response.get_data(as_text=True)
    # The streamed rows were read in the response's own session, closed with it: no connection
    # is left in an open transaction.
    assert app.extensions["engine"].pool.checkedout() == 0
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:3] == ["编号", "企业", "隐患名称"]
    assert len(rows) == 4
    with client.get("/hazards/export.xlsx?state=recorded") as response:
        sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "编号" and len(values) == 6  # heading + H1–H4, H6
    assert {row[1] for row in values[1:]} == {"甲五金制品有限公司", "乙化工有限公司"}


@pytest.mark.usefixtures("data")
def test_an_enterprise_exports_its_own_hazards_only(world, login):
    client = login(world.ours_user)
    with client.get("/hazards/export.xlsx") as response:
        sheet = load_workbook(io.BytesIO(response.get_data())).active
    names = {row[1] for row in list(sheet.iter_rows(values_only=True))[1:]}
    assert names == {"甲五金制品有限公司"}
    with client.get(f"/hazards/export.csv?enterprise={world.theirs.id}") as theirs:
        assert "乙化工" not in theirs.get_data(as_text=True)


def test_periods_offered_include_this_year_and_recent_months(world, login):
    with clock.frozen(NOW):
        page = login(world.supervisor).get("/dashboard").get_data(as_text=True)
    assert 'value="2026" selected' in page and 'value="2026-11"' in page and "2026-Q4" in page
    assert date(2026, 11, 20).year == 2026


@pytest.mark.parametrize("by_key", (False, True), ids=("counted", "by-key"))
def test_a_long_list_counts_to_a_limit_and_still_offers_the_next_page(app, make, world, by_key):
    """Counting stops at the limit (or the page asked for); the pager offers the next page.
    Read by key (the ordered keys give the count and the page), a list pages the same."""
    from sqlmodel import select

    from inspection.db import get_session
    from inspection.hazards.models import Hazard
    from inspection.pagination import paginate

    inspection = make.inspection(world.ours, world.inspector)
    for n in range(7):
        make.hazard(inspection, world.inspector, title=f"隐患{n}")
    with app.app_context():
        stmt = select(Hazard).order_by(Hazard.id.desc())
        keyed = {}
        if by_key:
            keyed = {"key": Hazard.id, "counted": select(Hazard.id).order_by(Hazard.id.desc())}

        def titles(page):
            return [hazard.title for hazard in page.items]

        first = paginate(get_session(), stmt, page=1, per_page=2, count_limit=4, **keyed)
        assert (first.total, first.capped, first.pages, first.has_next) == (4, True, 2, True)
        assert titles(first) == ["隐患6", "隐患5"]
        third = paginate(get_session(), stmt, page=3, per_page=2, count_limit=4, **keyed)
        assert (third.page, third.total, third.capped) == (3, 6, True)
        assert titles(third) == ["隐患2", "隐患1"]
        last = paginate(get_session(), stmt, page=4, per_page=2, count_limit=4, **keyed)
        assert (last.page, last.total, last.capped, last.has_next) == (4, 7, False, False)
        assert titles(last) == ["隐患0"]
        beyond = paginate(get_session(), stmt, page=9, per_page=2, count_limit=20, **keyed)
        assert (beyond.page, beyond.total, titles(beyond)) == (4, 7, ["隐患0"])


def test_the_open_hazards_list_pages_in_deadline_order(make, world, login):
    """Filtered to hazards not yet closed, the list reads its page by id: the same order and
    count as any other list."""
    inspection = make.inspection(world.ours, world.inspector)
    today = clock.today()
    for n in range(25):
        make.hazard(
            inspection, world.inspector, title=f"待整改{n:02d}", deadline=today + timedelta(days=n)
        )
    client = login(world.supervisor)
    first = client.get("/hazards/?state=open").get_data(as_text=True)
    second = client.get("/hazards/?state=open&page=2").get_data(as_text=True)
    shown = re.findall(r"待整改(\d\d)", first), re.findall(r"待整改(\d\d)", second)
    assert [int(n) for n in shown[0] + shown[1]] == list(range(25))
    assert "第 1 / 2 页 · 共 25 条" in first and "第 2 / 2 页 · 共 25 条" in second
