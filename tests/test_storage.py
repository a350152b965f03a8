"""Storage: one interface on a local folder or an S3-compatible bucket (a real server: moto in
server mode); photos, documents, signatures, reports and photo pieces all go through it;
`flask storage migrate` moves a folder's files to the bucket checking each hash, and
`flask storage verify` names a missing or corrupted file."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from sqlmodel import select

from inspection.db import get_session
from inspection.evidence.models import Photo
from inspection.reports import jobs
from inspection.storage import NotStored
from inspection.storage import backend_for
from inspection.storage import content
from inspection.storage import storage
from tests import s3server
from tests.factories import image_bytes
from tests.test_statistics import data  # noqa: F401  (the fixed data set)


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3server.s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(app, s3_endpoint) -> dict:
    """The app stores its files in a new, empty bucket for this test."""
    settings = s3server.new_bucket(s3_endpoint)
    app.config.update(settings)
    return settings


@pytest.fixture(params=["local", "s3"])
def backend(request, app):
    if request.param == "s3":
        request.getfixturevalue("bucket")
    with app.app_context():
        yield storage()


def test_both_backends_keep_read_list_and_delete_objects_alike(backend):
    assert backend.name in ("local", "s3")
    with pytest.raises(NotStored):
        backend.get("reports/none.pdf")
    assert not backend.exists("reports/none.pdf")
    backend.put("reports/a.pdf", b"%PDF-1 first")
    backend.put("reports/a.pdf", b"%PDF-1 second")  # a whole object replaced, never half
    backend.put("partial/x/000000000000", b"abc")
    assert backend.get("reports/a.pdf") == b"%PDF-1 second"
    assert b"".join(backend.stream("reports/a.pdf", chunk=4)) == b"%PDF-1 second"
    assert backend.size("reports/a.pdf") == 13 and backend.exists("reports/a.pdf")
    assert [(s.key, s.size) for s in backend.list("reports/")] == [("reports/a.pdf", 13)]
    assert [s.key for s in backend.list()] == ["partial/x/000000000000", "reports/a.pdf"]
    backend.delete("reports/a.pdf")
    backend.delete("reports/a.pdf")  # already gone: not an error
    assert not backend.exists("reports/a.pdf")
    for bad in ("../secret_key", "/etc/passwd", "reports/../../x", ""):
        with pytest.raises(ValueError):
            backend.put(bad, b"x")
    backend.check()


def test_content_is_stored_once_by_hash(backend, app):
    with app.app_context():
        store = content()
        sha = store.put(b"photo bytes")
        assert sha == hashlib.sha256(b"photo bytes").hexdigest()
        assert store.put(b"photo bytes") == sha
        assert store.read(sha) == b"photo bytes"
        store.put_variant(sha, "thumb", b"small")
        assert store.exists(sha, "thumb") and store.read(sha, "thumb") == b"small"
        assert [s.key for s in backend.list("originals/")] == [f"originals/{sha[:2]}/{sha}"]


def test_photos_and_documents_live_in_the_bucket_and_are_served_after_the_scope_check(
    app, bucket, world, make, login, files_dir
):
    inspection = make.inspection(world.ours, world.inspector)
    picture = image_bytes(size=(640, 480), noise=True)
    client = login(world.inspector)
    response = client.post(
        f"/inspections/{inspection.id}/hazards/new",
        data={
            "title": "配电箱未上锁",
            "level": "general",
            "category": "electrical",
            "photos": [(io.BytesIO(picture), "site.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with make.session() as s:
        photo = s.exec(select(Photo)).one()
    sha = hashlib.sha256(picture).hexdigest()
    assert s3server.keys(bucket) == [
        f"derived/{sha[:2]}/{sha}-display",
        f"derived/{sha[:2]}/{sha}-thumb",
        f"originals/{sha[:2]}/{sha}",
    ]
    with client.get(f"/photos/{photo.id}/original") as served:
        assert served.status_code == 200 and served.data == picture
        assert "private" in served.headers["Cache-Control"]
        etag = served.headers["ETag"]
    assert (
        client.get(f"/photos/{photo.id}/original", headers={"If-None-Match": etag}).status_code
        == 304
    )
    # Another park's or enterprise's user gets the same 404 as for a photo that is not there.
    assert login(world.theirs_user).get(f"/photos/{photo.id}/original").status_code == 404
    # Presigned URLs, when the deployment asks for them: still after our own check.
    app.config["STORAGE_PRESIGNED_DOWNLOADS"] = True
    redirected = client.get(f"/photos/{photo.id}/original")
    assert redirected.status_code == 302
    location = redirected.headers["Location"]
    assert location.startswith(bucket["S3_ENDPOINT_URL"]) and "X-Amz-Signature" in location
    assert "X-Amz-Expires=300" in location
    import httpx

    assert httpx.get(location).content == picture
    assert login(world.theirs_user).get(f"/photos/{photo.id}/original").status_code == 404
    assert not files_dir.exists() or not any(files_dir.rglob("*"))


@pytest.mark.usefixtures("data")
def test_a_report_pdf_is_kept_in_the_bucket_and_downloaded_from_it(app, bucket, world, login):
    ours = login(world.ours_user)
    response = ours.post(f"/reports/ledger/{world.ours.id}")
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        assert jobs.run_queued(get_session()) == 1
    (key,) = s3server.keys(bucket, "reports/")
    with ours.get(f"/reports/{job_id}/download") as downloaded:
        assert downloaded.status_code == 200 and downloaded.data.startswith(b"%PDF")
        assert downloaded.headers["Content-Type"] == "application/pdf"
    assert login(world.theirs_user).get(f"/reports/{job_id}/download").status_code == 404
    s3server.client(bucket).delete_object(Bucket=bucket["S3_BUCKET"], Key=key)
    assert ours.get(f"/reports/{job_id}/download").status_code == 404


def test_a_photo_sent_in_pieces_waits_in_the_bucket_and_leaves_no_piece(
    app, bucket, world, make, login
):
    version = make.checklist()
    inspection = make.inspection(world.ours, world.inspector, version_ids=[version.id])
    client = login(world.inspector)
    picture = image_bytes(size=(300, 200), noise=True)
    photo_id = str(uuid.uuid4())
    sha = hashlib.sha256(picture).hexdigest()
    announced = client.post(
        "/api/v1/photos",
        json={"id": photo_id, "inspection": inspection.id, "size": len(picture), "sha256": sha},
    )
    assert announced.status_code == 201

    def piece(start: int, end: int):
        return client.put(
            f"/api/v1/photos/{photo_id}/content",
            data=picture[start : end + 1],
            headers={"Content-Range": f"bytes {start}-{end}/{len(picture)}"},
        )

    assert piece(0, 4095).json["received"] == 4096
    assert s3server.keys(bucket, "partial/") == [f"partial/{photo_id}/000000000000"]
    assert piece(4096, len(picture) - 1).json["complete"] is True
    assert s3server.keys(bucket, "partial/") == []
    assert f"originals/{sha[:2]}/{sha}" in s3server.keys(bucket)


def test_migrate_moves_a_folders_files_to_the_bucket_and_verify_names_a_corrupted_one(
    app, world, make, s3_endpoint, files_dir
):
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector, photos=1)
    with app.app_context():
        on_disk = {s.key: s.size for s in storage().list()}
    assert len(on_disk) == 3  # the photo's original, display and thumb
    settings = s3server.new_bucket(s3_endpoint)
    app.config.update(settings)
    runner = app.test_cli_runner()

    moved = runner.invoke(args=["storage", "migrate", "--delete"])
    assert moved.exit_code == 0, moved.output
    lines = moved.output.strip().splitlines()
    assert lines[-1].startswith("3 copied, 0 already there, 0 damaged in transit")
    for key in on_disk:
        (line,) = [line for line in lines if f"  {key}  " in line]
        digest = line.split()[0]
        assert len(digest) == 64
        body = s3server.client(settings).get_object(Bucket=settings["S3_BUCKET"], Key=key)
        assert hashlib.sha256(body["Body"].read()).hexdigest() == digest
    assert s3server.keys(settings) == sorted(on_disk)
    assert not any(path.is_file() for path in files_dir.rglob("*"))  # moved, not copied

    verified = runner.invoke(args=["storage", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "All files are sound: 1 originals read" in verified.output

    original = next(key for key in on_disk if key.startswith("originals/"))
    thumb = next(key for key in on_disk if key.endswith("-thumb"))
    bucket_client = s3server.client(settings)
    bucket_client.put_object(Bucket=settings["S3_BUCKET"], Key=original, Body=b"flipped bits")
    bucket_client.delete_object(Bucket=settings["S3_BUCKET"], Key=thumb)
    broken = runner.invoke(args=["storage", "verify"])
    assert broken.exit_code == 1
    flipped = hashlib.sha256(b"flipped bits").hexdigest()
    assert f"{original}: corrupted: its content hashes to {flipped}" in broken.output
    assert f"{thumb}: missing (photo " in broken.output
    assert "2 problem(s) among 1 originals read." in broken.output


def test_migrate_refuses_to_move_files_onto_themselves(app):
    result = app.test_cli_runner().invoke(args=["storage", "migrate"])
    assert result.exit_code != 0
    assert "INSPECTION_STORAGE=s3" in result.output


def test_storage_settings_name_what_is_missing():
    from inspection.config import production_problems

    assert production_problems({"STORAGE": "s3"}) == [
        "INSPECTION_STORAGE=s3 needs INSPECTION_S3_BUCKET (and INSPECTION_S3_ENDPOINT_URL,"
        " INSPECTION_S3_ACCESS_KEY_ID, INSPECTION_S3_SECRET_ACCESS_KEY, INSPECTION_S3_REGION"
        " for a server other than AWS)."
    ]
    with pytest.raises(ValueError, match="must be one of local, s3"):
        backend_for({"STORAGE": "ftp"})
