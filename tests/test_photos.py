"""Photos: the bytes decide, size and pixel limits, EXIF orientation, storage by hash, access."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlmodel import func
from sqlmodel import select

from inspection.evidence.models import Photo
from inspection.hazards.models import Hazard


def _hazard_form(*files):
    return {
        "title": "配电箱未上锁",
        "level": "general",
        "category": "electrical",
        "photos": [(io.BytesIO(data), name) for data, name in files],
    }


def _get(client, url):
    """Fetch a photo and close the file behind the response."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _counts(make) -> tuple[int, int]:
    with make.session() as s:
        return (
            s.exec(select(func.count()).select_from(Hazard)).one(),
            s.exec(select(func.count()).select_from(Photo)).one(),
        )


@pytest.fixture
def inspection(world, make):
    return make.inspection(world.ours, world.inspector)


def _post(client, inspection, form):
    return client.post(
        f"/inspections/{inspection.id}/hazards/new", data=form, content_type="multipart/form-data"
    )


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted(world, login, inspection, photo_bytes, make, fmt):
    response = _post(
        login(world.inspector), inspection, _hazard_form((photo_bytes(fmt), f"photo.{fmt.lower()}"))
    )
    assert response.status_code == 302
    with make.session() as s:
        photo = s.exec(select(Photo)).one()
    assert photo.content_type == f"image/{fmt.lower()}"
    assert (photo.width, photo.height) == (640, 480)


def test_text_renamed_jpg_is_refused_and_nothing_changes(world, login, inspection, make):
    response = _post(
        login(world.inspector),
        inspection,
        _hazard_form((b"just some notes, not a picture\n" * 20, "notes.jpg")),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "notes.jpg 不是 JPEG、PNG 或 WebP 照片" in page
    assert 'value="配电箱未上锁"' in page  # the typed title is kept
    assert _counts(make) == (0, 0)


def test_one_bad_photo_stops_the_whole_upload(world, login, inspection, photo_bytes, make):
    response = _post(
        login(world.inspector),
        inspection,
        _hazard_form((photo_bytes(), "good.jpg"), (b"%PDF-1.4 fake", "bad.jpg")),
    )
    assert response.status_code == 422
    assert _counts(make) == (0, 0)


def test_a_photo_over_the_per_photo_limit_is_refused(
    world, login, inspection, app, photo_bytes, make
):
    app.config["PHOTO_MAX_BYTES"] = 10_000
    big = photo_bytes("PNG", size=(200, 150), noise=True)
    assert len(big) > 10_000
    response = _post(login(world.inspector), inspection, _hazard_form((big, "big.png")))
    assert response.status_code == 422
    assert "每张照片最大" in response.get_data(as_text=True)
    assert _counts(make) == (0, 0)


def test_an_oversized_request_is_refused_with_a_clear_message(world, login, inspection, app, make):
    app.config["MAX_CONTENT_LENGTH"] = 200_000
    response = _post(
        login(world.inspector), inspection, _hazard_form((b"\xff" * 300_000, "huge.jpg"))
    )
    assert response.status_code == 413
    assert "单次提交的内容最多" in response.get_data(as_text=True)
    assert _counts(make) == (0, 0)


def test_decompression_bombs_are_refused(world, login, inspection, make):
    # A tiny PNG that claims 30000 x 30000 pixels.
    bomb = io.BytesIO()
    Image.new("1", (30000, 30000)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < 200_000
    response = _post(login(world.inspector), inspection, _hazard_form((bomb.getvalue(), "b.png")))
    assert response.status_code == 422
    assert "百万像素" in response.get_data(as_text=True)
    assert _counts(make) == (0, 0)


def test_exif_orientation_is_applied_to_the_display_sizes(
    world, login, inspection, photo_bytes, files_dir, make, client
):
    # Orientation 6: the camera was turned; the picture must be shown rotated by 90°.
    data = photo_bytes("JPEG", size=(800, 400), exif_orientation=6)
    inspector = login(world.inspector)
    assert _post(inspector, inspection, _hazard_form((data, "turned.jpg"))).status_code == 302
    with make.session() as s:
        photo = s.exec(select(Photo)).one()
    display = _get(inspector, f"/photos/{photo.id}/display")
    with Image.open(io.BytesIO(display.data)) as image:
        assert image.size == (400, 800)
    original = _get(inspector, f"/photos/{photo.id}/original")
    assert original.data == data  # the original is kept exactly as received


def test_same_photo_is_stored_once_and_thumbnails_made_once(
    world, login, inspection, photo_bytes, files_dir, make
):
    data = photo_bytes()
    client = login(world.inspector)
    _post(client, inspection, _hazard_form((data, "a.jpg")))
    thumbs = list(files_dir.glob("derived/*/*-thumb"))
    assert len(thumbs) == 1
    mtime = thumbs[0].stat().st_mtime_ns
    _post(client, inspection, _hazard_form((data, "again.jpg")))
    assert len(list(files_dir.glob("originals/*/*"))) == 1
    assert thumbs[0].stat().st_mtime_ns == mtime
    assert _counts(make) == (2, 2)


def test_photos_are_served_only_to_those_who_may_see_the_hazard(world, login, inspection, make):
    hazard = make.hazard(inspection, world.inspector)
    with make.session() as s:
        photo = s.exec(select(Photo).where(Photo.hazard_id == hazard.id)).one()
    url = f"/photos/{photo.id}/thumb"
    assert _get(login(world.inspector), url).status_code == 200
    # Before the notice, not even the hazard's own enterprise sees it.
    assert _get(login(world.ours_user), url).status_code == 404
    assert _get(login(world.theirs_user), url).status_code == 404
    make.issue(inspection, world.inspector)
    assert _get(login(world.ours_user), url).status_code == 200
    assert _get(login(world.theirs_user), url).status_code == 404
    assert _get(make.app.test_client(), url).status_code == 302  # anonymous: to the login page


def test_unknown_photo_size_is_not_found(world, login, inspection, make):
    hazard = make.hazard(inspection, world.inspector)
    with make.session() as s:
        photo = s.exec(select(Photo).where(Photo.hazard_id == hazard.id)).one()
    assert login(world.inspector).get(f"/photos/{photo.id}/../../etc").status_code == 404
    assert login(world.inspector).get(f"/photos/{photo.id}/huge").status_code == 404
