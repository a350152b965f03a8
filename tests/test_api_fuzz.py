"""Schemathesis throws generated requests at every operation of the sync API's OpenAPI document:
none may answer with a server error, and every answer must match the document.

Deterministic and quick by default; `FUZZ_EXAMPLES=1000 pytest tests/test_api_fuzz.py` digs deeper
with fresh random examples (run it on PostgreSQL: only there is text too long for its column an
error).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from inspection.checklists.models import ChecklistItem
from tests.factories import image_bytes
from tests.test_sync_api import _items

# The login and the generated requests come from one device (same agent and address), as a
# tablet's would: Flask-Login's session protection compares them.
DEVICE = {"User-Agent": "inspection-tablet/1 (fuzz)", "X-Forwarded-For": "10.20.30.40"}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def target(app, world, make):
    """An inspector logged in with an open inspection, its checklist and a half-sent photo."""
    version = make.checklist()
    inspection = make.inspection(world.ours, world.inspector, version_ids=[version.id])
    items: list[ChecklistItem] = list(_items(make, version).values())
    client = app.test_client()
    client.post(
        "/login",
        data={"username": world.inspector.username, "password": "password123"},
        headers=DEVICE,
    )
    token = client.get("/api/v1/session", headers=DEVICE).json["csrf_token"]
    photos = {}
    for name, data in (("half", image_bytes(size=(64, 48))), ("done", image_bytes(size=(48, 64)))):
        photos[name] = str(uuid.uuid4())
        started = client.post(
            "/api/v1/photos",
            json={
                "id": photos[name],
                "inspection": inspection.id,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            },
            headers=DEVICE,
        )
        assert started.status_code == 201
    sent = client.put(
        f"/api/v1/photos/{photos['done']}/content",
        data=data,
        headers={"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}", **DEVICE},
    )
    assert sent.json["complete"] is True
    app.config["WTF_CSRF_ENABLED"] = True
    return {
        "inspection": inspection.id,
        "items": [item.id for item in items],
        "photo": photos["half"],
        "size": len(image_bytes(size=(64, 48))),
        "done": photos["done"],
        "cookies": {"session": client.get_cookie("session").value},
        # Schemathesis's WSGI transport reads the body as sent, without undoing compression.
        "headers": {"X-CSRFToken": token, "Accept-Encoding": "identity", **DEVICE},
    }


def _aim(case, target: dict, aim: int) -> None:
    """Point some generated requests at rows that exist, so they get past "not found"."""
    if not aim:
        return
    if case.path_parameters and "photo_id" in case.path_parameters:
        case.path_parameters["photo_id"] = target["photo"]
        data = getattr(case.body, "data", case.body)  # schemathesis wraps bytes in Binary
        if isinstance(data, bytes) and 0 < len(data) <= target["size"]:
            case.headers = {
                **(case.headers or {}),
                "Content-Range": f"bytes 0-{len(data) - 1}/{target['size']}",
            }
    body = case.body
    if isinstance(body, dict) and "inspection" in body:
        body["inspection"] = target["inspection"]
    records = body.get("records") if isinstance(body, dict) else None
    for record in records if isinstance(records, list) else []:
        if isinstance(record, dict):
            record["inspection"] = target["inspection"]
            if record.get("item") is not None:
                record["item"] = target["items"][aim % len(target["items"])]
            if record.get("kind") == "answer" and aim == 2:
                record.setdefault("result", "pass")  # so its other fields get stored
            for key in ("photos", "after_photos"):
                if record.get(key):
                    record[key] = [target["done"]]


def test_no_operation_answers_with_a_server_error(app, target):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    seen: Counter = Counter()

    def check(case, aim: int) -> None:
        _aim(case, target, aim)
        response = case.call(headers=target["headers"], cookies=target["cookies"])
        seen[(case.operation.label, response.status_code)] += 1
        case.validate_response(response, checks=CHECKS, headers=target["headers"])

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 6
    for operation in operations:
        # Schemathesis's coverage phase: each field at its bounds and just past them.
        coverage = schema.iter_coverage_cases(
            operation,
            generation_modes=list(GenerationMode),
            generation_config=schema.config.generation_for(operation=operation, phase="coverage"),
        )
        for number, case in enumerate(coverage):
            check(case, 1 + number % 2)
        for mode in GenerationMode:

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize="FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode), aim=st.integers(0, 2))
            def fuzz(case, aim):
                check(case, aim)

            fuzz()
    # The login held and requests got past the door to real work.
    assert not any(status == 401 for _label, status in seen), seen
    for worked in (
        ("POST /api/v1/sync", 200),
        ("GET /api/v1/field/package", 200),
        ("POST /api/v1/photos", 201),
        ("PUT /api/v1/photos/{photo_id}/content", 200),
    ):
        assert seen[worked], seen
