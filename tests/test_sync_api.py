"""The sync API for offline tablets: the package, records applied exactly once, photos in pieces."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import text
from sqlmodel import select

from inspection.api.models import PhotoUpload
from inspection.api.models import SyncReceipt
from inspection.api.schemas import MAX_BATCH
from inspection.checklists.models import ChecklistItem
from inspection.evidence.models import Photo
from inspection.hazards.models import Hazard
from inspection.inspections.models import Answer
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionInspector
from inspection.inspections.models import Signature
from inspection.storage import storage
from tests.factories import image_bytes
from tests.test_field import _signature


def _client(login, user):
    """A logged-in client reading the API's messages in English (asserted on below)."""
    client = login(user)
    client.set_cookie("locale", "en")
    return client


def _count(make, model, *where) -> int:
    with make.session() as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def _rows(make, model, *where) -> list:
    with make.session() as s:
        return list(s.exec(select(model).where(*where)))


def _items(make, version) -> dict[str, ChecklistItem]:
    """The test checklist's items by code: i1 is a major-hazard criterion, i2 a routine item."""
    return {i.code: i for i in _rows(make, ChecklistItem, ChecklistItem.version_id == version.id)}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _photo() -> bytes:
    return image_bytes(size=(200, 150), noise=True)


def _announce(client, inspection_id: int, data: bytes, photo_id: str | None = None, **extra):
    return client.post(
        "/api/v1/photos",
        json={
            "id": photo_id or str(uuid.uuid4()),
            "inspection": inspection_id,
            "size": len(data),
            "sha256": _sha(data),
            "filename": "site.jpg",
            **extra,
        },
    )


def _piece(client, photo_id: str, data: bytes, start: int, end: int, total: int | None = None):
    """Send bytes start..end (inclusive) of `data`."""
    return client.put(
        f"/api/v1/photos/{photo_id}/content",
        data=data[start : end + 1],
        headers={
            "Content-Range": f"bytes {start}-{end}/{total or len(data)}",
            "Content-Type": "application/octet-stream",
        },
    )


def _upload(client, inspection_id: int, data: bytes | None = None, piece: int = 4096) -> str:
    """Announce a photo and send it in pieces; its device id."""
    data = data or _photo()
    photo_id = _announce(client, inspection_id, data).json["id"]
    for start in range(0, len(data), piece):
        response = _piece(client, photo_id, data, start, min(start + piece, len(data)) - 1)
        assert response.status_code == 200, response.json
    assert response.json["complete"] is True
    return photo_id


def _sync(client, *records, **extra):
    return client.post("/api/v1/sync", json={"device": "pad-1", "records": list(records), **extra})


def _id() -> str:
    return str(uuid.uuid4())


def _answer(inspection, item, result="pass", **extra) -> dict:
    return {
        "kind": "answer",
        "id": _id(),
        "inspection": inspection.id,
        "item": item.id,
        "result": result,
        **extra,
    }


def _hazard(inspection, title="消防通道堆放杂物", **extra) -> dict:
    return {
        "kind": "hazard",
        "id": _id(),
        "inspection": inspection.id,
        "title": title,
        "level": "general",
        "category": "fire",
        **extra,
    }


def _signatures(inspection, inspector) -> list[dict]:
    """The two signatures an inspection by one inspector needs: the inspector's and the firm's."""
    signed = {"kind": "signature", "inspection": inspection.id, "image": _signature()}
    return [
        {**signed, "id": _id(), "role": "inspector", "user": inspector.id},
        {**signed, "id": _id(), "role": "enterprise", "signer_name": "王厂长"},
    ]


