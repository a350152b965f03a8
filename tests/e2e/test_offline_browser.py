"""A whole inspection done without signal on a 1024×768 touch tablet, then synced: five hazards
and eight photos arrive on the server exactly once and the tablet shows nothing pending."""

from __future__ import annotations

import re

from sqlmodel import func
from sqlmodel import select

from inspection.api.models import SyncReceipt
from inspection.db import get_session
from inspection.evidence.models import Photo
from inspection.hazards.models import Hazard
from inspection.inspections.models import Answer
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionInspector
from inspection.inspections.models import Signature
from tests.e2e.test_field_browser import _sign
from tests.factories import image_bytes

READ_DEVICE_STORE = """([store, key]) => new Promise((resolve, reject) => {
  const open = indexedDB.open(document.getElementById("field-app").dataset.store, 1);
  open.onsuccess = () => {
    const objects = open.result.transaction(store).objectStore(store);
    const read = key === null ? objects.getAll() : objects.get(key);
    read.onsuccess = () => resolve(read.result);
    read.onerror = () => reject(read.error);
  };
})"""


def device_store(page, store: str, key: str | None = None):
    """What the field app keeps in the tablet's IndexedDB: a whole store, or one entry."""
    return page.evaluate(READ_DEVICE_STORE, [store, key])


def prepare_for_offline(page, live_server, world, make, code: str):
    """An inspection by `world.inspector` with the two-item test checklist, downloaded."""
    version = make.checklist(code)
    inspection = make.inspection(world.ours, world.inspector)
    make.use_checklist(inspection, version, world.inspector)
    page.goto(f"{live_server}/field/")
    page.wait_for_selector("#field-app[data-ready]")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name="准备离线").tap()
    page.get_by_role("link", name=re.compile(world.ours.name)).wait_for()
    # The worker fetches the page and its files again after a prepare; let it finish first.
    page.wait_for_selector("#field-app[data-shell=ready]", state="attached")
    return inspection


def _photo(name: str, noise: bool = False) -> dict:
    # Noise makes a photo large enough (~0.5 MB) to travel in several 256 KB pieces.
    size = (640, 480) if noise else (1600, 1200)
    return {"name": name, "mimeType": "image/jpeg", "buffer": image_bytes(size=size, noise=noise)}


class Offline:
    """Cut the tablet's network: the page's and the service worker's requests alike.

    Playwright's offline switch has not always reached a service worker's own fetches
    (microsoft/playwright#2311), so those are also aborted by a route while offline; and the
    server counts whatever still reaches it, which must be nothing.
    """

    def __init__(self, context, app):
        self.context = context
        self.reached: list[str] = []
        self.offline = False
        inner = app.wsgi_app

        def counting(environ, start_response):
            # The browser itself checks for a newer service worker on a reload; that check is
            # neither the page's nor the worker's, and offline it simply fails.
            path = environ.get("PATH_INFO", "")
            if self.offline and path != "/field/sw.js":
                self.reached.append(path)
            return inner(environ, start_response)

        app.wsgi_app = counting

    def _abort_worker(self, route):
        if route.request.service_worker is not None:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    def __enter__(self):
        self.context.route("**/*", self._abort_worker)
        self.context.set_offline(True)
        self.offline = True
        return self

    def __exit__(self, *exc):
        self.offline = False
        self.context.set_offline(False)
        self.context.unroute("**/*", self._abort_worker)


def _hazard(page, title: str, photos: list[dict], *, after: list[dict] | None = None, **fields):
    page.get_by_label("隐患名称").fill(title)
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.locator("input[data-slot=before]").set_input_files(photos)
    page.get_by_text(f"{len(photos)} 张照片").first.wait_for()
    if after:
        page.get_by_text("现场整改（即查即改）").tap()
        page.get_by_label("现场整改情况").fill("已当场更换")
        page.locator("input[data-slot=after]").set_input_files(after)
        page.locator("[data-count=after]").get_by_text(f"{len(after)} 张照片").wait_for()
    page.get_by_role("button", name="保存隐患").tap()
    page.get_by_text("已保存在本平板上").first.wait_for()


