"""A photo walked through the sync API as a tablet sends it, every answer held to the OpenAPI
document by every schemathesis check: the package names an inspection, a photo of it is
announced (201, then 200 when announced again), asked after, sent in two pieces (the second
first: 409 with where to resume), and asked after once kept.

Schemathesis's stateful phase follows the document's links only now and then (it also tries
the operations without them), so whether a fuzz run reaches a stored piece is chance; this walk
makes it certain every run. `tests/test_api_fuzz.py` runs it in-process; `tests/api_contract.sh`
runs it against a running app:

    python -m tests.photo_chain BASE_URL SESSION_COOKIE CSRF_TOKEN USER_AGENT
"""

from __future__ import annotations

import hashlib
import io
import sys
import uuid
from datetime import UTC
from datetime import datetime

import schemathesis
from PIL import Image
from schemathesis.config import SchemathesisConfig


def photo() -> bytes:
    """A small real JPEG, new each time (so its hash is new)."""
    image = Image.new("RGB", (64, 48), (200, 80, 40))
    image.putpixel((0, 0), tuple(uuid.uuid4().bytes[:3]))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def load(base_url: str, headers: dict[str, str]):
    """The API's document, with every check switched on for cases made from it."""
    config = SchemathesisConfig.from_dict({"headers": headers})
    config.projects.default.checks.update(included_check_names=["all"])
    return schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=config)


def walk(schema, base_url: str, session: str, csrf: str) -> tuple[str, list[tuple[str, int]]]:
    """Upload one photo as a tablet does: its id, and each step's operation and status in order.
    A check that fails raises schemathesis's FailureGroup, naming the check and the request."""
    credentials = {"cookies": {"session": session}, "headers": {"X-CSRFToken": csrf}}
    steps: list[tuple[str, int]] = []

    def call(path: str, method: str, expected: int, **parts):
        case = schema[path][method].Case(
            cookies=credentials["cookies"],
            headers={**credentials["headers"], **parts.pop("headers", {})},
            **parts,
        )
        response = case.call_and_validate(base_url=base_url)
        steps.append((case.operation.label, response.status_code))
        if response.status_code != expected:
            raise AssertionError(
                f"{method} {case.formatted_path} answered {response.status_code}, not {expected}:"
                f" {response.text[:500]}"
            )
        return response.json()

    package = call("/api/v1/field/package", "GET", 200)
    if not package["inspections"]:
        raise AssertionError("The user's package has no open inspection to photograph.")
    data = photo()
    photo_id = str(uuid.uuid4())
    announcement = {
        "id": photo_id,
        "inspection": package["inspections"][0]["id"],
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "filename": "site.jpg",
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    call("/api/v1/photos", "POST", 201, body=announcement)
    assert call("/api/v1/photos", "POST", 200, body=announcement)["received"] == 0
    state = "/api/v1/photos/{photo_id}"
    assert call(state, "GET", 200, path_parameters={"photo_id": photo_id})["received"] == 0

    half = len(data) // 2

    def piece(start: int, end: int, expected: int) -> dict:
        return call(
            f"{state}/content",
            "PUT",
            expected,
            path_parameters={"photo_id": photo_id},
            headers={"Content-Range": f"bytes {start}-{end}/{len(data)}"},
            body=data[start : end + 1],
            media_type="application/octet-stream",
        )

    assert piece(half, len(data) - 1, 409)["received"] == 0
    assert piece(0, half - 1, 200)["received"] == half
    kept = piece(half, len(data) - 1, 200)
    assert kept["complete"] is True and kept["thumb"], kept
    assert call(state, "GET", 200, path_parameters={"photo_id": photo_id})["complete"] is True
    return photo_id, steps


def main(argv: list[str]) -> int:
    base_url, session, csrf, agent = argv
    photo_id, steps = walk(load(base_url, {"User-Agent": agent}), base_url, session, csrf)
    for step, status in steps:
        print(f"  {status}  {step}")
    print(
        f"Photo {photo_id} went through the photo routes: {len(steps)} calls, every check passed."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
