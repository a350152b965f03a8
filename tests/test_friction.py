"""Issue 18: nothing offered that would be refused, nothing saved twice, nothing cut silently,
errors on their field, photos required where the checklist says so."""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.errors import DomainError
from inspection.hazards import lifecycle
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.hazards.models import HazardState
from inspection.hazards.models import Notice
from inspection.inspections.models import Answer
from inspection.notifications.models import Notification
from inspection.parks.models import Park


def _people(world) -> dict[str, User]:
    return {
        "admin": world.admin,
        "supervisor": world.supervisor,
        "finder": world.inspector,
        "other inspector": world.inspector2,
        "own enterprise": world.ours_user,
        "other enterprise": world.theirs_user,
    }


def test_allowed_events_and_the_transition_agree_for_every_role_state_and_setting(world, make):
    """What the page offers (allowed_events) is exactly what the transition accepts (check)."""
    inspection = make.inspection(world.ours, world.inspector)
    made = make.hazard(inspection, world.inspector)
    people = _people(world)
    cases = 0
    with make.app.test_request_context(), make.session() as s:
        hazard = s.get(Hazard, made.id)
        park = s.get(Park, hazard.park_id)
        users = {name: s.get(User, user.id) for name, user in people.items()}
        for must_differ, listed, level, state in itertools.product(
            (True, False), (False, True), ("general", "major"), list(HazardState)
        ):
            park.reviewer_must_differ = must_differ
            hazard.state = state
            hazard.level = level
            hazard.supervision_level = "park" if listed else None
            for name, user in users.items():
                allowed = lifecycle.allowed_events(hazard, user)
                for event in lifecycle.EVENTS:
                    try:
                        lifecycle.check(hazard, event, user)
                        accepted = True
                    except DomainError:
                        accepted = False
                    assert (event in allowed) == accepted, (
                        f"{event} by {name} on a {level} {state} hazard"
                        f" (listed={listed}, reviewer_must_differ={must_differ})"
                    )
                    cases += 1
        s.rollback()
    assert cases > 1000


