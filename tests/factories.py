"""Factories that create real rows through the services, each in its own committed transaction."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from types import SimpleNamespace

from PIL import Image
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.services import create_user
from inspection.db import get_session
from inspection.draws import services as draw_services
from inspection.enterprises.credit_code import check_character
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Zone
from inspection.evidence.photos import check_photo
from inspection.hazards import services as hazard_services
from inspection.hazards.models import Hazard
from inspection.hazards.models import Notice
from inspection.hazards.recording import FoundHazard
from inspection.hazards.recording import record_hazard
from inspection.inspections import services as inspection_services
from inspection.inspections.models import Inspection
from inspection.parks.models import Park
from inspection.parks.models import Region

PASSWORD = "password123"


def credit_code(n: int) -> str:
    """A valid unified social credit code, different for each n, whose characters 9-17 are a
    valid organisation code."""
    from inspection.enterprises import organisation_code

    body = f"MA{n:06d}"
    base = f"91330824{body}{organisation_code.check_character(body)}"
    return base + check_character(base)


def image_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (640, 480),
    exif_orientation: int | None = None,
    noise: bool = False,
) -> bytes:
    """Real image bytes in the given format (noise makes them hard to compress)."""
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 80, 40))
        image.paste((20, 60, 200), (0, 0, size[0] // 2, size[1] // 3))
    out = io.BytesIO()
    kwargs = {}
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def prefixed(prefix: str, data: dict) -> dict:
    """Form data for a form rendered with a prefix (the hazard page's forms have one each)."""
    return {f"{prefix}-{key}": value for key, value in data.items()}


def pdf_bytes() -> bytes:
    """A real one-page PDF."""
    out = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(out, "PDF")
    return out.getvalue()


def checked(data: bytes | None = None, name: str = "photo.jpg"):
    return check_photo(
        data or image_bytes(), name, max_bytes=20 * 1024 * 1024, max_pixels=60_000_000
    )


@dataclass
class Factory:
    """Create committed rows; each call runs in its own app context and session."""

    app: object
    counter: int = 0

    def _run(self, work):
        with self.app.app_context():
            session = get_session()
            result = work(session)
            session.commit()
            return result

    def session(self) -> Session:
        """A separate session for reading what requests did (close it, or let GC do it)."""
        return Session(self.app.extensions["engine"], expire_on_commit=False)

    def park(
        self,
        name: str = "测试经济开发区",
        prefix: str = "测开安环整改",
        *,
        region: Region | None = None,
    ) -> Park:
        """The park of that name, made on first use (the default is the first park)."""

        def work(s):
            park = s.exec(select(Park).where(Park.name == name)).first()
            if park is None:
                park = Park(
                    name=name,
                    notice_prefix=prefix,
                    region_id=region.id if region else None,
                    authority=f"{name}管理委员会",
                )
                s.add(park)
                s.flush()
            return park

        return self._run(work)

    def region(self, name: str = "测试县") -> Region:
        """A region holding the default park, made on first use."""

        def work(s):
            region = s.exec(select(Region).where(Region.name == name)).first()
            if region is None:
                region = Region(name=name, authority=f"{name}应急管理局")
                s.add(region)
                s.flush()
            return region

        region = self._run(work)
        first = self.park()

        def attach(s):
            park = s.get(Park, first.id)
            park.region_id = region.id

        self._run(attach)
        return region

    def zone(self, name: str = "新材料新装备产业园", park: Park | None = None) -> Zone:
        park = park or self.park()

        def work(s):
            zone = Zone(park_id=park.id, name=name)
            s.add(zone)
            s.flush()
            return zone

        return self._run(work)

    def enterprise(self, name: str | None = None, park: Park | None = None, **values) -> Enterprise:
        park = park or self.park()
        self.counter += 1
        n = self.counter

        def work(s):
            enterprise = Enterprise(
                park_id=park.id,
                name=name or f"测试企业{n}有限公司",
                credit_code=values.pop("credit_code", credit_code(n)),
                industry=values.pop("industry", "五金"),
                **values,
            )
            s.add(enterprise)
            s.flush()
            return enterprise

        return self._run(work)

    def user(
        self,
        role: Role | str = Role.INSPECTOR,
        username: str | None = None,
        enterprise: Enterprise | None = None,
        park: Park | None = None,
        region: Region | None = None,
        **values,
    ) -> User:
        """A user of the default park unless a park or region (bureau staff) is given."""
        self.counter += 1
        username = username or f"{Role(role).value}{self.counter}"
        if enterprise is None and region is None:
            values["park_id"] = (park or self.park()).id
        elif region is not None:
            values["region_id"] = region.id

        def work(s):
            return create_user(
                s,
                username=username,
                display_name=values.pop("display_name", username),
                password=PASSWORD,
                role=Role(role),
                enterprise_id=enterprise.id if enterprise else None,
                **values,
            )

        return self._run(work)

    def inspection(self, enterprise: Enterprise, inspector: User, **values) -> Inspection:
        def work(s):
            return inspection_services.create_inspection(
                s,
                enterprise=s.get(Enterprise, enterprise.id),
                actor=s.get(User, inspector.id),
                type=values.pop("type", "routine"),
                planned_date=values.pop("planned_date", None) or clock.today(),
                # Tests visit enterprises far more often than a yearly cap allows.
                over_cap_reason=values.pop("over_cap_reason", "测试"),
                **values,
            )

        return self._run(work)

    def hazard(
        self,
        inspection: Inspection,
        inspector: User,
        *,
        title: str = "安全出口被堵塞",
        level: str = "general",
        basis: str | None = None,
        photos: int = 1,
        deadline: date | None = None,
    ) -> Hazard:
        def work(s):
            return record_hazard(
                s,
                inspection=s.get(Inspection, inspection.id),
                actor=s.get(User, inspector.id),
                found=FoundHazard(
                    title=title,
                    description="检查发现",
                    location="车间",
                    level=level,
                    category="safety",
                    basis=basis,
                    deadline=deadline,
                    required_measures="立即整改",
                    photos=[checked() for _ in range(photos)],
                ),
            )

        return self._run(work)

    def confirm(self, hazard: Hazard, supervisor: User | None = None) -> Hazard:
        """研判: a supervisor of the hazard's park confirms a major finding."""
        from inspection.hazards.confirmation import confirm

        def work(s):
            current = s.get(Hazard, hazard.id)
            actor = (
                s.get(User, supervisor.id)
                if supervisor
                else s.exec(
                    select(User).where(
                        User.role == Role.SUPERVISOR, User.park_id == current.park_id
                    )
                ).first()
            )
            return confirm(
                s,
                hazard=current,
                actor=actor,
                participants=None,
                keep_major=True,
                comment=None,
                expected_version=current.version,
            )

        with self.app.test_request_context():
            return self._run(work)

    def issue(self, inspection: Inspection, inspector: User) -> Notice:
        """Issue the notice, a supervisor first confirming any major finding (研判)."""
        from inspection.hazards.confirmation import awaits_confirmation

        with self.session() as s:
            waiting = [
                h
                for h in s.exec(select(Hazard).where(Hazard.inspection_id == inspection.id))
                if awaits_confirmation(h)
            ]
        for hazard in waiting:
            self.confirm(hazard)
        return self._run(
            lambda s: hazard_services.issue_notice(
                s, inspection=s.get(Inspection, inspection.id), actor=s.get(User, inspector.id)
            )
        )

    def acknowledge(self, notice: Notice, enterprise_user: User) -> Notice:
        return self._run(
            lambda s: hazard_services.acknowledge_notice(
                s, notice=s.get(Notice, notice.id), actor=s.get(User, enterprise_user.id)
            )
        )

    def submit(self, hazard: Hazard, enterprise_user: User) -> Hazard:
        def work(s):
            current = s.get(Hazard, hazard.id)
            return hazard_services.submit_rectification(
                s,
                hazard=current,
                actor=s.get(User, enterprise_user.id),
                measures="已整改",
                responsible_person="张三",
                funding_yuan=1000,
                photos=[checked()],
                expected_version=current.version,
            )

        return self._run(work)

    def checklist(
        self,
        code: str = "test-list",
        *,
        major: bool = True,
        applies_to=None,
        park: Park | None = None,
    ):
        """A small published checklist: one section, a major criterion and a routine item; in
        the shared library, or one park's own."""
        from inspection.checklists import library as checklist_library
        from inspection.checklists import loader
        from inspection.checklists import queries as checklist_queries
        from inspection.checklists.models import ChecklistTemplate

        text = f"""
schema: 1
code: {code}
title: 测试检查表 {code}
standard: 测试标准
kind: major_hazard_criteria
{"applies_to: " + applies_to if applies_to else ""}
sections:
  - code: s1
    title: 第一部分
    items:
      - code: i1
        text: 粉尘爆炸危险场所设置在非框架结构的多层建构筑物内的
        basis: 测试标准 第一条第（一）项
        major: {"true" if major else "false"}
        category: layout
        hazard_title: 粉尘爆炸危险场所设在多层建筑内
        deadline_days: 30
      - code: i2
        text: 未建立粉尘清理制度的
        basis: 测试标准 第一条第（二）项
        category: safety
"""

        def work(s):
            definition = loader.parse(text, f"{code}.yaml")
            park_id = park.id if park else None
            checklist_library.import_definition(s, definition, park_id=park_id)
            template = s.exec(
                select(ChecklistTemplate).where(
                    ChecklistTemplate.code == code,
                    ChecklistTemplate.park_id.is_(None)
                    if park is None
                    else ChecklistTemplate.park_id == park_id,
                )
            ).one()
            return checklist_queries.latest_published(s, template.id)

        with self.app.test_request_context():
            return self._run(work)

    def use_checklist(self, inspection, version, inspector):
        from inspection.checklists.models import ChecklistVersion
        from inspection.inspections import answers

        with self.app.test_request_context():
            return self._run(
                lambda s: answers.add_checklist(
                    s,
                    inspection=s.get(Inspection, inspection.id),
                    version=s.get(ChecklistVersion, version.id),
                    actor=s.get(User, inspector.id),
                )
            )

    def plan(self, hazard: Hazard, enterprise_user: User, *, document: bool = True):
        """File a complete plan (every element of 16号令 第十五条) with a PDF document."""
        from inspection.evidence.documents import CheckedDocument
        from inspection.hazards import plans

        def work(s):
            current = s.get(Hazard, hazard.id)
            draft = plans.PlanDraft(
                goals="消除砂光工序粉尘爆炸隐患",
                measures="加装火花探测熄灭装置",
                funding_yuan=50000,
                materials="火花探测熄灭装置一套",
                organization="设备部",
                responsible_person="张三",
                planned_completion=current.deadline,
                requirements="按GB 15577安装并验收",
                safety_measures="整改期间停用砂光机，设置警戒区",
                contingency_plan="停用砂光机，专人值守",
                document=CheckedDocument(pdf_bytes(), "方案.pdf", "application/pdf")
                if document
                else None,
            )
            return plans.file_plan(
                s,
                hazard=current,
                actor=s.get(User, enterprise_user.id),
                draft=draft,
                expected_version=current.version,
            )

        with self.app.test_request_context():
            return self._run(work)

    def extension(self, hazard: Hazard, enterprise_user: User, days: int = 10):
        """Ask for a later deadline."""
        from datetime import timedelta

        from inspection.hazards import extensions

        def work(s):
            current = s.get(Hazard, hazard.id)
            return extensions.request_extension(
                s,
                hazard=current,
                actor=s.get(User, enterprise_user.id),
                reason="设备到货延迟",
                requested_deadline=current.deadline + timedelta(days=days),
                expected_version=current.version,
            )

        with self.app.test_request_context():
            return self._run(work)

    def notification_settings(self, user: User, inspector: User | None = None) -> dict:
        """A webhook, a failed delivery to `user`, a recurring plan, a holiday and a ledger
        report of `user`'s enterprise: their ids by URL parameter name."""
        from inspection.campaigns.models import Holiday
        from inspection.campaigns.models import RecurringPlan
        from inspection.notifications.models import Delivery
        from inspection.notifications.models import WebhookEndpoint

        def work(s):
            park_id = s.get(User, user.id).park_id
            endpoint = WebhookEndpoint(
                park_id=park_id, name="安环办钉钉群", url="http://127.0.0.1:9/robot"
            )
            s.add(endpoint)
            delivery = Delivery(
                key=f"email:test:{user.id}",
                channel="email",
                kind="overdue",
                recipient_id=user.id,
                status="failed",
                last_error="550 no such user",
            )
            s.add(delivery)
            planner = (
                s.get(User, inspector.id)
                if inspector
                else s.exec(select(User).where(User.role == Role.INSPECTOR)).first()
            )
            plan = RecurringPlan(
                park_id=park_id,
                name="月度例行检查",
                recurrence="monthly",
                created_by_id=planner.id,
            )
            s.add(plan)
            holiday = Holiday(
                park_id=park_id, name="元旦", start_date=date(2031, 1, 1), end_date=date(2031, 1, 1)
            )
            s.add(holiday)
            from inspection.reports.models import ReportJob

            job = ReportJob(
                park_id=park_id,
                kind="ledger",
                enterprise_id=user.enterprise_id,
                title="隐患台账",
                requested_by_id=user.id,
            )
            s.add(job)
            s.commit()
            return {
                "job_id": job.id,
                "endpoint_id": endpoint.id,
                "delivery_id": delivery.id,
                "action": "retry",
                "plan_id": plan.id,
                "holiday_id": holiday.id,
            }

        return self._run(work)

    def officer(
        self, user: User | None = None, *, park: Park | None = None, valid_until=None, **values
    ):
        """An officer in the directory (an expert when `expert=True`), linked to `user` or to a
        new inspector of the park."""
        park = park or self.park()
        if user is None and not values.get("expert"):
            user = self.user(Role.INSPECTOR, park=park)
        self.counter += 1
        n = self.counter

        def work(s):
            return draw_services.save_officer(
                s,
                park=s.get(Park, park.id),
                values=draw_services.OfficerInput(
                    name=values.pop("name", user.display_name if user else f"专家{n}"),
                    certificate_no=values.pop("certificate_no", f"33010{n:05d}"),
                    valid_from=values.pop("valid_from", date(2020, 1, 1)),
                    valid_until=valid_until or date(2099, 12, 31),
                    specialty=values.pop("specialty", "工贸安全"),
                    team=values.pop("team", "执法一队"),
                    expert=values.pop("expert", False),
                    user_id=user.id if user else None,
                ),
            )

        return self._run(work)

    def draw_item(self, park: Park | None = None, *, publish: bool = True, code: str = "AQ-001"):
        """An inspection item of the park's list, published unless told otherwise."""
        park = park or self.park()
        author = self.user(Role.SUPERVISOR, park=park)

        def work(s):
            item = draw_services.save_item(
                s,
                park=s.get(Park, park.id),
                actor=s.get(User, author.id),
                values=draw_services.ItemInput(
                    code=code,
                    title="安全生产主体责任落实情况",
                    legal_basis="《中华人民共和国安全生产法》第二十一条",
                    content="安全生产责任制、规章制度和操作规程的建立与落实",
                    applies_to="工贸企业",
                    method="onsite",
                    body="园区安全生产监督管理局",
                    checklist_ids=[],
                ),
                replaces=None,
            )
            return draw_services.publish_item(s, item=item) if publish else item

        return self._run(work)

    def draw_task(self, actor: User, items: list, *, drawn: bool = True, **values):
        """A 双随机 task of `actor`'s park on `items`; frozen and drawn unless told otherwise."""
        from inspection import clock
        from inspection.draws import drawing
        from inspection.draws import pool
        from inspection.draws import tasks

        def work(s):
            user = s.get(User, actor.id)
            values.setdefault("quotas", {"*": "50%"})
            task = tasks.create_task(
                s,
                park=s.get(Park, user.park_id),
                actor=user,
                values=tasks.TaskInput(
                    name=values.pop("name", "2026年工贸企业双随机抽查"),
                    year=values.pop("year", clock.today().year),
                    body="园区安全生产监督管理局",
                    item_ids=[i.id for i in items],
                    start_date=clock.today(),
                    due_date=clock.today() + timedelta(days=30),
                    public_source="上证指数收盘点位",
                    public_date=clock.today(),
                    witnesses=values.pop(
                        "witnesses",
                        [
                            ("王监督", "纪检监察员", "river-7731"),
                            ("李见证", "企业代表", "maple-2208"),
                        ],
                    ),
                    **values,
                ),
            )
            if drawn:
                pool.freeze(s, task=task, actor=user)
                drawing.run_draw(s, task=task, actor=user, public_value="3342.15")
            return task

        return self._run(work)

    def get(self, model, ident):
        with self.session() as s:
            return s.get(model, ident)

    def world(self) -> SimpleNamespace:
        """Two enterprises, each with its own user, and staff of every role."""
        zone = self.zone()
        ours = self.enterprise("甲五金制品有限公司", zone_id=zone.id)
        theirs = self.enterprise("乙化工有限公司", zone_id=zone.id, industry="化工")
        return SimpleNamespace(
            zone=zone,
            ours=ours,
            theirs=theirs,
            admin=self.user(Role.ADMIN, "admin"),
            supervisor=self.user(Role.SUPERVISOR, "leader"),
            inspector=self.user(Role.INSPECTOR, "inspector"),
            inspector2=self.user(Role.INSPECTOR, "inspector2"),
            ours_user=self.user(Role.ENTERPRISE, "ours", enterprise=ours),
            theirs_user=self.user(Role.ENTERPRISE, "theirs", enterprise=theirs),
        )

    def two_parks(self) -> SimpleNamespace:
        """`world()` in park A, a second park B of the same region with its own staff and
        enterprise, and bureau staff of the region (who see both)."""
        world = self.world()
        region = self.region()
        park_b = self.park("测试第二园区", "测二安环整改", region=region)
        zone_b = self.zone("第二园区一区", park=park_b)
        b_enterprise = self.enterprise("丙木业有限公司", park=park_b, zone_id=zone_b.id)
        return SimpleNamespace(
            **vars(world),
            region=region,
            park_a=self.park(),
            park_b=park_b,
            zone_b=zone_b,
            b_enterprise=b_enterprise,
            b_admin=self.user(Role.ADMIN, "b_admin", park=park_b),
            b_supervisor=self.user(Role.SUPERVISOR, "b_leader", park=park_b),
            b_inspector=self.user(Role.INSPECTOR, "b_inspector", park=park_b),
            b_user=self.user(Role.ENTERPRISE, "b_user", enterprise=b_enterprise),
            bureau=self.user(Role.SUPERVISOR, "bureau", region=region),
            bureau_admin=self.user(Role.ADMIN, "bureau_admin", region=region),
        )