def test_a_day_offline_arrives_once(app, world, make, live_server, sign_in):
    page = sign_in(world.inspector)
    context = page.context
    inspection = prepare_for_offline(page, live_server, world, make, "offline-day")
    page.get_by_text(re.compile(r"已于 .* 下载：1 项检查、1 份检查表（共 2 个检查项）")).wait_for()

    with Offline(context, app) as offline:
        page.get_by_role("link", name=re.compile(world.ours.name)).tap()
        assert page.evaluate("navigator.onLine") is False
        page.get_by_text("离线：所有内容都保存在本平板上").wait_for()
        first, second = page.locator("li.item").all()
        first.get_by_role("button", name="存在", exact=True).tap()
        second.get_by_role("button", name="存在", exact=True).tap()

        # Two hazards raised from the failed items, three more found elsewhere; one fixed at once.
        first.get_by_role("link", name="记录隐患").tap()
        expect_basis = page.get_by_label("依据")
        assert expect_basis.input_value() == "测试标准 第一条第（一）项"
        _hazard(page, "粉尘爆炸危险场所设在多层建筑内", [_photo("a1.jpg", True), _photo("a2.jpg")])
        page.locator("li.item").nth(1).get_by_role("link", name="记录隐患").tap()
        _hazard(page, "未建立粉尘清理制度", [_photo("b1.jpg"), _photo("b2.jpg", True)])
        for title, location in (("配电箱未上锁", "二号车间"), ("消防通道堆放杂物", "仓库北侧")):
            page.get_by_role("link", name="记录其他隐患").tap()
            _hazard(page, title, [_photo(f"{location}.jpg")], 隐患部位=location)
        page.get_by_role("link", name="记录其他隐患").tap()
        _hazard(page, "灭火器压力不足", [_photo("c1.jpg")], after=[_photo("c2.jpg")])
        assert page.locator(".field-hazard").count() == 5

        # A reload without signal: the service worker serves the page, IndexedDB the work.
        page.reload()
        page.wait_for_selector("#field-app[data-ready]")
        status = page.locator("[data-pending]")
        assert status.get_attribute("data-pending") == str(2 + 5 + 8)
        assert status.inner_text() == "待同步：7 条记录、8 张照片。"
        assert page.locator(".field-hazard").count() == 5

        page.get_by_role("link", name="签名并完成").tap()
        inspector_card = page.locator(".field-signature[data-role=inspector]")
        _sign(page, inspector_card.locator("canvas"))
        inspector_card.get_by_role("button", name="保存签名").tap()
        inspector_card.get_by_text("已签名").wait_for()
        company_card = page.locator(".field-signature[data-role=enterprise]")
        company_card.get_by_label("企业代表姓名").fill("王安全")
        _sign(page, company_card.locator("canvas"))
        company_card.get_by_role("button", name="保存签名").tap()
        company_card.get_by_text("已签名：王安全").wait_for()
        page.get_by_label("检查小结").fill("离线完成检查，现场整改一处。")
        page.get_by_role("button", name="完成检查").tap()
        page.get_by_text("已在本平板上完成；同步后记录即锁定。").wait_for()
        assert status.get_attribute("data-pending") == str(2 + 5 + 2 + 1 + 8)
        assert offline.reached == [], "the tablet reached the server while offline"

    page.get_by_role("button", name="立即同步").tap()
    page.locator('[data-pending="0"]').wait_for(timeout=60_000)
    assert page.locator("[data-pending]").inner_text() == "全部已同步。"
    page.get_by_role("link", name="‹ 返回列表").wait_for()
    assert page.locator(".field-hazard .sync-badge--accepted").count() == 5
    assert page.locator(".sync-problem").count() == 0

    # Send everything again, as a tablet would after losing the server's reply.
    records = [record["body"] for record in device_store(page, "records")]
    page.evaluate(
        """async (records) => {
          const session = await (await fetch("/api/v1/session")).json();
          const reply = await fetch("/api/v1/sync", {
            method: "POST",
            headers: {"Content-Type": "application/json", "X-CSRFToken": session.csrf_token},
            body: JSON.stringify({records}),
          });
          window.resent = await reply.json();
        }""",
        records,
    )
    resent = page.evaluate("window.resent.results")
    assert len(resent) == 10 and all(r["repeated"] and r["outcome"] == "accepted" for r in resent)

    with app.test_request_context():
        db = get_session()
        hazards = db.exec(select(Hazard).where(Hazard.inspection_id == inspection.id)).all()
        assert sorted(h.title for h in hazards) == sorted(
            [
                "粉尘爆炸危险场所设在多层建筑内",
                "未建立粉尘清理制度",
                "配电箱未上锁",
                "消防通道堆放杂物",
                "灭火器压力不足",
            ]
        )
        assert len({h.number for h in hazards}) == 5
        by_title = {h.title: h for h in hazards}
        assert by_title["粉尘爆炸危险场所设在多层建筑内"].level == "major"
        assert by_title["灭火器压力不足"].state == "closed"
        assert by_title["配电箱未上锁"].location == "二号车间"
        photos = db.exec(select(Photo).where(Photo.inspection_id == inspection.id)).all()
        assert len(photos) == 8
        assert all(photo.hazard_id is not None for photo in photos)
        assert len({photo.uuid for photo in photos}) == 8
        per_hazard = {h.title: sum(p.hazard_id == h.id for p in photos) for h in hazards}
        assert per_hazard["粉尘爆炸危险场所设在多层建筑内"] == 2
        assert per_hazard["灭火器压力不足"] == 2
        answers = db.exec(select(Answer).where(Answer.inspection_id == inspection.id)).all()
        assert sorted(a.result for a in answers) == ["fail", "fail"]
        assert db.get(Inspection, inspection.id).status == "completed"
        assert db.get(Inspection, inspection.id).summary == "离线完成检查，现场整改一处。"
        signed = db.exec(select(Signature).where(Signature.inspection_id == inspection.id)).all()
        assert sorted(s.signer_name for s in signed) == sorted(
            ["王安全", world.inspector.display_name]
        )
        receipts = db.exec(select(func.count()).select_from(SyncReceipt)).one()
        assert receipts == 10