def test_the_finder_is_told_who_reviews_and_they_are_notified(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    make.submit(hazard, world.ours_user)
    with make.session() as s:
        told = set(
            s.exec(
                select(Notification.recipient_id).where(
                    Notification.kind == "rectification_submitted"
                )
            )
        )
    assert world.inspector2.id in told
    assert world.inspector.id not in told

    page = login(world.inspector).get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "提交复查结论" not in page
    assert "由其他检查员复查" in page
    assert world.inspector2.display_name in page
    other = login(world.inspector2).get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "提交复查结论" in other


def test_when_the_park_allows_it_the_finder_reviews_and_is_notified(world, make, login):
    with make.session() as s:
        park = s.get(Park, world.ours.park_id)
        park.reviewer_must_differ = False
        s.commit()
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    make.submit(hazard, world.ours_user)
    page = login(world.inspector).get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "提交复查结论" in page
    assert "由其他检查员复查" not in page


def _hazard_form(client, inspection_id, **changes):
    page = client.get(f"/inspections/{inspection_id}/hazards/new").get_data(as_text=True)
    key = re.search(r'name="form_key" type="hidden" value="([^"]+)"', page) or re.search(
        r'id="form_key" name="form_key" type="hidden" value="([^"]+)"', page
    )
    assert key, "the hazard form carries a one-time key"
    data = {
        "title": "消防通道堵塞",
        "level": "general",
        "category": "fire",
        "deadline": (clock.today() + timedelta(days=10)).isoformat(),
        "form_key": key.group(1),
    }
    data.update(changes)
    return data


def test_saving_the_same_hazard_form_twice_keeps_one_hazard(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    client = login(world.inspector)
    data = _hazard_form(client, inspection.id)
    first = client.post(f"/inspections/{inspection.id}/hazards/new", data=data)
    assert first.status_code == 302
    again = client.post(
        f"/inspections/{inspection.id}/hazards/new", data=data, follow_redirects=True
    )
    text = again.get_data(as_text=True)
    assert "未重复保存" in text
    with make.session() as s:
        hazards = s.exec(select(Hazard).where(Hazard.inspection_id == inspection.id)).all()
    assert len(hazards) == 1
    assert hazards[0].number in text
    assert str(uuid.UUID(data["form_key"])) == hazards[0].uuid


def test_a_second_form_makes_a_second_hazard(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    client = login(world.inspector)
    for _ in range(2):
        data = _hazard_form(client, inspection.id)
        assert (
            client.post(f"/inspections/{inspection.id}/hazards/new", data=data).status_code == 302
        )
    with make.session() as s:
        assert len(s.exec(select(Hazard).where(Hazard.inspection_id == inspection.id)).all()) == 2


def test_long_text_is_refused_with_a_count_never_cut(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    client = login(world.inspector)
    long = "字" * 10_000
    data = _hazard_form(client, inspection.id, description=long)
    answer = client.post(f"/inspections/{inspection.id}/hazards/new", data=data)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "最多 5000 字，现在有 10000 字" in text
    assert long in text  # what was typed is shown again, whole
    with make.session() as s:
        assert s.exec(select(Hazard).where(Hazard.inspection_id == inspection.id)).first() is None
    form = client.get(f"/inspections/{inspection.id}/hazards/new").get_data(as_text=True)
    assert 'data-maxlength="5000"' in form
    assert "maxlength=" not in form.replace("data-maxlength=", "")


def test_a_past_deadline_is_refused_under_the_deadline(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    client = login(world.inspector)
    past = (clock.today() - timedelta(days=1)).isoformat()
    form = client.get(f"/inspections/{inspection.id}/hazards/new").get_data(as_text=True)
    assert f'min="{clock.today().isoformat()}"' in form
    data = _hazard_form(client, inspection.id, deadline=past)
    text = client.post(f"/inspections/{inspection.id}/hazards/new", data=data).get_data(
        as_text=True
    )
    error = re.search(r'<ul class="errors" id="([^"]+)-error">', text)
    assert error and error.group(1) == "deadline"
    assert "整改期限不能早于今天" in text or "期限不能" in text


def test_completion_needs_the_photo_of_a_failed_item(world, make):
    from inspection.inspections import answers
    from inspection.inspections import services as inspection_services

    version = make.checklist()
    inspection = make.inspection(world.ours, world.inspector)
    make.use_checklist(inspection, version, world.inspector)
    with make.app.test_request_context(), make.session() as s:
        from inspection.checklists.models import ChecklistItem
        from inspection.inspections.models import Inspection

        row = s.get(Inspection, inspection.id)
        actor = s.get(User, world.inspector.id)
        item = s.exec(
            select(ChecklistItem).where(
                ChecklistItem.version_id == version.id, ChecklistItem.code == "i2"
            )
        ).one()
        answers.record_answer(s, inspection=row, item=item, actor=actor, result="fail")
        s.commit()
        assert inspection_services.missing_photos(s, row) == ["i2"]
        with pytest.raises(DomainError) as refused:
            inspection_services.complete_inspection(s, inspection=row, actor=actor, summary=None)
        assert "i2" in refused.value.message
        s.rollback()


def test_the_rejected_report_reopens_filled_in(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    make.submit(hazard, world.ours_user)
    reviewer = login(world.inspector2)
    page = reviewer.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    version = re.search(
        r'id="review-version" name="review-version" type="hidden" value="(\d+)"', page
    )
    answer = reviewer.post(
        f"/hazards/{hazard.id}/review",
        data={
            "review-decision": "reject",
            "review-mode": "on_site",
            "review-comment": "仍有杂物",
            "review-version": version.group(1),
        },
    )
    assert answer.status_code == 302
    with make.session() as s:
        assert s.get(Hazard, hazard.id).state == HazardState.RECTIFYING
    page = login(world.ours_user).get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*id="submit-measures"[^>]*>\s*已整改</textarea>', page)


def test_an_answer_photo_satisfies_the_rule(world, make):
    from inspection.checklists.models import ChecklistItem
    from inspection.evidence.services import keep_photos
    from inspection.inspections import answers
    from inspection.inspections import services as inspection_services
    from inspection.inspections.models import Inspection
    from tests.factories import checked

    version = make.checklist()
    inspection = make.inspection(world.ours, world.inspector)
    make.use_checklist(inspection, version, world.inspector)
    with make.app.test_request_context(), make.session() as s:
        row = s.get(Inspection, inspection.id)
        actor = s.get(User, world.inspector.id)
        item = s.exec(
            select(ChecklistItem).where(
                ChecklistItem.version_id == version.id, ChecklistItem.code == "i2"
            )
        ).one()
        answers.record_answer(s, inspection=row, item=item, actor=actor, result="fail")
        answer = s.exec(select(Answer).where(Answer.inspection_id == row.id)).one()
        keep_photos(
            s,
            [checked()],
            kind="inspection",
            enterprise_id=row.enterprise_id,
            actor=actor,
            inspection_id=row.id,
            answer_id=answer.id,
        )
        assert inspection_services.missing_photos(s, row) == []
        s.rollback()


@pytest.mark.parametrize("role", [Role.INSPECTOR])
def test_a_photo_taken_back_before_saving_is_gone(world, make, login, role):
    from tests.factories import image_bytes

    inspection = make.inspection(world.ours, world.inspector)
    client = login(world.inspector)
    import io

    sent = client.post(
        f"/inspections/{inspection.id}/photos",
        data={"photo": (io.BytesIO(image_bytes()), "a.jpg")},
        headers={"Accept": "application/json"},
    )
    photo_id = sent.get_json()["id"]
    other = login(world.inspector2).post(
        f"/inspections/{inspection.id}/photos/{photo_id}/remove",
        headers={"Accept": "application/json"},
    )
    assert other.status_code in (400, 403, 404)
    removed = client.post(
        f"/inspections/{inspection.id}/photos/{photo_id}/remove",
        headers={"Accept": "application/json"},
    )
    assert removed.get_json() == {"removed": photo_id}
    from inspection.evidence.models import Photo

    assert make.get(Photo, photo_id) is None


RAW_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def test_a_listed_hazard_says_it_awaits_delisting_and_shows_dates_not_timestamps(
    world, make, login
):
    from inspection.hazards import listing
    from inspection.hazards import services as hazard_services

    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector, level="major", basis="测试依据 第一条")

    def as_of(work):
        with make.app.test_request_context(), make.session() as s:
            work(s, s.get(Hazard, hazard.id))
            s.commit()

    as_of(
        lambda s, h: listing.list_hazard(
            s,
            hazard=h,
            actor=s.get(User, world.supervisor.id),
            level="county",
            body="县安委会",
            listed_on=None,
            stop_production=False,
            comment=None,
            expected_version=h.version,
        )
    )
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    make.plan(hazard, world.ours_user)
    make.submit(hazard, world.ours_user)
    reviewer = login(world.inspector2)
    page = reviewer.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "通过（待监管领导摘牌后销号）" in page
    assert "通过并销号" not in page
    as_of(
        lambda s, h: hazard_services.accept_rectification(
            s,
            hazard=h,
            actor=s.get(User, world.inspector2.id),
            comment=None,
            photos=[],
            expected_version=h.version,
        )
    )
    page = reviewer.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "复查通过，待摘牌" in page
    assert "复查通过并销号" not in page
    as_of(
        lambda s, h: listing.delist_hazard(
            s,
            hazard=h,
            actor=s.get(User, world.supervisor.id),
            comment=None,
            expected_version=h.version,
        )
    )
    for user in (world.supervisor, world.inspector2, world.ours_user):
        page = login(user).get(f"/hazards/{hazard.id}").get_data(as_text=True)
        assert not RAW_TIME.search(page), RAW_TIME.search(page)[0]
        assert "摘牌" in page or "removed" in page


def test_pressing_issue_again_shows_the_notice_already_issued(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    make.hazard(inspection, world.inspector)
    client = login(world.inspector)
    first = client.post(f"/inspections/{inspection.id}/issue")
    assert first.status_code == 302 and "/notices/" in first.location
    again = client.post(f"/inspections/{inspection.id}/issue", follow_redirects=True)
    text = again.get_data(as_text=True)
    assert "未重复下达" in text
    with make.session() as s:
        assert len(s.exec(select(Notice).where(Notice.inspection_id == inspection.id)).all()) == 1


def test_a_report_sent_again_says_it_was_already_saved(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    client = login(world.ours_user)
    page = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    version = re.search(r'name="submit-version" type="hidden" value="(\d+)"', page).group(1)
    import io

    from tests.factories import image_bytes

    def send():
        return client.post(
            f"/hazards/{hazard.id}/submit",
            data={
                "submit-measures": "已清理",
                "submit-version": version,
                "submit-photos": (io.BytesIO(image_bytes()), "after.jpg"),
            },
            follow_redirects=True,
        )

    assert "整改情况已提交" in send().get_data(as_text=True)
    again = send().get_data(as_text=True)
    assert "未重复保存" in again
    with make.session() as s:
        events = s.exec(
            select(HazardEvent).where(
                HazardEvent.hazard_id == hazard.id, HazardEvent.event == "submit"
            )
        ).all()
    assert len(events) == 1


def test_hazard_page_photos_upload_as_chosen_and_can_be_taken_back(world, make, login):
    """The report's photos go up as they are chosen: invisible until the report is saved, taken
    back by their uploader only, kept when the report is refused, claimed when it is saved."""
    import io

    from inspection.evidence.models import Photo
    from tests.factories import image_bytes

    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    url = f"/hazards/{hazard.id}/photos"
    json = {"Accept": "application/json"}

    def upload(client):
        return client.post(url, data={"photo": (io.BytesIO(image_bytes()), "a.jpg")}, headers=json)

    client = login(world.ours_user)
    # Before the notice the enterprise does not see the hazard; after it, the finder (who may
    # not re-inspect his own finding) has no step that takes a photo.
    assert upload(client).status_code == 404
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    wrong, kept = upload(client).get_json()["id"], upload(client).get_json()["id"]
    assert make.get(Photo, kept).kind == "pending"
    page = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert f"/photos/{kept}/thumb" not in page  # nothing shown before the report is saved
    assert f'data-upload-url="{url}"' in page
    # Only the uploader takes a photo back.
    assert login(world.inspector).post(f"{url}/{wrong}/remove", headers=json).status_code == 400
    assert client.post(f"{url}/{wrong}/remove", headers=json).get_json() == {"removed": wrong}
    assert make.get(Photo, wrong) is None
    version = re.search(r'name="submit-version" type="hidden" value="(\d+)"', page).group(1)
    refused = client.post(
        f"/hazards/{hazard.id}/submit",
        data={"submit-measures": "", "submit-version": version, "submit-photo_ids": [kept]},
    )
    assert refused.status_code == 422
    again = refused.get_data(as_text=True)
    # The refused report comes back with its photo, still removable, and the error under
    # its field.
    assert re.search(rf'data-photo-id="{kept}"', again)
    assert re.search(rf'name="submit-photo_ids" value="{kept}"', again)
    assert re.search(r'<ul class="errors" id="submit-measures-error">', again)
    saved = client.post(
        f"/hazards/{hazard.id}/submit",
        data={"submit-measures": "已清理", "submit-version": version, "submit-photo_ids": [kept]},
    )
    assert saved.status_code == 302
    assert upload(login(world.inspector)).status_code == 403
    photo = make.get(Photo, kept)
    assert (photo.kind, photo.hazard_id) == ("after", hazard.id)
    assert photo.event_id is not None
    assert f"/photos/{kept}/thumb" in client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    # A saved photo is not taken back.
    assert client.post(f"{url}/{kept}/remove", headers=json).status_code == 400


def test_hazard_page_photos_nobody_saved_are_forgotten_after_two_weeks(app, world, make, login):
    """The nightly job forgets photos uploaded for a step that was never saved, two weeks on;
    a newer one, and a photo its step claimed, are kept."""
    import io
    from datetime import timedelta

    from inspection.db import get_session
    from inspection.evidence.models import Photo
    from scheduler import jobs
    from tests.factories import image_bytes

    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    client = login(world.ours_user)

    def upload():
        return client.post(
            f"/hazards/{hazard.id}/photos",
            data={"photo": (io.BytesIO(image_bytes()), "a.jpg")},
            headers={"Accept": "application/json"},
        ).get_json()["id"]

    old, recent, claimed = upload(), upload(), upload()
    version = make.get(type(hazard), hazard.id).version
    saved = client.post(
        f"/hazards/{hazard.id}/submit",
        data={
            "submit-measures": "已清理",
            "submit-version": version,
            "submit-photo_ids": [claimed],
        },
    )
    assert saved.status_code == 302
    with make.session() as s:
        for photo_id, days in ((old, 15), (recent, 13), (claimed, 30)):
            photo = s.get(Photo, photo_id)
            photo.uploaded_at = photo.uploaded_at - timedelta(days=days)
        s.commit()
    with app.app_context():
        assert (
            jobs.forget_abandoned_uploads() == "0 unfinished uploads, 1 unsaved hazard-page photos"
        )
        get_session().commit()
    assert make.get(Photo, old) is None
    assert make.get(Photo, recent).kind == "pending"
    assert make.get(Photo, claimed).kind == "after"


def test_a_refusal_of_the_service_lands_under_its_field(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    client = login(world.ours_user)
    page = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    version = re.search(r'name="submit-version" type="hidden" value="(\d+)"', page).group(1)
    answer = client.post(
        f"/hazards/{hazard.id}/submit",
        data={"submit-measures": "已清理", "submit-version": version},
    )
    assert answer.status_code == 400
    body = answer.get_data(as_text=True)
    error = re.search(r'<ul class="errors" id="submit-photos-error"><li>([^<]+)</li>', body)
    assert error and "照片" in error.group(1)
    assert 'aria-describedby="submit-photos-hint submit-photos-error"' in body
    assert 'class="flash flash--error" role="alert"' not in body  # not at the top


def test_a_deadline_refused_on_the_hazard_page_is_under_the_new_deadline(world, make, login):
    inspection = make.inspection(world.ours, world.inspector)
    hazard = make.hazard(inspection, world.inspector)
    make.acknowledge(make.issue(inspection, world.inspector), world.ours_user)
    client = login(world.ours_user)
    page = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    version = re.search(r'name="extension-version" type="hidden" value="(\d+)"', page).group(1)
    # The date picker refuses what the server would: no later than the park's cap.
    with make.app.test_request_context(), make.session() as s:
        from inspection.hazards.extensions import latest_deadline

        row = s.get(Hazard, hazard.id)
        cap = latest_deadline(s.get(Park, row.park_id), row)
    picker = re.search(r'<input[^>]*id="extension-requested_deadline"[^>]*>', page).group(0)
    assert f'max="{cap.isoformat()}"' in picker
    answer = client.post(
        f"/hazards/{hazard.id}/extension",
        data={
            "extension-requested_deadline": make.get(Hazard, hazard.id).deadline.isoformat(),
            "extension-reason": "设备到货延迟",
            "extension-version": version,
        },
    )
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400
    error = re.search(
        r'<ul class="errors" id="extension-requested_deadline-error"><li>([^<]+)</li>', body
    )
    assert error and "晚于" in error.group(1)
    assert re.search(r'id="extension-requested_deadline"[^>]*aria-invalid="true"', body) or (
        re.search(r'aria-invalid="true"[^>]*id="extension-requested_deadline"', body)
    )
    # The top only links to the field; the message itself stands under it, once.
    summary = re.search(r'<div class="flash flash--error error-summary".*?</div>', body, re.S)
    assert summary and 'href="#extension-requested_deadline"' in summary.group(0)
    assert body.count(error.group(1)) == 1
    assert "设备到货延迟" in body  # what was typed is kept


def test_each_missing_element_of_a_major_plan_stands_under_its_own_field(world, make, login):
    from tests.factories import prefixed
    from tests.test_workflow import _major
    from tests.test_workflow import _plan_form

    hazard = _major(world, make)
    answer = login(world.ours_user).post(
        f"/hazards/{hazard.id}/plan",
        data=prefixed("plan", _plan_form(hazard, goals=None, contingency_plan=None)),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    for field, element in (("goals", "目标和任务"), ("contingency_plan", "安全措施和应急预案")):
        error = re.search(rf'<ul class="errors" id="plan-{field}-error"><li>([^<]+)</li>', page)
        assert error and element in error.group(1), field
        assert f'href="#plan-{field}"' in page  # linked from the summary at the top
    assert 'id="plan-measures-error"' not in page
