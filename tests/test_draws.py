"""双随机、一公开: the draw protocol, its refusals, adjustments, results and the public page."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from inspection import clock
from inspection.auth.models import User
from inspection.db import get_session
from inspection.draws import drawing
from inspection.draws import pool
from inspection.draws import results
from inspection.draws import services
from inspection.draws import tasks
from inspection.draws.models import AdjustmentKind
from inspection.draws.models import DrawResult
from inspection.draws.models import DrawTask
from inspection.draws.models import Officer
from inspection.draws.models import ResultState
from inspection.draws.models import Witness
from inspection.draws.verify_draw import Stream
from inspection.draws.verify_draw import canonical
from inspection.draws.verify_draw import derive_seed
from inspection.draws.verify_draw import draw
from inspection.draws.verify_draw import entry_digest
from inspection.draws.verify_draw import nonce_digest
from inspection.draws.verify_draw import pool_hash
from inspection.draws.verify_draw import take
from inspection.draws.verify_draw import verify
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.notifications.models import Notification
from inspection.parks.models import Park

VERIFIER = "tools/verify_draw.py"

# ---------------------------------------------------------------- known answers (the docs' vectors)

KNOWN_POOL = {
    "algorithm": "sjsy-draw/1",
    "task": {"id": 1, "name": "测试抽查", "park": "测试园区", "year": 2026},
    "inspectors_per_enterprise": 2,
    "with_expert": True,
    "strata": [
        {
            "key": "A",
            "quota": {"ratio": "50"},
            "entries": [entry_digest(f"91330100MA0000000{i}", f"o{i}") for i in range(4)],
        },
        {
            "key": "C",
            "quota": {"count": 1},
            "entries": [entry_digest(f"91330100MA0000001{i}", f"o{i}") for i in range(3)],
        },
    ],
    "officers": [{"certificate": f"C{i}", "name": f"officer {i}"} for i in range(5)],
    "experts": [{"certificate": f"X{i}", "name": f"expert {i}"} for i in range(2)],
    "exclusions": [
        {"entry": entry_digest("91330100MA00000002", "o2"), "certificate": "C0", "reason": "x"}
    ],
    "public_value": {"source": "上证指数收盘点位", "date": "2026-12-10"},
    "witnesses": [{"name": "王", "role": "纪检", "nonce_sha256": nonce_digest("river-7731")}],
}
KNOWN_INPUTS = ("3342.15", ["river-7731"])


def test_known_answers_fix_the_algorithm():
    """A given pool document and seed inputs give exactly these enterprises and officers."""
    digest = pool_hash(KNOWN_POOL)
    seed = derive_seed(digest, KNOWN_INPUTS[0], KNOWN_INPUTS[1])
    result = draw(KNOWN_POOL, seed)
    picked = {
        s["key"]: [
            (KNOWN_POOL["strata"][i]["entries"].index(d["entry"]), d["team"], d["expert"])
            for d in s["drawn"]
        ]
        for i, s in enumerate(result["strata"])
    }
    assert (digest, seed, picked) == KNOWN_ANSWER


KNOWN_ANSWER = (
    "a9e336ea21258c9b1c7b37f49b2867f3f97978e115d33fda802bd2cb0e4ca2c2",
    "4a3fa382f9ff8894c5d8b1f420c60acea5cd5cc34c96fa696279186101229589",
    {
        # (place in the stratum's canonical order, officers with the leader first, expert)
        "A": [(2, ["C3", "C1"], "X1"), (0, ["C1", "C2"], "X1")],
        "C": [(2, ["C4", "C0"], "X1")],
    },
)


def test_the_stream_and_the_shuffle_have_fixed_vectors():
    stream = Stream("00" * 32, "test")
    assert [stream.below(10) for _ in range(8)] == STREAM_VECTOR
    assert take("00" * 32, "enterprises/all", 10, 3) == TAKE_VECTOR


STREAM_VECTOR = [7, 0, 4, 2, 6, 4, 7, 4]
TAKE_VECTOR = [6, 3, 9]


def test_the_documented_digests_have_fixed_vectors():
    assert canonical({"b": 1, "a": "中"}) == '{"a":"中","b":1}'.encode()
    assert entry_digest("91330100MA00000002", "o2") == (
        "0b0a8a3cc7c6bc9af03f21151f33d395d4b6abb44070a12f85ace5fb3eac72b2"
    )
    assert nonce_digest("river-7731") == (
        "d50841b8d502db19e65fc2a154576f8a9468e07dc03a35918a0891a4b289bdd3"
    )
    assert derive_seed("ab", "12", ["3"]) == (
        "02c9f3774f27d413a28cb03d1d0b4561e606d7b8231313eca1338bfe31c632eb"
    )


def test_numbers_below_n_are_unbiased_by_rejection():
    """A 64-bit word at or above the largest multiple of n is thrown away, never folded."""
    stream = Stream("11" * 32, "bias")
    n = (1 << 63) + 1  # about half of all words must be rejected
    values = [stream.below(n) for _ in range(200)]
    assert all(0 <= v < n for v in values)
    counts = [0, 0, 0]
    stream = Stream("22" * 32, "three")
    for _ in range(3000):
        counts[stream.below(3)] += 1
    assert all(900 < c < 1100 for c in counts)


def test_the_seed_inputs_cannot_run_together():
    """Length prefixes: moving a character from one input to the next changes the seed."""
    assert derive_seed("ab", "12", ["3"]) != derive_seed("ab", "1", ["23"])


# ---------------------------------------------------------------- the protocol through the app


@pytest.fixture
def park_draw(make, world):
    """Eight enterprises, four officers with accounts and a published item."""
    for n in range(6):
        make.enterprise(f"抽查{n}号五金有限公司", contact_phone=f"1380000{n:04d}")
    officers = [make.officer() for _ in range(4)]
    item = make.draw_item()
    return world, officers, item


def _task(make, world, item, **values):
    return make.draw_task(world.supervisor, [item], **values)


def test_a_draw_verifies_and_a_changed_byte_in_the_pool_is_named(app, make, park_draw):
    world, _officers, item = park_draw
    task = _task(make, world, item)
    runner = app.test_cli_runner()
    out = runner.invoke(args=["draws", "verify", str(task.id)])
    assert out.exit_code == 0 and "一致" in out.output, out.output
    with make.session() as s:
        row = s.get(DrawTask, task.id)
        row.pool_document = row.pool_document.replace(
            '"yearly_cap_reached": 0', '"yearly_cap_reached": 1'
        )
        s.add(row)
        s.commit()
    out = runner.invoke(args=["draws", "verify", str(task.id)])
    assert out.exit_code == 1
    assert "不一致" in out.output and "抽取池哈希不一致" in out.output, out.output


def test_a_changed_seed_input_after_the_draw_is_refused_and_detected(app, make, park_draw):
    world, _officers, item = park_draw
    task = _task(make, world, item)
    with app.app_context():
        s = get_session()
        row = s.get(DrawTask, task.id)
        witness = s.exec(select(Witness).where(Witness.task_id == task.id)).first()
        with pytest.raises(DomainError, match="不能再更改"):
            tasks.change_witness_nonce(s, task=row, witness=witness, nonce="other-9999")
        with pytest.raises(DomainError, match="只抽取一次"):
            drawing.run_draw(s, task=row, actor=s.get(User, world.supervisor.id), public_value="1")
        # Changed behind the application's back: the verifier names it.
        row.public_value = "3342.16"
        problems = verify(drawing.record(s, row))
    assert any("种子不一致" in p for p in problems), problems


def test_refusals_say_why(app, make, park_draw):
    world, officers, item = park_draw
    draft = make.draw_item(code="AQ-002", publish=False)
    with pytest.raises(DomainError, match="尚未公布"):
        _task(make, world, draft)
    with pytest.raises(DomainError, match="至少需要两名执法人员"):
        _task(make, world, item, inspectors_per_enterprise=1)
    task = _task(make, world, item)
    with app.app_context():
        s = get_session()
        with pytest.raises(DomainError, match="已冻结"):
            pool.freeze(s, task=s.get(DrawTask, task.id), actor=s.get(User, world.supervisor.id))


def test_expired_certificates_and_conflicts_keep_officers_out(app, make, park_draw):
    world, officers, item = park_draw
    expired = make.officer(valid_until=clock.today() - timedelta(days=1), name="过期执法员")
    ours = make.get(Enterprise, world.ours.id)
    with app.app_context():
        s = get_session()
        services.declare_conflict(
            s,
            officer=s.get(Officer, officers[0].id),
            enterprise=ours,
            reason="近亲属在该企业任职",
            actor=s.get(User, world.supervisor.id),
        )
        s.commit()
    task = _task(make, world, item, quotas={"*": "100%"})
    document = json.loads(make.get(DrawTask, task.id).pool_document)
    assert [o["name"] for o in document["excluded_officers"]] == ["过期执法员"]
    assert expired.certificate_no not in {o["certificate"] for o in document["officers"]}
    entry = next(
        d
        for s in json.loads(make.get(DrawTask, task.id).result)["strata"]
        for d in s["drawn"]
        if d["name"] == ours.name
    )
    assert officers[0].certificate_no not in entry["team"]
    assert {
        "entry": entry["entry"],
        "certificate": officers[0].certificate_no,
        "reason": "conflict_declared",
    } in document["exclusions"]
    # An expired certificate also keeps its holder out of enforcement teams, saying why.
    with app.app_context():
        s = get_session()
        from inspection.inspections import services as inspection_services

        with pytest.raises(DomainError, match="到期"):
            inspection_services.open_inspection(
                s,
                enterprise=ours,
                actor=s.get(User, world.supervisor.id),
                team=[s.get(User, expired.user_id), s.get(User, officers[1].user_id)],
                type="random",
                planned_date=clock.today(),
                enforcement=True,
                summary=None,
                status="planned",
            )


def test_enterprises_at_their_yearly_cap_are_left_out_and_listed(app, make, park_draw):
    world, officers, item = park_draw
    inspector = make.get(User, officers[0].user_id)
    for _ in range(2):
        make.inspection(
            world.ours, inspector, enforcement=True, co_inspector_ids=[officers[1].user_id]
        )
    task = _task(make, world, item, quotas={"*": "100%"})
    at_cap = pool.private(make.get(DrawTask, task.id))["at_cap"]
    # The risk feature's one rule: world.ours is graded blue, whose yearly cap is 2.
    assert at_cap == [{"enterprise_id": world.ours.id, "count": 2, "cap": 2}]
    document = json.loads(make.get(DrawTask, task.id).pool_document)
    assert document["left_out"] == {"yearly_cap_reached": 1}
    assert document["yearly_caps"] == {"red": 12, "orange": 8, "yellow": 4, "blue": 2}
    # The public page says how many the cap left out, never which.
    public = app.test_client().get(f"/public/draws/{task.id}").get_data(as_text=True)
    assert "因达到年度检查上限未列入抽取池：1 家" in public and world.ours.name not in public
    drawn = {
        d["name"]
        for s in json.loads(make.get(DrawTask, task.id).result)["strata"]
        for d in s["drawn"]
    }
    assert world.ours.name not in drawn and world.theirs.name in drawn


def _drawn_results(make, task):
    with make.session() as s:
        return list(s.exec(select(DrawResult).where(DrawResult.task_id == task.id)))


def test_the_public_record_verifies_in_a_separate_process(app, make, park_draw, tmp_path):
    """Downloaded from the public page, with no login, the record and the verifier agree."""
    world, _officers, item = park_draw
    task = _task(make, world, item)
    client = app.test_client()
    record = client.get(f"/public/draws/{task.id}/record.json")
    assert record.status_code == 200
    script = client.get("/public/draws/verify_draw.py")
    # The download is tools/verify_draw.py itself, byte for byte.
    assert not Path(VERIFIER).is_symlink() and script.data == Path(VERIFIER).read_bytes()
    (tmp_path / "record.json").write_bytes(record.data)
    (tmp_path / "verify_draw.py").write_bytes(script.data)
    ran = subprocess.run(
        [sys.executable, "-I", "verify_draw.py", "record.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0 and ran.stdout.startswith("一致"), ran.stdout + ran.stderr
    # One changed byte in the pool: the same verifier says where.
    changed = record.data.decode().replace('"blue": 2', '"blue": 3')
    (tmp_path / "record.json").write_text(changed, encoding="utf-8")
    ran = subprocess.run(
        [sys.executable, "-I", "verify_draw.py", "record.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 1
    assert "不一致" in ran.stdout and "抽取池哈希不一致" in ran.stdout, ran.stdout


def test_adjustments_need_a_reason_and_show_on_the_public_page(app, make, park_draw, login):
    world, officers, item = park_draw
    task = _task(make, world, item)
    first = _drawn_results(make, task)[0]
    enterprise = make.get(Enterprise, first.enterprise_id)
    client = login(world.supervisor)
    data = {"enterprise": str(enterprise.id), "kind": "withdraw_enterprise", "reason": ""}
    response = client.post(f"/draws/tasks/{task.id}/adjust", data=data, follow_redirects=True)
    assert "请说明调整理由" in response.get_data(as_text=True)
    assert not make.get(DrawResult, first.id).withdrawn
    data["reason"] = "企业已停产关闭，经核实注销"
    client.post(f"/draws/tasks/{task.id}/adjust", data=data)
    page = app.test_client().get(f"/public/draws/{task.id}").get_data(as_text=True)
    assert "企业已停产关闭，经核实注销" in page
    # The draw record itself still verifies: adjustments are records of their own.
    out = app.test_cli_runner().invoke(args=["draws", "verify", str(task.id)])
    assert out.exit_code == 0, out.output


def test_results_are_reviewed_before_publication_and_a_late_one_is_reminded_once(
    app, make, park_draw
):
    world, officers, item = park_draw
    task = _task(make, world, item)
    first = _drawn_results(make, task)[0]
    inspector = make.get(User, officers[0].user_id)
    with app.test_request_context():
        s = get_session()
        found = s.get(DrawResult, first.id)
        results.enter_result(
            s,
            result=found,
            actor=s.get(User, inspector.id),
            codes=["S1"],
            inspected_on=clock.today() - timedelta(days=40),
            follow_up="已责令改正",
            note=None,
        )
        with pytest.raises(DomainError, match="须经审核后"):
            results.publish_result(s, result=found, actor=s.get(User, inspector.id))
        with pytest.raises(DomainError, match="只有监管领导"):
            results.review_result(
                s, result=found, actor=s.get(User, inspector.id), approve=True, opinion=None
            )
        assert found.publish_by < clock.today()
        assert results.remind_late(s) == 1
        assert results.remind_late(s) == 0
        s.commit()
        sent = s.exec(select(Notification).where(Notification.kind == "draw_result_late")).all()
        assert len(sent) >= 1
        results.review_result(
            s, result=found, actor=s.get(User, world.supervisor.id), approve=True, opinion=None
        )
        results.publish_result(s, result=found, actor=s.get(User, inspector.id))
        assert found.state == ResultState.PUBLISHED
        s.commit()


def test_the_public_page_shows_nothing_private_nor_any_enterprise_not_drawn(app, make, park_draw):
    world, officers, item = park_draw
    task = _task(make, world, item, quotas={"*": "1"})
    first = _drawn_results(make, task)[0]
    with make.session() as s:
        row = s.get(DrawResult, first.id)
        row.note = "内部备注：企业负责人态度消极"
        row.codes, row.state, row.follow_up = "1", ResultState.PUBLISHED, "无"
        s.add(row)
        s.commit()
        enterprises = s.exec(select(Enterprise)).all()
        phones = [u.phone for u in s.exec(select(User)) if u.phone]
    client = app.test_client()
    body = "".join(
        client.get(url).get_data(as_text=True)
        for url in (
            f"/public/draws/{task.id}",
            f"/public/draws/{task.id}/record.json",
            f"/public/draws/{task.id}/results.csv",
        )
    )
    drawn = make.get(Enterprise, first.enterprise_id)
    assert drawn.name in body
    assert "内部备注" not in body
    for enterprise in enterprises:
        if enterprise.id != drawn.id:
            assert enterprise.name not in body and enterprise.credit_code not in body
        if enterprise.contact_phone:
            assert enterprise.contact_phone not in body
    assert not [p for p in phones if p in body]
    assert client.get("/public/draws/999999").status_code == 404


def test_the_pages_of_a_task_from_items_to_published_results(app, make, park_draw, login):
    world, officers, item = park_draw
    client = login(world.supervisor)
    for url in (
        "/draws/",
        "/draws/items",
        "/draws/officers",
        "/draws/directory",
        "/draws/tasks/new",
        "/draws/items/new",
        "/draws/officers/new",
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/draws/tasks/new",
        data={
            "name": "2026年第四季度双随机抽查",
            "year": "2026",
            "body": "园区安监局",
            "items": [str(item.id)],
            "strata_by": "none",
            "quotas": "* = 50%",
            "inspectors_per_enterprise": "2",
            "avoid_last_officers": "y",
            "start_date": clock.today().isoformat(),
            "due_date": clock.today().isoformat(),
            "public_source": "上证指数收盘点位",
            "public_date": clock.today().isoformat(),
            "witnesses": "王监督, 纪检监察员, river-7731",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    url = response.headers["Location"]
    task_id = int(url.rstrip("/").split("/")[-1])
    assert client.post(f"/draws/tasks/{task_id}/freeze").status_code == 302
    assert (
        client.post(f"/draws/tasks/{task_id}/draw", data={"public_value": "3342.15"}).status_code
        == 302
    )
    page = client.get(url).get_data(as_text=True)
    assert make.get(DrawTask, task_id).seed in page
    assert client.post(f"/draws/tasks/{task_id}/campaign").status_code == 302
    assert client.get(f"/draws/tasks/{task_id}/results.csv").status_code == 200
    # A second draw is refused, and says why.
    again = client.post(
        f"/draws/tasks/{task_id}/draw", data={"public_value": "1"}, follow_redirects=True
    )
    assert "每个任务只抽取一次" in again.get_data(as_text=True)


def test_the_annual_plan_lists_items_key_enterprises_and_random_tasks(app, make, park_draw, login):
    world, officers, item = park_draw
    _task(make, world, item, quotas={"*": "30%"})
    with app.app_context():
        s = get_session()
        services.import_credit_classes(
            s,
            park=s.get(Park, world.ours.park_id),
            filename="c.csv",
            data=f"统一社会信用代码,信用风险分类\n{world.ours.credit_code},D\n".encode(),
            source=None,
        )
        s.commit()
    client = login(world.supervisor)
    page = client.get("/draws/plan").get_data(as_text=True)
    assert item.title in page and "2026年工贸企业双随机抽查" in page and world.ours.name in page
    export = client.get("/draws/plan.csv").get_data(as_text=True)
    assert item.legal_basis in export and "30%" in export and world.ours.name in export


def test_a_replacement_with_a_conflict_or_an_expired_certificate_is_refused(app, make, park_draw):
    world, officers, item = park_draw
    task = _task(make, world, item, quotas={"*": "1"})
    spare = make.officer(name="替补执法员")
    expired = make.officer(valid_until=clock.today() - timedelta(days=3), name="过期执法员")
    first = _drawn_results(make, task)[0]
    with app.app_context():
        s = get_session()
        row, enterprise = s.get(DrawTask, task.id), s.get(Enterprise, first.enterprise_id)
        actor = s.get(User, world.supervisor.id)
        team = [o for _a, o in drawing.queries.teams(s, row)[enterprise.id]]
        services.declare_conflict(
            s,
            officer=s.get(Officer, spare.id),
            enterprise=enterprise,
            reason="曾在该企业任职",
            actor=actor,
        )
        for joining, refusal in ((spare, "应当回避"), (expired, "已于")):
            with pytest.raises(DomainError, match=refusal):
                drawing.adjust(
                    s,
                    task=row,
                    actor=actor,
                    enterprise=enterprise,
                    kind=AdjustmentKind.REPLACE_OFFICER,
                    reason="因病无法参加",
                    officer_out=team[0],
                    officer_in=s.get(Officer, joining.id),
                )