def test_a_record_refused_after_a_reassignment_is_shown_until_read(
    app, world, make, live_server, sign_in
):
    page = sign_in(world.inspector)
    inspection = prepare_for_offline(page, live_server, world, make, "offline-reassigned")

    with Offline(page.context, app):
        page.get_by_role("link", name=re.compile(world.ours.name)).tap()
        page.get_by_role("link", name="记录其他隐患").tap()
        _hazard(page, "安全出口上锁", [_photo("exit.jpg")])

    # Meanwhile the inspection went to a colleague on the server.
    with app.test_request_context():
        db = get_session()
        db.delete(db.get(InspectionInspector, (inspection.id, world.inspector.id)))
        db.commit()

    page.get_by_role("button", name="立即同步").tap()
    problem = page.locator(".sync-problem")
    problem.wait_for()
    assert "未被接受 · 隐患 “安全出口上锁”" in problem.inner_text()
    assert "已在服务器上改派" in problem.inner_text()
    assert page.locator(".field-hazard .sync-badge--rejected").count() == 1
    with app.test_request_context():
        assert get_session().exec(select(Hazard)).all() == []
    problem.get_by_role("button", name=re.compile("知道了")).tap()
    page.locator(".sync-problem").wait_for(state="detached")
    # Read, not thrown away: the hazard stays on the inspection with the reason.
    assert page.locator(".field-hazard .sync-badge--rejected").count() == 1
    assert "已在服务器上改派" in page.locator(".field-hazard").inner_text()
    assert page.locator("[data-pending]").get_attribute("data-pending") == "0"
    assert device_store(page, "photos") == []


def test_an_answer_changed_after_a_lost_reply_reaches_the_server(
    app, world, make, live_server, sign_in
):
    """The server took the first answer but its reply was lost; the changed answer still lands."""
    page = sign_in(world.inspector)
    prepare_for_offline(page, live_server, world, make, "offline-lost-reply")
    page.get_by_role("link", name=re.compile(world.ours.name)).tap()
    item = page.locator("li.item").nth(1)

    lost = []

    def lose_the_reply(route):
        route.fetch()  # the server applies the batch, but what comes back is a proxy's error page
        route.fulfill(status=502, content_type="text/html", body="<h1>502 Bad Gateway</h1>")
        lost.append(route.request.url)

    page.context.route("**/api/v1/sync", lose_the_reply)
    item.get_by_role("button", name="存在", exact=True).tap()
    for _ in range(200):
        if lost:
            break
        page.wait_for_timeout(100)
    assert lost, "the tablet did not sync"
    # The tablet took the error page for no connection: the answer is still waiting.
    page.locator("[data-action=sync]:not([aria-busy])").wait_for()
    assert page.locator("[data-pending]").get_attribute("data-pending") == "1"
    page.context.unroute("**/api/v1/sync", lose_the_reply)
    item.get_by_role("button", name="不存在", exact=True).tap()
    page.locator('[data-pending="0"]').wait_for(timeout=30_000)
    with app.test_request_context():
        (answer,) = get_session().exec(select(Answer)).all()
        assert answer.result == "pass"
        assert get_session().exec(select(func.count()).select_from(SyncReceipt)).one() == 2


