"""Field inspections: campaigns, photos uploaded ahead, 即查即改, signatures, the record PDF."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess

import pytest
from PIL import Image
from PIL import ImageDraw
from sqlmodel import select

from inspection.auth.models import Role
from inspection.evidence.models import Photo
from inspection.hazards.models import Hazard
from inspection.inspections.models import Answer
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionChecklist
from inspection.inspections.models import InspectionInspector
from tests.factories import image_bytes


def _signature(blank: bool = False) -> str:
    image = Image.new("RGBA", (400, 150), (255, 255, 255, 0))
    if not blank:
        ImageDraw.Draw(image).line((20, 100, 200, 40, 380, 110), fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def test_a_campaign_plans_one_inspection_per_matching_enterprise(world, make, login):
    version = make.checklist("dust-routine")
    dusty = [
        make.enterprise(f"粉尘木业{n}有限公司", industry="木制品", risk_dust=True) for n in range(3)
    ]
    make.enterprise("无粉尘木业有限公司", industry="木制品")
    client = login(world.supervisor)
    page = client.get("/campaigns/new?industry=木制品&risk=dust").get_data(as_text=True)
    assert "3 家企业符合条件" in page
    response = client.post(
        "/campaigns/new?industry=木制品&risk=dust",
        data={
            "name": "木制品企业粉尘涉爆专项整治",
            "type": "special",
            "start_date": "2030-03-01",
            "due_date": "2030-03-31",
            "enterprises": [str(e.id) for e in dusty],
            "checklists": [str(version.id)],
            "inspectors": [str(world.inspector.id), str(world.inspector2.id)],
        },
    )
    assert response.status_code == 302
    with make.session() as s:
        inspections = s.exec(select(Inspection).where(Inspection.campaign_id.is_not(None))).all()
        assert sorted(i.enterprise_id for i in inspections) == sorted(e.id for e in dusty)
        assert {i.status for i in inspections} == {"planned"}
        assert {i.type for i in inspections} == {"special"}
        for inspection in inspections:
            team = s.exec(
                select(InspectionInspector.user_id).where(
                    InspectionInspector.inspection_id == inspection.id
                )
            ).all()
            assert sorted(team) == sorted([world.inspector.id, world.inspector2.id])
            lists = s.exec(
                select(InspectionChecklist.version_id).where(
                    InspectionChecklist.inspection_id == inspection.id
                )
            ).all()
            assert lists == [version.id]
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert all(e.name in detail for e in dusty)


def test_an_enforcement_campaign_refuses_third_party_staff(world, make, login):
    version = make.checklist()
    expert = make.user(Role.INSPECTOR, "expert", third_party=True, organisation="某服务公司")
    response = login(world.supervisor).post(
        "/campaigns/new",
        data={
            "name": "执法专项",
            "type": "special",
            "start_date": "2030-03-01",
            "due_date": "2030-03-31",
            "enforcement": "y",
            "enterprises": [str(world.ours.id)],
            "checklists": [str(version.id)],
            "inspectors": [str(world.inspector.id), str(expert.id)],
        },
    )
    assert response.status_code == 400
    assert "第三方服务机构人员可以排查隐患，但不能参与执法检查" in response.get_data(as_text=True)
    with make.session() as s:
        assert s.exec(select(Inspection)).first() is None


def _upload(client, inspection, data=None, name="p.jpg", **fields):
    return client.post(
        f"/inspections/{inspection.id}/photos",
        data={
            "photo": (io.BytesIO(data or image_bytes()), name),
            **fields,
        },
        content_type="multipart/form-data",
    )


def test_photos_uploaded_ahead_are_attached_to_the_hazard(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    client = login(world.inspector)
    first = _upload(
        client, inspection, taken_at="2026-05-01T02:30:00Z", latitude="29.1", longitude="118.4"
    )
    second = _upload(client, inspection)
    assert first.status_code == 200 and first.json["thumb"].endswith("/thumb")
    ids = [first.json["id"], second.json["id"]]
    response = client.post(
        f"/inspections/{inspection.id}/hazards/new",
        data={
            "title": "消防通道堆放杂物",
            "level": "general",
            "category": "fire",
            "photo_ids": [str(i) for i in ids],
        },
    )
    assert response.status_code == 302
    with make.session() as s:
        hazard = s.exec(select(Hazard)).one()
        photos = s.exec(select(Photo).where(Photo.hazard_id == hazard.id)).all()
    assert sorted(p.id for p in photos) == sorted(ids)
    located = next(p for p in photos if p.id == ids[0])
    assert (located.latitude, located.longitude) == (29.1, 118.4)
    assert located.taken_at.isoformat().startswith("2026-05-01T02:30")


def test_someone_elses_uploaded_photo_cannot_be_claimed(world, make, login):
    inspection = make.inspection(
        world.ours, world.inspector, co_inspector_ids=[world.inspector2.id]
    )
    theirs = _upload(login(world.inspector2), inspection).json["id"]
    response = login(world.inspector).post(
        f"/inspections/{inspection.id}/hazards/new",
        data={"title": "x", "level": "general", "category": "safety", "photo_ids": [str(theirs)]},
    )
    assert response.status_code == 422
    assert "有部分照片已找不到" in response.get_data(as_text=True)
    with make.session() as s:
        assert s.exec(select(Hazard)).first() is None


def test_an_upload_that_is_not_a_photo_is_refused_with_json(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    response = _upload(login(world.inspector), inspection, b"plain text pretending", "x.jpg")
    assert response.status_code == 422
    assert "不是 JPEG、PNG 或 WebP 照片" in response.json["error"]


def test_fixed_on_the_spot_is_recorded_and_closed_in_one_step(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    client = login(world.inspector)
    after = _upload(client, inspection).json["id"]
    response = client.post(
        f"/inspections/{inspection.id}/hazards/new",
        data={
            "title": "灭火器被遮挡",
            "level": "general",
            "category": "fire",
            "fixed_on_spot": "y",
            "fix_note": "已移开杂物",
            "after_photo_ids": [str(after)],
            "photos": (io.BytesIO(image_bytes()), "before.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with make.session() as s:
        hazard = s.exec(select(Hazard)).one()
        kinds = sorted(p.kind for p in s.exec(select(Photo).where(Photo.hazard_id == hazard.id)))
    assert hazard.state == "closed" and hazard.handling == "on_spot"
    assert kinds == ["after", "before"]


def test_fixed_on_the_spot_without_an_after_photo_records_nothing(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    response = login(world.inspector).post(
        f"/inspections/{inspection.id}/hazards/new",
        data={
            "title": "灭火器被遮挡",
            "level": "general",
            "category": "fire",
            "fixed_on_spot": "y",
        },
    )
    assert response.status_code == 422
    assert "请上传整改后的照片" in response.get_data(as_text=True)
    with make.session() as s:
        assert s.exec(select(Hazard)).first() is None


def test_a_reload_midway_loses_no_answer(world, make, login):
    version = make.checklist()
    inspection = make.inspection(world.ours, world.inspector)
    make.use_checklist(inspection, version, world.inspector)
    client = login(world.inspector)
    page_url = f"/inspections/{inspection.id}/checklists/{version.id}"
    items = re.findall(r'data-item="(\d+)"', client.get(page_url).get_data(as_text=True))
    assert len(items) == 2
    for item_id, result in zip(items, ("pass", "na"), strict=True):
        response = client.post(
            f"/inspections/{inspection.id}/answers/{item_id}",
            data={"result": result, "comment": f"备注{item_id}"},
            headers={"Accept": "application/json"},
        )
        assert response.json["result"] == result
    photo = _upload(client, inspection, item_id=items[0])
    assert photo.status_code == 200
    # The page is loaded again, as after a reload or a lost connection.
    page = login(world.inspector).get(page_url).get_data(as_text=True)
    assert page.count('aria-pressed="true"') == 2
    assert f"备注{items[0]}" in page and f"备注{items[1]}" in page
    assert f"/photos/{photo.json['id']}/thumb" in page
    with make.session() as s:
        assert len(s.exec(select(Answer)).all()) == 2


def _sign(client, inspection, **fields):
    return client.post(f"/inspections/{inspection.id}/signatures", data=fields)


def test_everyone_signs_then_the_record_is_locked(world, make, login):
    version = make.checklist()
    inspection = make.inspection(
        world.ours, world.inspector, co_inspector_ids=[world.inspector2.id]
    )
    make.use_checklist(inspection, version, world.inspector)
    client = login(world.inspector)
    refused = client.post(f"/inspections/{inspection.id}/complete", data={"summary": "完成"})
    assert refused.status_code == 302
    assert make.get(Inspection, inspection.id).status != "completed"
    blank = _sign(
        client,
        inspection,
        role="inspector",
        user_id=str(world.inspector.id),
        signature=_signature(blank=True),
    )
    assert blank.status_code == 400 and "签名框是空的" in blank.get_data(as_text=True)
    for user in (world.inspector, world.inspector2):
        assert (
            _sign(
                client, inspection, role="inspector", user_id=str(user.id), signature=_signature()
            ).status_code
            == 302
        )
    assert (
        _sign(
            client, inspection, role="enterprise", signer_name="甲厂 赵安全", signature=_signature()
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/inspections/{inspection.id}/complete", data={"summary": "检查完毕"}
        ).status_code
        == 302
    )
    locked = make.get(Inspection, inspection.id)
    assert locked.status == "completed" and locked.completed_at is not None
    # Nothing about the record changes any more.
    with make.session() as s:
        from inspection.checklists.models import ChecklistItem

        item = s.exec(select(ChecklistItem).where(ChecklistItem.version_id == version.id)).first()
    answer = client.post(
        f"/inspections/{inspection.id}/answers/{item.id}",
        data={"result": "fail"},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 400 and "已完成，作答不能再修改" in answer.json["error"]
    assert _upload(client, inspection).status_code == 400
    assert (
        _sign(
            client, inspection, role="enterprise", signer_name="别人", signature=_signature()
        ).status_code
        == 400
    )
    hazard = client.post(
        f"/inspections/{inspection.id}/hazards/new",
        data={"title": "x", "level": "general", "category": "safety"},
    )
    assert "本次检查已完成，不能再添加隐患" in hazard.get_data(as_text=True)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (make test)")
def test_the_record_pdf_shows_the_enterprise_hazards_photos_and_signatures(
    world, make, login, tmp_path
):
    version = make.checklist()
    inspection = make.inspection(world.ours, world.inspector)
    make.use_checklist(inspection, version, world.inspector)
    first = make.hazard(inspection, world.inspector, title="配电箱门未关闭")
    second = make.hazard(inspection, world.inspector, title="安全出口被堵塞", photos=2)
    client = login(world.inspector)
    _sign(
        client,
        inspection,
        role="inspector",
        user_id=str(world.inspector.id),
        signature=_signature(),
    )
    response = client.get(f"/inspections/{inspection.id}/record.pdf")
    assert response.mimetype == "application/pdf"
    path = tmp_path / "record.pdf"
    path.write_bytes(response.data)
    text = "".join(
        subprocess.run(
            ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    for expected in (
        world.ours.name,
        first.title,
        second.title,
        "现场检查记录",
        "粉尘爆炸危险场所设置在非框架结构的多层建构筑物内的",
    ):
        assert expected in text, expected
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert any("CJK" in line and " yes " in line for line in fonts.splitlines()), fonts
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert len(images.strip().splitlines()) - 2 >= 4  # three hazard photos and a signature


def test_watermarked_copies_name_the_enterprise(world, make, app):
    from inspection.evidence.watermark import watermarked
    from inspection.storage import content

    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    with make.session() as s:
        photo = s.exec(select(Photo).where(Photo.hazard_id == hazard.id)).one()
    with app.app_context():
        store = content()
        variant = watermarked(store, photo, world.ours.name, "车间")
        path = store.backend.path(store.key(photo.sha256, variant))
        mtime = path.stat().st_mtime_ns
        assert watermarked(store, photo, world.ours.name, "车间") == variant
        assert path.stat().st_mtime_ns == mtime  # made once
        stamped_bytes, original_bytes = store.read(photo.sha256, variant), store.read(photo.sha256)
    with (
        Image.open(io.BytesIO(stamped_bytes)) as stamped,
        Image.open(io.BytesIO(original_bytes)) as original,
    ):
        # The bottom band is darkened for the text; the top is the photo as it was.
        assert stamped.getpixel((5, stamped.height - 5)) != original.convert("RGB").resize(
            stamped.size
        ).getpixel((5, stamped.height - 5))


def test_the_service_worker_keeps_every_module_the_field_app_loads(world, login):
    """The field app is ES modules loaded without a bundler: every module the page reaches
    through its imports is served and kept by the service worker, so it opens offline."""
    import json
    from urllib.parse import urljoin

    client = login(world.inspector)
    page = client.get("/field/").get_data(as_text=True)
    entry = re.search(r'<script type="module" src="([^"]+)"', page)
    assert entry, "the field page loads its app as a module"
    worker = client.get("/field/sw.js").get_data(as_text=True)
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", worker).group(1))
    reached, waiting = set(), [entry.group(1)]
    while waiting:
        url = waiting.pop()
        if url in reached:
            continue
        reached.add(url)
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert response.mimetype == "text/javascript", url
            text = response.get_data(as_text=True)
        for specifier in re.findall(r'^import .* from "([^"]+)";$', text, re.M):
            waiting.append(urljoin(url, specifier))
    assert len(reached) > 5
    assert reached <= set(shell), reached - set(shell)
