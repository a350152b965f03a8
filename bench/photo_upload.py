"""Photo upload benchmark: what a 12-megapixel phone photo costs the server, and what the
in-browser downscale saves.

Prints, in one run:
- the server time and peak memory of processing a 12-MP JPEG sent as is through the real
  upload endpoint, beside the same photo downscaled to 2048 px (what the page sends) as the
  baseline, as figures and as ratios;
- the bytes the page's downscale (photos.js, in headless Chromium) saves on the same photo.

Run with `make bench` or `.venv/bin/python bench/photo_upload.py`.
"""

from __future__ import annotations

import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402


def phone_photo(size=(4000, 3000)) -> bytes:
    """A 12-MP JPEG with the texture of a real photo (noise over gradients), ~5 MB."""
    width, height = size
    noise = Image.effect_noise(size, 48).convert("L")
    red = Image.linear_gradient("L").resize(size)
    green = Image.radial_gradient("L").resize(size)
    image = Image.merge(
        "RGB", (Image.blend(red, noise, 0.5), Image.blend(green, noise, 0.5), noise)
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def downscaled(data: bytes, long_side: int = 2048) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((long_side, long_side))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        return out.getvalue()


def make_app(workdir: str):
    from sqlmodel import SQLModel

    import inspection.models  # noqa: F401
    from inspection import create_app
    from inspection.db import get_session
    from tests.factories import Factory

    os.environ["INSPECTION_INSTANCE_PATH"] = workdir
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite",
            "SECRET_KEY": "bench",
            "FILES_DIR": f"{workdir}/files",
            "WTF_CSRF_ENABLED": False,
        }
    )
    SQLModel.metadata.create_all(app.extensions["engine"])
    make = Factory(app)
    inspector = make.user("inspector", "bench-inspector")
    enterprise = make.enterprise("基准测试企业有限公司")
    inspection = make.inspection(enterprise, inspector)
    assert get_session  # imported for side effects of the app package
    return app, inspection.id


def measure_server(photo_path: str) -> None:
    """Child process: upload one photo through the endpoint; print time and peak RSS."""
    workdir = tempfile.mkdtemp(prefix="bench-photo-")
    app, inspection_id = make_app(workdir)
    client = app.test_client()
    client.post("/login", data={"username": "bench-inspector", "password": "password123"})
    data = Path(photo_path).read_bytes()
    # Warm up the code path with a tiny photo so imports and caches do not count.
    client.post(
        f"/inspections/{inspection_id}/photos",
        data={"photo": (io.BytesIO(downscaled(data, 200)), "warm.jpg")},
        content_type="multipart/form-data",
    )
    started = time.perf_counter()
    response = client.post(
        f"/inspections/{inspection_id}/photos",
        data={"photo": (io.BytesIO(data), "photo.jpg")},
        content_type="multipart/form-data",
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    print(json.dumps({"seconds": elapsed, "peak_kib": after}))


def server_run(path: Path) -> dict:
    runs = []
    for _ in range(3):
        output = subprocess.run(
            [sys.executable, __file__, "--child", str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_mib": statistics.median(r["peak_kib"] for r in runs) / 1024,
    }


def browser_downscale(data: bytes) -> int | None:
    """Bytes the page actually uploads for this photo, measured in headless Chromium."""
    chromium = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        return None
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    workdir = tempfile.mkdtemp(prefix="bench-browser-")
    app, inspection_id = make_app(workdir)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            page = browser.new_page(viewport={"width": 1024, "height": 768})
            page.goto(f"{base}/login")
            page.fill("#username", "bench-inspector")
            page.fill("#password", "password123")
            page.click(".login button[type=submit]")
            page.wait_for_load_state()
            page.goto(f"{base}/inspections/{inspection_id}/hazards/new")
            page.locator("input[name=photos]").set_input_files(
                [{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": data}]
            )
            page.locator(".upload--done").first.wait_for(timeout=60_000)
            browser.close()
    finally:
        server.shutdown()
    # The server keeps exactly the bytes it received.
    with app.app_context():
        from sqlmodel import select

        from inspection.db import get_session
        from inspection.evidence.models import Photo

        photo = get_session().exec(select(Photo)).first()
        return photo.size_bytes if photo else None


def main() -> None:
    original = phone_photo()
    shrunk = downscaled(original)
    with tempfile.TemporaryDirectory() as folder:
        big, small = Path(folder) / "12mp.jpg", Path(folder) / "2048.jpg"
        big.write_bytes(original)
        small.write_bytes(shrunk)
        full = server_run(big)
        base = server_run(small)
    sent = browser_downscale(original)
    print("Photo upload benchmark (median of 3 fresh processes each)")
    print(
        f"  12-MP original   {len(original) / 1e6:6.2f} MB  server {full['seconds'] * 1000:7.1f}"
        f" ms  peak RSS {full['peak_mib']:6.1f} MiB"
    )
    print(
        f"  2048 px baseline {len(shrunk) / 1e6:6.2f} MB  server {base['seconds'] * 1000:7.1f}"
        f" ms  peak RSS {base['peak_mib']:6.1f} MiB"
    )
    print(
        f"  ratio 12 MP / baseline: time x{full['seconds'] / base['seconds']:.1f},"
        f" peak memory x{full['peak_mib'] / base['peak_mib']:.2f}"
    )
    if sent is None:
        print("  browser downscale: skipped (no Chromium; `make test` installs it)")
    else:
        print(
            f"  browser downscale: uploads {sent / 1e6:.2f} MB instead of"
            f" {len(original) / 1e6:.2f} MB — {100 * (1 - sent / len(original)):.0f}% fewer"
            f" bytes over the air (x{len(original) / sent:.1f})"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        measure_server(sys.argv[2])
    else:
        main()