def test_a_hazard_being_written_survives_a_reload(app, world, make, live_server, sign_in):
    """The browser may drop the page while the camera is open; the hazard being written, its
    photos included, is there again when the page comes back. Cancelling it throws it away."""
    page = sign_in(world.inspector)
    prepare_for_offline(page, live_server, world, make, "offline-draft")

    with Offline(page.context, app):
        page.get_by_role("link", name=re.compile(world.ours.name)).tap()
        page.get_by_role("link", name="记录其他隐患").tap()
        page.get_by_label("隐患名称").fill("消防通道堆放杂物")
        page.get_by_label("隐患部位").fill("仓库北侧")
        page.get_by_label("隐患等级").select_option("major")
        photos = [_photo("d1.jpg"), _photo("d2.jpg")]
        page.locator("input[data-slot=before]").set_input_files(photos)
        page.get_by_text("2 张照片").first.wait_for()
        page.get_by_text("现场整改（即查即改）").tap()
        page.get_by_label("现场整改情况").fill("已清理")
        # Tapping the camera button takes the focus (the field's change is written at once),
        # and the camera takes a moment to open before the browser may drop the page.
        page.get_by_label("现场整改情况").blur()
        page.wait_for_timeout(300)

        page.reload()
        page.wait_for_selector("#field-app[data-ready]")
        page.get_by_text("已恢复您未保存的隐患记录（含照片），请核对后保存。").wait_for()
        assert page.get_by_label("隐患名称").input_value() == "消防通道堆放杂物"
        assert page.get_by_label("隐患部位").input_value() == "仓库北侧"
        assert page.get_by_label("隐患等级").input_value() == "major"
        assert page.get_by_label("现场整改（即查即改）").is_checked()
        assert page.get_by_label("现场整改情况").input_value() == "已清理"
        assert page.locator("[data-count=before]").inner_text() == "2 张照片"
        assert page.locator("[data-preview=before] img").count() == 2

        # Left without saving, it is still there when the form is opened again.
        page.evaluate("location.hash = location.hash.replace('/hazard/new', '')")
        page.get_by_role("link", name="记录其他隐患").tap()
        assert page.get_by_label("隐患名称").input_value() == "消防通道堆放杂物"
        assert page.locator("[data-count=before]").inner_text() == "2 张照片"

        # Cancelled, it is gone: the form opens empty again.
        page.get_by_role("link", name="取消").tap()
        page.get_by_role("link", name="记录其他隐患").tap()
        assert page.get_by_label("隐患名称").input_value() == ""
        assert page.locator("[data-count=before]").inner_text() == "0 张照片"
        for _ in range(50):  # the draft is dropped as the link is followed
            if device_store(page, "meta", "hazard-drafts") == {}:
                break
            page.wait_for_timeout(100)
        assert device_store(page, "meta", "hazard-drafts") == {}
        assert device_store(page, "photos") == []


def test_unsynced_work_is_flagged_where_the_browser_may_clear_it(
    app, world, make, live_server, sign_in
):
    page = sign_in(world.inspector)
    # A browser that will not promise to keep the site's data (a tab, not an installed app).
    page.add_init_script(
        "navigator.storage.persisted = async () => false;"
        " navigator.storage.persist = async () => false;"
    )
    prepare_for_offline(page, live_server, world, make, "offline-storage")
    warning = page.locator("[data-storage]")
    assert warning.is_hidden()  # nothing unsynced: nothing to lose

    with Offline(page.context, app):
        page.get_by_role("link", name=re.compile(world.ours.name)).tap()
        page.locator("li.item").first.get_by_role("button", name="存在", exact=True).tap()
        warning.wait_for()
        assert "浏览器可能清除未同步的工作" in warning.inner_text()

    page.get_by_role("button", name="立即同步").tap()
    page.locator('[data-pending="0"]').wait_for(timeout=30_000)
    warning.wait_for(state="hidden")