def _by_id(response) -> dict[str, dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return {result["id"]: result for result in response.json["results"]}


def _shared_inspection(make, world, version=None):
    """An open inspection of `world.ours` by `world.inspector` with `world.inspector2`."""
    return make.inspection(
        world.ours,
        world.inspector,
        co_inspector_ids=[world.inspector2.id],
        version_ids=[version.id] if version else [],
    )


@pytest.fixture
def field(world, make):
    """An open inspection of `world.ours` by `world.inspector` alone, with the test checklist."""
    version = make.checklist()
    inspection = make.inspection(world.ours, world.inspector, version_ids=[version.id])
    return inspection, _items(make, version), version


# 1. The happy path.


def test_a_days_work_syncs_and_completes_the_inspection(world, make, login, field):
    inspection, items, version = field
    client = _client(login, world.inspector)

    package = client.get("/api/v1/field/package")
    assert package.status_code == 200
    (mine,) = package.json["inspections"]
    assert mine["id"] == inspection.id and mine["enterprise"]["name"] == world.ours.name
    assert mine["checklists"] == [version.id]
    assert mine["team"] == [{"id": world.inspector.id, "name": "inspector", "lead": True}]
    (checklist,) = package.json["checklists"]
    codes = [item["code"] for section in checklist["sections"] for item in section["items"]]
    assert checklist["id"] == version.id and codes == ["i1", "i2"]
    assert package.json["default_deadline_days"] == {"general": 15, "major": 60}

    before = [_upload(client, inspection.id) for _ in range(5)]
    after = _upload(client, inspection.id, piece=1000)
    fixed = _hazard(
        inspection,
        "配电箱前堆放杂物",
        photos=[before[1]],
        fixed_on_spot=True,
        fix_note="当场清理",
        after_photos=[after],
    )
    # The failed item needs its photo before the inspection completes: the hazard brings it.
    major = _hazard(
        inspection,
        "粉尘爆炸危险场所设在多层建筑内",
        item=items["i1"].id,
        level="major",
        photos=[before[4]],
    )
    major["category"] = "layout"
    found_at = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
    hazards = [
        _hazard(inspection, "灭火器过期", photos=[before[0]], found_at=found_at.isoformat()),
        fixed,
        major,
        _hazard(inspection, "安全出口被堵塞", photos=[before[2], before[3]], location="二号车间"),
        _hazard(inspection, "未张贴安全警示标识", category="safety"),
    ]
    records = [
        _answer(inspection, items["i2"], "pass", comment="制度齐全"),
        _answer(inspection, items["i1"], "fail"),
        *hazards,
        *_signatures(inspection, world.inspector),
        {"kind": "completion", "id": _id(), "inspection": inspection.id, "summary": "共5处"},
    ]
    results = _by_id(_sync(client, *records))

    assert [results[r["id"]]["outcome"] for r in records] == ["accepted"] * len(records)
    assert not any(result["repeated"] for result in results.values())
    with make.session() as s:
        stored = {h.uuid: h for h in s.exec(select(Hazard))}
        # Each under the device's id, the one fixed on the spot too (fixing re-read the row and
        # dropped the id before it was written).
        assert sorted(stored) == sorted(h["id"] for h in hazards)
        for record in hazards:
            hazard = stored[record["id"]]
            assert results[record["id"]]["server_id"] == hazard.id
            assert results[record["id"]]["number"] == hazard.number
            attached = s.exec(select(Photo).where(Photo.hazard_id == hazard.id)).all()
            wanted = record.get("photos", []) + record.get("after_photos", [])
            assert sorted(p.uuid for p in attached) == sorted(wanted)
        assert stored[hazards[0]["id"]].found_at == found_at
        assert stored[fixed["id"]].state == "closed" and stored[fixed["id"]].handling == "on_spot"
        after_row = s.exec(select(Photo).where(Photo.uuid == after)).one()
        assert after_row.kind == "after"
        raised = stored[major["id"]]
        assert raised.level == "major" and raised.checklist_item_id == items["i1"].id
        assert raised.basis == items["i1"].basis
        assert s.get(Answer, raised.answer_id).result == "fail"
        assert s.exec(select(func.count()).select_from(Photo)).one() == 6
        assert s.exec(select(func.count()).select_from(Answer)).one() == 2
        assert s.exec(select(func.count()).select_from(Signature)).one() == 2
        assert s.exec(select(func.count()).select_from(SyncReceipt)).one() == len(records)
        done = s.get(Inspection, inspection.id)
        assert done.status == "completed" and done.summary == "共5处"
    with make.app.app_context():
        assert not list(storage().list("partial/"))


# 2. Exactly once.


def test_the_same_batch_three_times_changes_nothing_after_the_first(world, make, login, field):
    inspection, items, _version = field
    client = _client(login, world.inspector)
    photo = _upload(client, inspection.id, piece=100_000)
    records = [
        _answer(inspection, items["i2"], "fail"),
        _hazard(inspection, "灭火器过期", photos=[photo]),
        _hazard(inspection, "安全出口被堵塞"),
        _hazard(inspection, "未张贴安全警示标识"),
    ]
    first = _by_id(_sync(client, *records))
    assert {r["outcome"] for r in first.values()} == {"accepted"}
    assert not any(r["repeated"] for r in first.values())

    second = _by_id(_sync(client, *records))
    newer = _hazard(inspection, "电线私拉乱接")
    third = _by_id(_sync(client, newer, records[3], records[1], records[0]))

    for again in (second, {k: v for k, v in third.items() if k != newer["id"]}):
        for record_id, result in again.items():
            assert result["repeated"] is True
            for key in ("outcome", "server_id", "server_version", "number", "note"):
                assert result[key] == first[record_id][key], key
    assert third[newer["id"]]["outcome"] == "accepted" and not third[newer["id"]]["repeated"]
    assert third[newer["id"]]["number"] not in {r["number"] for r in first.values()}
    with make.session() as s:
        titles = sorted(h.title for h in s.exec(select(Hazard)))
        answers = s.exec(select(Answer)).all()
        photo_row = s.exec(select(Photo)).one()
    assert titles == sorted(["灭火器过期", "安全出口被堵塞", "未张贴安全警示标识", "电线私拉乱接"])
    assert [(a.result, a.version) for a in answers] == [("fail", 1)]
    assert photo_row.hazard_id == first[records[1]["id"]]["server_id"]
    assert _count(make, SyncReceipt) == 5


# 3. Photos in pieces.


def _pieces_stored(app, photo_id: str) -> list[str]:
    with app.app_context():
        return [item.key for item in storage().list(f"partial/{photo_id}/")]


def test_a_photo_cut_off_mid_upload_resumes_where_it_stopped(world, make, login, field, app):
    inspection, _items_, _version = field
    client = _client(login, world.inspector)
    data = _photo()
    assert len(data) > 3 * 4096
    photo_id = str(uuid.uuid4())
    hazard = _hazard(inspection, photos=[photo_id])

    started = _announce(client, inspection.id, data, photo_id)
    assert started.status_code == 201 and started.json["received"] == 0
    assert _piece(client, photo_id, data, 0, 4095).json["received"] == 4096
    assert _piece(client, photo_id, data, 4096, 8191).json["received"] == 8192
    # The connection drops here. The hazard naming the photo must wait for it.
    waiting = _by_id(_sync(client, hazard))[hazard["id"]]
    assert waiting["outcome"] == "retry" and "1" in waiting["reason"]
    assert _count(make, SyncReceipt) == 0 and _count(make, Hazard) == 0

    state = client.get(f"/api/v1/photos/{photo_id}")
    assert state.status_code == 200
    assert (state.json["received"], state.json["complete"]) == (8192, False)
    # Each piece is one object, so the next may go to any app server.
    assert _pieces_stored(app, photo_id) == [
        f"partial/{photo_id}/000000000000",
        f"partial/{photo_id}/000000004096",
    ]
    again = _announce(client, inspection.id, data, photo_id)
    assert again.status_code == 200 and again.json["received"] == 8192

    ahead = _piece(client, photo_id, data, 12288, len(data) - 1)
    assert ahead.status_code == 409 and ahead.json["received"] == 8192
    assert ahead.json["code"] == "out_of_order"
    repeat = _piece(client, photo_id, data, 0, 4095)
    assert repeat.status_code == 200 and repeat.json["received"] == 8192
    done = _piece(client, photo_id, data, 8192, len(data) - 1)
    assert done.status_code == 200 and done.json["complete"] is True
    assert done.json["thumb"].endswith("/thumb")
    late = _piece(client, photo_id, data, 8192, len(data) - 1)
    assert late.status_code == 200 and late.json["complete"] is True

    (photo,) = _rows(make, Photo)
    assert (photo.uuid, photo.sha256, photo.size_bytes) == (photo_id, _sha(data), len(data))
    assert _pieces_stored(app, photo_id) == []
    accepted = _by_id(_sync(client, hazard))[hazard["id"]]
    assert accepted["outcome"] == "accepted" and not accepted["repeated"]
    assert _rows(make, Photo)[0].hazard_id == accepted["server_id"]


def test_a_damaged_photo_restarts_and_a_fake_one_is_refused(world, make, login, field):
    inspection, _items_, _version = field
    client = _client(login, world.inspector)
    data = _photo()
    photo_id = _announce(client, inspection.id, data).json["id"]
    assert _piece(client, photo_id, data, 0, 4095).status_code == 200
    spoiled = data[:4096] + bytes([data[4096] ^ 0xFF]) + data[4097:]
    damaged = _piece(client, photo_id, spoiled, 4096, len(data) - 1)
    assert damaged.status_code == 409 and damaged.json["received"] == 0
    assert damaged.json["code"] == "damaged" and "damaged" in damaged.json["message"]
    assert make.get(PhotoUpload, photo_id).received == 0
    assert _count(make, Photo) == 0
    assert _piece(client, photo_id, data, 0, len(data) - 1).json["complete"] is True
    assert _count(make, Photo) == 1

    fake = b"this is not a photo, only text " * 20
    fake_id = _announce(client, inspection.id, fake).json["id"]
    refused = _piece(client, fake_id, fake, 0, len(fake) - 1)
    assert refused.status_code == 422 and refused.json["code"] == "photo_refused"
    assert "not a JPEG, PNG or WebP photo" in refused.json["message"]
    assert _count(make, Photo) == 1
    assert make.get(PhotoUpload, fake_id) is None


# 4. The server moved on while the device was offline.


def test_an_inspector_taken_off_the_team_is_told_and_nothing_is_added(world, make, login, field):
    inspection, _items_, _version = field
    client = _client(login, world.inspector)
    with make.session() as s:
        s.delete(s.get(InspectionInspector, (inspection.id, world.inspector.id)))
        s.add(InspectionInspector(inspection_id=inspection.id, user_id=world.inspector2.id))
        s.commit()
    hazard = _hazard(inspection)
    first = _by_id(_sync(client, hazard))[hazard["id"]]
    assert first["outcome"] == "rejected" and "reassigned" in first["reason"]
    again = _by_id(_sync(client, hazard))[hazard["id"]]
    assert again["repeated"] is True
    assert (again["outcome"], again["reason"]) == ("rejected", first["reason"])
    assert _count(make, Hazard) == 0


def test_records_for_an_inspection_completed_on_the_server_are_refused(world, make, login, field):
    inspection, items, _version = field
    client = _client(login, world.inspector)
    with make.session() as s:
        row = s.get(Inspection, inspection.id)
        row.status, row.completed_at = "completed", row.created_at
        s.commit()
    records = [_answer(inspection, items["i2"]), _hazard(inspection)]
    results = _by_id(_sync(client, *records))
    for record in records:
        assert results[record["id"]]["outcome"] == "rejected"
        assert "completed on the server" in results[record["id"]]["reason"]
    assert _count(make, Hazard) == 0 and _count(make, Answer) == 0
    # A photo for it is refused for good too (409 without `received`), not retried for ever.
    refused = _announce(client, inspection.id, _photo())
    assert refused.status_code == 409 and "received" not in refused.json
    assert refused.json["code"] == "conflict"
    assert "completed on the server" in refused.json["message"]


def test_the_fields_answer_wins_and_names_the_colleague_it_replaced(world, make, login):
    version = make.checklist()
    inspection = _shared_inspection(make, world, version)
    items = _items(make, version)
    client = _client(login, world.inspector)
    _sync(client, _answer(inspection, items["i2"], "pass"))
    package = client.get("/api/v1/field/package").json
    (seen,) = package["inspections"][0]["answers"]
    assert (seen["item"], seen["result"], seen["version"]) == (items["i2"].id, "pass", 1)
    colleague = _client(login, world.inspector2)
    assert _sync(colleague, _answer(inspection, items["i2"], "fail")).status_code == 200

    mine = _answer(inspection, items["i2"], "pass", base_version=seen["version"])
    result = _by_id(_sync(client, mine))[mine["id"]]
    assert result["outcome"] == "accepted"
    assert "inspector2" in result["note"] and "replaced" in result["note"]
    (answer,) = _rows(make, Answer)
    assert (answer.result, answer.answered_by_id, answer.version) == ("pass", world.inspector.id, 3)
    assert result["server_version"] == 3

    current = _answer(inspection, items["i2"], "na", base_version=3)
    assert _by_id(_sync(client, current))[current["id"]]["note"] is None


# 5. Who may use it.


def test_only_logged_in_inspectors_may_sync(world, make, login, field):
    inspection, _items_, _version = field
    data = _photo()
    enterprise = login(world.ours_user)
    anonymous = make.app.test_client()
    calls = [
        lambda c: c.get("/api/v1/field/package"),
        lambda c: _sync(c, _hazard(inspection)),
        lambda c: _announce(c, inspection.id, data),
        lambda c: c.get(f"/api/v1/photos/{uuid.uuid4()}"),
        lambda c: _piece(c, str(uuid.uuid4()), data, 0, 9),
    ]
    for call in calls:
        refused = call(enterprise)
        assert refused.status_code == 403 and refused.json["code"] == "forbidden"
        assert refused.json["message"]
        gone = call(anonymous)
        assert gone.status_code == 401 and gone.json["code"] == "not_logged_in"
        assert gone.json["message"]
    assert anonymous.get("/api/v1/session").status_code == 401
    for model in (Hazard, SyncReceipt, PhotoUpload, Photo):
        assert _count(make, model) == 0


def test_one_inspector_cannot_see_or_take_over_anothers_records(world, make, login):
    inspection = _shared_inspection(make, world)
    mine, theirs = _client(login, world.inspector), _client(login, world.inspector2)
    data = _photo()
    photo_id = _announce(mine, inspection.id, data).json["id"]
    assert _piece(mine, photo_id, data, 0, 4095).status_code == 200
    unseen = theirs.get(f"/api/v1/photos/{photo_id}")
    assert unseen.status_code == 404 and unseen.json["code"] == "not_found"
    assert _piece(theirs, photo_id, data, 4096, len(data) - 1).status_code == 404
    assert _announce(theirs, inspection.id, data, photo_id).status_code == 409
    assert make.get(PhotoUpload, photo_id).received == 4096

    hazard = _hazard(inspection, "灭火器过期")
    accepted = _by_id(_sync(mine, hazard))[hazard["id"]]
    hijack = {**hazard, "title": "别人的标题"}
    refused = _by_id(_sync(theirs, hijack))[hazard["id"]]
    assert refused["outcome"] == "rejected" and "Another record" in refused["reason"]
    assert refused["server_id"] is None and refused["number"] is None
    # The same id on a record of another kind is not taken for a repeat of the hazard either.
    as_answer = {"kind": "answer", "id": hazard["id"], "inspection": inspection.id, "item": 1}
    mixed = _by_id(_sync(mine, as_answer))[hazard["id"]]
    assert mixed["outcome"] == "rejected" and mixed["kind"] == "answer" and not mixed["repeated"]
    (stored,) = _rows(make, Hazard)
    assert (stored.id, stored.title, stored.found_by_id) == (
        accepted["server_id"],
        "灭火器过期",
        world.inspector.id,
    )
    (receipt,) = _rows(make, SyncReceipt)
    assert receipt.user_id == world.inspector.id


def test_writes_need_the_csrf_token_from_the_session_call(app, world, make, login, field):
    inspection, _items_, _version = field
    client = _client(login, world.inspector)
    app.config["WTF_CSRF_ENABLED"] = True
    hazard = _hazard(inspection)
    refused = _sync(client, hazard)
    assert refused.status_code == 400 and refused.json["code"] == "csrf_failed"
    assert "security token" in refused.json["message"]
    data = _photo()
    photo_id = str(uuid.uuid4())
    assert _announce(client, inspection.id, data, photo_id).status_code == 400
    assert _piece(client, photo_id, data, 0, 9).status_code == 400
    assert _count(make, Hazard) == 0 and _count(make, SyncReceipt) == 0
    assert _count(make, PhotoUpload) == 0
    me = client.get("/api/v1/session").json
    assert me["id"] == world.inspector.id and me["role"] == "inspector"
    accepted = client.post(
        "/api/v1/sync", json={"records": [hazard]}, headers={"X-CSRFToken": me["csrf_token"]}
    )
    assert _by_id(accepted)[hazard["id"]]["outcome"] == "accepted"
    assert _count(make, Hazard) == 1


# 6. Bad input: a batch that cannot be read is refused whole; a bad record alone, naming the field.


def _bad_batches(inspection, item) -> dict[str, tuple[bytes, str]]:
    """Each request body the server cannot read at all, with the field the 422 must name."""
    good = _answer(inspection, item)

    def batch(*records, **extra) -> bytes:
        return json.dumps({"records": [good, *records], **extra}).encode()

    return {
        "malformed": (b'{"records": [', "body"),
        "not an object": (b"[]", "body"),
        "empty": (b"", "body"),
        "unknown field": (batch(colour="red"), "colour"),
        "not records": (json.dumps({"records": [1, "x"]}).encode(), "records.0"),
        "too many": (batch(*[_answer(inspection, item) for _ in range(MAX_BATCH)]), "records"),
    }


def _bad_records(inspection, item) -> dict[str, tuple[dict | str, str]]:
    """Each record the server cannot read, with (a fragment of) the field its refusal names."""
    return {
        "unknown record field": (_hazard(inspection, colour="red"), "colour"),
        "unknown kind": ({"kind": "photo", "id": _id()}, "kind"),
        "nul": (_hazard(inspection, title="灭火器\x00过期"), "title"),
        "huge id": ({**_answer(inspection, item), "inspection": 2**31}, "inspection"),
        "huge item": ({**_answer(inspection, item), "item": 2**63}, "item"),
        "nan": (json.dumps(_answer(inspection, item))[:-1] + ', "number": NaN}', "number"),
        "infinity": (_answer(inspection, item, number="Infinity"), "number"),
        "naive time": (_hazard(inspection, found_at="2026-01-01T08:00:00"), "found_at"),
        "ancient time": (_hazard(inspection, found_at="1900-01-01T00:00:00Z"), "found_at"),
        "bad uuid": ({**_hazard(inspection), "id": "not-a-uuid"}, "id"),
        "long choice": (_answer(inspection, item, "pass", choice="甲" * 101), "choice"),
    }


def test_bad_batches_and_bad_records_are_refused_naming_the_field(world, make, login, field):
    inspection, items, _version = field
    client = _client(login, world.inspector)
    for name, (body, field_name) in _bad_batches(inspection, items["i2"]).items():
        response = client.post(
            "/api/v1/sync", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422 and response.json["code"] == "invalid_request", name
        assert response.json["message"] and response.json["fields"], name
        assert any(field_name in f["field"] for f in response.json["fields"]), (name, response.json)
    for name, (record, field_name) in _bad_records(inspection, items["i2"]).items():
        good = _answer(inspection, items["i1"], "fail")
        raw = record if isinstance(record, str) else json.dumps(record)
        body = f'{{"records": [{raw}, {json.dumps(good)}]}}'.encode()
        response = client.post(
            "/api/v1/sync", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 200, name
        refused, accepted = response.json["results"]
        assert refused["outcome"] == "rejected" and field_name in refused["reason"], (name, refused)
        assert accepted["outcome"] == "accepted", name
    # Only the good records were applied (one answer, changed each time); nothing bad was kept.
    assert _count(make, Answer) == 1
    assert _count(make, Hazard) == 0
    assert _count(make, SyncReceipt) == len(_bad_records(inspection, items["i2"]))
    for name, spec in {
        "nul in name": {"filename": "a\x00.jpg"},
        "bad hash": {"sha256": "ABC"},
        "too big": {"size": 10**9},
        "nan latitude": {"latitude": float("nan")},
        "huge inspection": {"inspection": 2**31},
    }.items():
        body = {"id": _id(), "inspection": inspection.id, "size": 10, "sha256": "0" * 64, **spec}
        response = client.post(
            "/api/v1/photos",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 422 and response.json["fields"], name
    assert _count(make, PhotoUpload) == 0


def test_every_refusal_keeps_its_code_and_names_the_input(app, world, make, login, field):
    """Each refusal a device can meet: its status, its stable code and the input it names."""
    inspection, _items_, _version = field
    client = _client(login, world.inspector)
    data, fake = _photo(), b"this is not a photo, only text " * 20
    photo_id = _announce(client, inspection.id, data).json["id"]
    fake_id = _announce(client, inspection.id, fake).json["id"]
    spoiled = bytes([data[0] ^ 0xFF]) + data[1:]
    ghost = str(uuid.uuid4())
    cases = {
        "no login": (
            lambda: make.app.test_client().get("/api/v1/field/package"),
            (401, "not_logged_in", "session"),
        ),
        "unreadable body": (
            lambda: client.post("/api/v1/sync", data=b"{", content_type="application/json"),
            (422, "invalid_request", "body"),
        ),
        "no such inspection": (
            lambda: _announce(client, 2**31 - 1, data),
            (404, "not_found", "inspection"),
        ),
        "id taken": (
            lambda: _announce(client, inspection.id, fake, photo_id),
            (409, "conflict", "id"),
        ),
        "never announced": (
            lambda: client.get(f"/api/v1/photos/{ghost}"),
            (404, "not_found", "photo_id"),
        ),
        "piece of a photo never announced": (
            lambda: _piece(client, ghost, data, 0, 9),
            (404, "not_found", "photo_id"),
        ),
        "no Content-Range": (
            lambda: client.put(f"/api/v1/photos/{photo_id}/content", data=data[:10]),
            (400, "refused", "Content-Range"),
        ),
        "ahead of what arrived": (
            lambda: _piece(client, photo_id, data, 10, 19),
            (409, "out_of_order", "Content-Range"),
        ),
        "another size": (
            lambda: _piece(client, photo_id, data, 0, 9, total=len(data) + 1),
            (409, "refused", "Content-Range"),
        ),
        "shorter than its range": (
            lambda: client.put(
                f"/api/v1/photos/{photo_id}/content",
                data=data[:5],
                headers={"Content-Range": f"bytes 0-9/{len(data)}"},
            ),
            (409, "refused", "body"),
        ),
        "damaged": (
            lambda: _piece(client, photo_id, spoiled, 0, len(data) - 1),
            (409, "damaged", "body"),
        ),
        "not a photo": (
            lambda: _piece(client, fake_id, fake, 0, len(fake) - 1),
            (422, "photo_refused", "body"),
        ),
    }
    for name, (call, (status, code, input_name)) in cases.items():
        response = call()
        assert (response.status_code, response.json["code"]) == (status, code), (
            name,
            response.json,
        )
        assert response.json["error"] and response.json["message"], name
        assert input_name in [f["field"] for f in response.json["fields"]], (name, response.json)
        assert all(f["message"] for f in response.json["fields"]), name

    idle = _client(login, world.inspector)
    assert idle.get("/api/v1/session").status_code == 200  # the session notes the activity
    with idle.session_transaction() as session:
        session["seen"] -= 31 * 60
    expired = idle.get("/api/v1/field/package")
    assert (expired.status_code, expired.json["code"]) == (401, "session_expired")
    assert [f["field"] for f in expired.json["fields"]] == ["session"]
    # Refusals not about an input say so by naming none.
    enterprise = _client(login, world.ours_user).get("/api/v1/field/package")
    assert (enterprise.status_code, enterprise.json["code"]) == (403, "forbidden")
    assert "fields" not in enterprise.json

    app.config["WTF_CSRF_ENABLED"] = True
    no_token = _sync(client, _hazard(inspection))
    assert (no_token.status_code, no_token.json["code"]) == (400, "csrf_failed")
    assert [f["field"] for f in no_token.json["fields"]] == ["X-CSRFToken"]
    app.config["MAX_CONTENT_LENGTH"] = 1000
    too_large = client.put(
        f"/api/v1/photos/{photo_id}/content",
        data=data,
        headers={"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"},
    )
    assert (too_large.status_code, too_large.json["code"]) == (413, "too_large")
    assert [f["field"] for f in too_large.json["fields"]] == ["body"]
    assert _count(make, Photo) == 0


# 7. Two copies of the same batch at once.


@pytest.mark.postgres_only
def test_the_same_batch_sent_twice_at_once_is_applied_once(app, world, make, login, field):
    inspection, items, _version = field
    records = [_answer(inspection, items["i2"], "fail")] + [
        _hazard(inspection, f"隐患{n}") for n in range(5)
    ]
    clients = [_client(login, world.inspector) for _ in range(2)]
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def send(index, client):
        barrier.wait()
        responses[index] = _sync(client, *records)

    threads = [threading.Thread(target=send, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    one, two = (_by_id(response) for response in responses)
    for record in records:
        assert one[record["id"]]["outcome"] == two[record["id"]]["outcome"] == "accepted"
        assert one[record["id"]]["server_id"] == two[record["id"]]["server_id"]
        assert sorted([one[record["id"]]["repeated"], two[record["id"]]["repeated"]]) == [
            False,
            True,
        ]
    with make.session() as s:
        uuids = [h.uuid for h in s.exec(select(Hazard))]
        assert sorted(uuids) == sorted(r["id"] for r in records[1:])
        assert len(s.exec(select(Answer)).all()) == 1
        assert s.exec(select(func.count()).select_from(SyncReceipt)).one() == len(records)


# Regressions.


def test_no_text_a_device_sends_is_longer_than_the_column_it_fills():
    """PostgreSQL refuses text longer than its varchar column with an error, not a 422."""
    from inspection.api import schemas

    columns = {
        (schemas.AnswerRecord, "choice"): Answer.__table__.c.choice_value,
        (schemas.HazardRecord, "title"): Hazard.__table__.c.title,
        (schemas.HazardRecord, "location"): Hazard.__table__.c.location,
        (schemas.HazardRecord, "basis"): Hazard.__table__.c.basis,
        (schemas.CompletionRecord, "summary"): Inspection.__table__.c.summary,
        (schemas.UploadStart, "filename"): PhotoUpload.__table__.c.filename,
    }
    for (model, name), column in columns.items():
        field = model.model_json_schema()["properties"][name]
        (limit,) = [s["maxLength"] for s in field.get("anyOf", [field]) if "maxLength" in s]
        assert limit <= column.type.length, (model.__name__, name)


def test_a_choice_longer_than_the_column_is_refused_not_a_server_error(world, make, login, field):
    """On PostgreSQL a 101-character choice on a pass/fail item reached the varchar(100) column."""
    inspection, items, _version = field
    client = _client(login, world.inspector)
    response = _sync(client, _answer(inspection, items["i2"], "pass", choice="甲" * 101))
    (result,) = response.json["results"]
    assert result["outcome"] == "rejected" and "choice" in result["reason"]
    assert _count(make, Answer) == 0


def test_a_summary_longer_than_the_column_is_refused_not_a_server_error(world, make, login, field):
    """On PostgreSQL a 2001-character summary reached the varchar(2000) column once all signed."""
    inspection, _items_, _version = field
    client = _client(login, world.inspector)
    signatures = _signatures(inspection, world.inspector)
    completion = {"kind": "completion", "id": _id(), "inspection": inspection.id}
    response = _sync(client, *signatures, {**completion, "summary": "查" * 2001})
    signed, signed_too, refused = response.json["results"]
    assert refused["outcome"] == "rejected" and "summary" in refused["reason"]
    assert signed["outcome"] == signed_too["outcome"] == "accepted"
    assert make.get(Inspection, inspection.id).status != "completed"
    done = _by_id(_sync(client, *signatures, {**completion, "summary": "查" * 2000}))
    assert done[completion["id"]]["outcome"] == "accepted"
    assert len(make.get(Inspection, inspection.id).summary) == 2000


@pytest.mark.postgres_only
def test_two_inspectors_answering_one_item_at_once_both_land(app, world, make, login):
    """The second first-answer to an item hit the unique key; it was a 500, not a replacement."""
    version = make.checklist()
    inspection = _shared_inspection(make, world, version)
    item = _items(make, version)["i2"]
    client = _client(login, world.inspector)
    record = _answer(inspection, item, "pass")
    outcome: dict = {}

    def send():
        try:
            outcome["response"] = _sync(client, record)
        except Exception as error:  # the test client re-raises what the view raised
            outcome["error"] = error

    with make.session() as colleague, make.session() as watcher:
        colleague.add(
            Answer(
                inspection_id=inspection.id,
                item_id=item.id,
                result="fail",
                answered_by_id=world.inspector2.id,
            )
        )
        colleague.flush()
        thread = threading.Thread(target=send)
        thread.start()
        waiting = (
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        for _ in range(200):
            if watcher.exec(text(waiting)).one()[0]:
                break
            watcher.rollback()
            time.sleep(0.02)
        else:
            pytest.fail("the sync never waited for the colleague's answer")
        colleague.commit()
        thread.join(30)
    assert "error" not in outcome, outcome.get("error")
    result = _by_id(outcome["response"])[record["id"]]
    assert result["outcome"] == "accepted" and "inspector2" in result["note"]
    (answer,) = _rows(make, Answer)
    assert (answer.result, answer.answered_by_id, answer.version) == ("pass", world.inspector.id, 2)


def test_a_record_changed_after_it_was_sent_is_not_taken_for_a_repeat(world, make, login, field):
    inspection, _items_, _version = field
    client = _client(login, world.inspector)
    hazard = _hazard(inspection, "配电箱未上锁")
    assert _by_id(_sync(client, hazard))[hazard["id"]]["outcome"] == "accepted"
    changed = _by_id(_sync(client, {**hazard, "title": "配电箱门损坏"}))[hazard["id"]]
    assert changed["outcome"] == "rejected" and not changed["repeated"]
    assert "changed after it was first sent" in changed["reason"]
    assert [h.title for h in _rows(make, Hazard)] == ["配电箱未上锁"]
    again = _by_id(_sync(client, hazard))[hazard["id"]]
    assert again["outcome"] == "accepted" and again["repeated"]


def test_a_completion_waits_for_records_of_its_inspection_still_missing_photos(
    world, make, login, field
):
    inspection, items, _version = field
    client = _client(login, world.inspector)
    data = _photo()
    photo_id = _announce(client, inspection.id, data).json["id"]  # announced, bytes not sent
    waiting = _hazard(inspection, "安全出口上锁", photos=[photo_id])
    signatures = _signatures(inspection, world.inspector)
    completion = {"kind": "completion", "id": _id(), "inspection": inspection.id}
    first = _by_id(_sync(client, waiting, *signatures, completion))
    assert first[waiting["id"]]["outcome"] == "retry"
    assert first[completion["id"]]["outcome"] == "retry"
    assert make.get(Inspection, inspection.id).status != "completed"
    _piece(client, photo_id, data, 0, len(data) - 1)
    second = _by_id(_sync(client, waiting, *signatures, completion))
    assert [second[r["id"]]["outcome"] for r in (waiting, completion)] == ["accepted"] * 2
    assert make.get(Inspection, inspection.id).status == "completed"
    (hazard,) = _rows(make, Hazard)
    assert [p.hazard_id for p in _rows(make, Photo)] == [hazard.id]


def test_uploads_abandoned_for_two_weeks_are_forgotten_and_lost_bytes_resent(
    app, world, make, login, field
):
    from scheduler import jobs

    inspection, _items_, _version = field
    client = _client(login, world.inspector)
    data = _photo()
    old, recent = _id(), _id()
    for photo_id in (old, recent):
        _announce(client, inspection.id, data, photo_id)
        assert _piece(client, photo_id, data, 0, 4095).status_code == 200
    with make.session() as s:
        upload = s.get(PhotoUpload, old)
        upload.updated_at = upload.updated_at - timedelta(days=15)
        s.add(upload)
        s.commit()
    with app.app_context():
        from inspection.db import get_session

        assert jobs.forget_abandoned_uploads().startswith("1 unfinished uploads")
        get_session().commit()
    assert [u.photo_uuid for u in _rows(make, PhotoUpload)] == [recent]
    assert _pieces_stored(app, old) == []

    # The recent upload's bytes went missing from the storage: the server asks for them again.
    with app.app_context():
        storage().delete(f"partial/{recent}/{0:012d}")
    resumed = _piece(client, recent, data, 4096, len(data) - 1)
    assert resumed.status_code == 409 and resumed.json["received"] == 0
    assert _piece(client, recent, data, 0, len(data) - 1).json["complete"] is True
    (photo,) = _rows(make, Photo)
    assert photo.sha256 == _sha(data)


# The API does what its OpenAPI document says (schemathesis holds it to that in test_api_fuzz).


def test_without_a_login_the_answer_is_401_before_the_token_or_the_body_is_looked_at(app, field):
    inspection, _items_, _version = field
    app.config["WTF_CSRF_ENABLED"] = True
    anonymous = app.test_client()
    for response in (
        anonymous.post("/api/v1/sync", data=b"{not json", content_type="application/json"),
        _announce(anonymous, inspection.id, b"x"),
        anonymous.put(f"/api/v1/photos/{uuid.uuid4()}/content", data=b"x"),
    ):
        assert response.status_code == 401 and response.json["code"] == "not_logged_in"


def test_an_undeclared_method_answers_405_naming_the_ones_that_work(client):
    for method, path, allowed in (
        ("TRACE", "/api/v1/photos", {"POST"}),
        ("DELETE", "/api/v1/sync", {"POST"}),
        ("TRACE", f"/api/v1/photos/{uuid.uuid4()}", {"GET", "HEAD"}),
        ("POST", f"/api/v1/photos/{uuid.uuid4()}/content", {"PUT"}),
    ):
        response = client.open(path, method=method)
        assert response.status_code == 405, (method, path)
        assert response.json["code"] == "method_not_allowed"
        assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}, path


def test_a_piece_that_does_not_fit_the_photo_is_a_409_saying_where_to_resume(
    world, make, login, field
):
    inspection, _items_, _version = field
    client = _client(login, world.inspector)
    data = _photo()
    photo_id = _announce(client, inspection.id, data).json["id"]
    assert _piece(client, photo_id, data, 0, 99).status_code == 200
    url = f"/api/v1/photos/{photo_id}/content"
    for content_range, body in (
        (f"bytes 100-199/{len(data) + 1}", data[100:200]),  # not the announced size
        (f"bytes 199-100/{len(data)}", data[100:200]),  # backwards
        (f"bytes 100-{len(data)}/{len(data)}", data[100:]),  # past the end
        (f"bytes 100-199/{len(data)}", data[100:150]),  # shorter than it says
    ):
        response = client.put(url, data=body, headers={"Content-Range": content_range})
        assert response.status_code == 409, content_range
        assert response.json["code"] == "refused" and response.json["received"] == 100
        assert response.json["message"]
    for header in ({}, {"Content-Range": ""}, {"Content-Range": "bytes=0-9"}):
        response = client.put(url, data=data[100:110], headers=header)
        assert response.status_code == 400 and "Content-Range" in response.json["message"]
    # An unknown photo is not found, whatever its range says.
    stranger = client.put(
        f"/api/v1/photos/{uuid.uuid4()}/content",
        data=b"x",
        headers={"Content-Range": "bytes 5-1/2"},
    )
    assert stranger.status_code == 404 and stranger.json["code"] == "not_found"
    assert make.get(PhotoUpload, photo_id).received == 100


def test_numbers_ids_and_times_are_read_as_the_document_writes_them(world, make, login, field):
    inspection, _items_, _version = field
    client = _client(login, world.inspector)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    refused = {
        "size as text": ({"size": "10"}, "size"),
        "inspection as true": ({"inspection": True}, "inspection"),
        "inspection as a fraction": ({"inspection": inspection.id + 0.5}, "inspection"),
        "latitude as text": ({"latitude": "30.1"}, "latitude"),
        "id without hyphens": ({"id": uuid.uuid4().hex}, "id"),
        "taken in 6785": ({"taken_at": "6785-01-01T00:00:00Z"}, "taken_at"),
        "taken before 2000": ({"taken_at": "1999-12-31T23:59:59Z"}, "taken_at"),
        "taken the day after tomorrow": (
            {"taken_at": f"{tomorrow + timedelta(days=1)}T00:00:00Z"},
            "taken_at",
        ),
        "taken at a number": ({"taken_at": 1_700_000_000}, "taken_at"),
        "taken at no zone": ({"taken_at": "2026-01-01T08:00:00"}, "taken_at"),
    }
    for name, (spec, field_name) in refused.items():
        response = _announce(client, inspection.id, b"0123456789", **spec)
        assert response.status_code == 422 and response.json["code"] == "invalid_request", name
        assert [f["field"] for f in response.json["fields"]] == [field_name], (name, response.json)
    assert _count(make, PhotoUpload) == 0
    for spec in (
        {"inspection": float(inspection.id), "size": 10.0},  # whole numbers written as 10.0
        {"taken_at": "2000-01-01T00:00:00+08:00"},
        {"taken_at": f"{tomorrow}T23:59:59.5-03:00", "latitude": 30, "longitude": 120.5},
    ):
        response = _announce(client, inspection.id, b"0123456789", **spec)
        assert response.status_code == 201, (spec, response.json)


def test_a_completion_without_the_photo_of_a_failed_item_is_refused(world, make, login, field):
    inspection, items, _version = field
    client = _client(login, world.inspector)
    package = client.get("/api/v1/field/package").json
    (item,) = [
        i for s in package["checklists"][0]["sections"] for i in s["items"] if i["code"] == "i2"
    ]
    assert item["photo_on_fail"] is True
    completion = {"kind": "completion", "id": _id(), "inspection": inspection.id}
    records = [
        _answer(inspection, items["i2"], "fail"),
        *_signatures(inspection, world.inspector),
        completion,
    ]
    results = _by_id(_sync(client, *records))
    refused = results[completion["id"]]
    assert refused["outcome"] == "rejected"
    assert "i2" in str(refused)
    with make.session() as s:
        assert s.get(Inspection, inspection.id).status != "completed"
    (answer,) = client.get("/api/v1/field/package").json["inspections"][0]["answers"]
    assert answer["has_photo"] is False
