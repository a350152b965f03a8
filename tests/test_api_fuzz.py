"""Schemathesis holds the sync API to its OpenAPI document with every check it has, as
`schemathesis run --checks all` does: no server error, every answer as documented, what the
document allows is accepted and what it does not is refused, 401 without a login, 405 with
`Allow` for undeclared methods. It runs the examples, coverage, fuzzing and stateful phases
(the document's links lead from the package to a photo announced, asked after and sent), logged
in as an inspector and logged out. The stateful phase follows a link only now and then, so a
photo is also walked through its routes step by step (tests/photo_chain.py), every answer held
to every check: the photo routes are tested past 404 on every run.

Deterministic and quick by default; `FUZZ_EXAMPLES=1000 pytest tests/test_api_fuzz.py` digs
deeper with fresh random examples (run it on PostgreSQL too: only there is text too long for its
column an error). `tests/api_contract.sh` runs the CLI against a running app.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from datetime import UTC
from datetime import timedelta

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from sqlmodel import select

from inspection import clock
from inspection.api import schemas
from inspection.evidence.models import Photo
from tests import photo_chain

# The login and the generated requests come from one device (same agent and address), as a
# tablet's would: Flask-Login's session protection compares them.
DEVICE = {"User-Agent": "inspection-tablet/1 (fuzz)", "X-Forwarded-For": "10.20.30.40"}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
OPERATIONS = 6


def _login(app, user) -> dict[str, str]:
    """The session cookie and CSRF token of `user` logged in from DEVICE."""
    client = app.test_client()
    client.post(
        "/login", data={"username": user.username, "password": "password123"}, headers=DEVICE
    )
    token = client.get("/api/v1/session", headers=DEVICE).json["csrf_token"]
    return {"session": client.get_cookie("session").value, "csrf": token}


def _run(server: str, credentials: dict[str, str] | None) -> tuple[list, Counter]:
    """Run every check over every phase; the failures and the statuses seen per operation."""
    settings: dict = {
        "headers": DEVICE,
        "generation": {"max-examples": EXAMPLES},
        "workers": 1,
    }
    if credentials:
        settings["auth"] = {
            "openapi": {name: {"api_key": value} for name, value in credentials.items()}
        }
    if "FUZZ_EXAMPLES" not in os.environ:
        settings["seed"] = 1
        settings["generation"]["deterministic"] = True
    config = SchemathesisConfig.from_dict(settings)
    config.projects.default.checks.update(included_check_names=["all"])
    # Over HTTP, as the CLI does (the engine's in-process WSGI transport trips on its own
    # network settings in 4.32).
    schema = schemathesis.openapi.from_url(f"{server}/api/v1/openapi.json", config=config)
    failures: list = []
    seen: Counter = Counter()
    phases: set[str] = set()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            phases.add(event.phase.value)
            for interaction in event.recorder.interactions.values():
                if interaction.response is not None:
                    request = interaction.request
                    seen[(request.method, request.uri, interaction.response.status_code)] += 1
        elif isinstance(event, events.EngineFinished):
            failures = event.failures
        elif isinstance(event, events.FatalError | events.NonFatalError):
            raise AssertionError(f"schemathesis could not run: {event}")
    assert {"examples", "coverage", "fuzzing", "stateful"} <= phases, phases
    return failures, seen


def _statuses(seen: Counter, method: str, path_part: str) -> set[int]:
    return {
        status for (m, uri, status) in seen if m == method and uri.split("?")[0].endswith(path_part)
    }


@pytest.fixture
def open_inspection(world, make):
    """An open inspection of the inspector's, so the package leads to photos that get stored."""
    version = make.checklist()
    return make.inspection(world.ours, world.inspector, version_ids=[version.id])


def test_logged_in_the_api_does_exactly_what_its_document_says(
    app, world, open_inspection, live_server
):
    credentials = _login(app, world.inspector)
    app.config["WTF_CSRF_ENABLED"] = True
    failures, seen = _run(live_server, credentials)
    assert not failures, "\n\n".join(str(failure) for failure in failures)
    # Requests got past the door to real work.
    assert 200 in _statuses(seen, "POST", "/api/v1/sync"), seen
    assert 200 in _statuses(seen, "GET", "/api/v1/field/package"), seen
    # Undeclared methods were tried and answered 405.
    assert any(m == "TRACE" and s == 405 for (m, _uri, s) in seen), seen


def test_a_photo_walks_its_routes_past_404_each_answer_as_documented(
    app, world, make, open_inspection, live_server
):
    credentials = _login(app, world.inspector)
    app.config["WTF_CSRF_ENABLED"] = True
    schema = photo_chain.load(live_server, DEVICE)
    photo_id, steps = photo_chain.walk(
        schema, live_server, credentials["session"], credentials["csrf"]
    )
    state, content = "GET /api/v1/photos/{photo_id}", "PUT /api/v1/photos/{photo_id}/content"
    assert steps == [
        ("GET /api/v1/field/package", 200),
        ("POST /api/v1/photos", 201),
        ("POST /api/v1/photos", 200),
        (state, 200),
        (content, 409),
        (content, 200),
        (content, 200),
        (state, 200),
    ]
    with make.session() as session:
        (kept,) = session.exec(select(Photo).where(Photo.inspection_id == open_inspection.id))
        assert (kept.uuid, kept.uploaded_by_id) == (photo_id, world.inspector.id)


def test_logged_out_every_operation_but_the_document_answers_401(
    app, world, open_inspection, live_server
):
    app.config["WTF_CSRF_ENABLED"] = True
    failures, seen = _run(live_server, None)
    assert not failures, "\n\n".join(str(failure) for failure in failures)
    for (method, uri, status), _count in seen.items():
        if uri.split("?")[0].endswith("/openapi.json") or status in (404, 405):
            continue  # the document is public; a garbled photo id or method is not routed
        if method == "OPTIONS":
            assert status == 200, uri  # Flask's answer: the methods (Allow), nothing else
            continue
        assert status == 401, (method, uri, status)
    assert _statuses(seen, "POST", "/api/v1/sync") == {401}, seen


def test_the_document_bounds_a_photos_time_as_the_server_does(app):
    document = app.test_client().get("/api/v1/openapi.json").json
    taken_at = document["components"]["schemas"]["UploadStart"]["properties"]["taken_at"]
    (text,) = [branch for branch in taken_at["anyOf"] if branch.get("type") == "string"]
    assert text["format"] == "date-time"
    tomorrow = (clock.now().astimezone(UTC) + timedelta(days=1)).date()
    pattern = re.compile(text["pattern"])
    for moment, allowed in (
        ("1999-12-31T23:59:59Z", False),
        ("2000-01-01T00:00:00Z", True),
        (f"{tomorrow.isoformat()}T23:59:59+08:00", True),
        (f"{(tomorrow + timedelta(days=1)).isoformat()}T00:00:00Z", False),
        ("6785-01-01T00:00:00Z", False),
    ):
        assert bool(pattern.match(moment)) is allowed, moment
        accepted = True
        try:
            schemas.UploadStart.model_validate(
                {
                    "id": "0b6c1f8e-6d3a-4c53-9f0e-2a4c6e8b1d57",
                    "inspection": 1,
                    "size": 1,
                    "sha256": "0" * 64,
                    "taken_at": moment,
                }
            )
        except ValueError:
            accepted = False
        assert accepted is allowed, moment
