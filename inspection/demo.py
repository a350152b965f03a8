"""A fictional park that looks lived in: zones, enterprises, users and hazards in every state.

Every name here is invented. The industries and zones follow the Zhejiang development zones the
product was conceived from (五金, 化工, 光伏, 木制品, 生物医疗, 印刷).
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import datetime
from datetime import time
from datetime import timedelta

from PIL import Image
from PIL import ImageDraw
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.services import create_user
from inspection.checklists.library import load_library
from inspection.checklists.queries import items_by_section
from inspection.checklists.queries import offered_versions
from inspection.enterprises import credit_code
from inspection.enterprises.models import DischargePermit
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Park
from inspection.enterprises.models import Zone
from inspection.evidence.documents import CheckedDocument
from inspection.evidence.photos import check_photo
from inspection.hazards import extensions
from inspection.hazards import lifecycle
from inspection.hazards import listing
from inspection.hazards import plans
from inspection.hazards import services as hazards
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardState
from inspection.hazards.models import Notice
from inspection.hazards.recording import FoundHazard
from inspection.hazards.recording import record_hazard
from inspection.inspections import services as inspections
from inspection.inspections import signatures
from inspection.inspections.answers import add_checklist
from inspection.inspections.answers import record_answer
from inspection.inspections.models import Inspection

PASSWORD = "demo1234"

PARK = ("青溪经济开发区", "青开安环整改")
ZONES = (
    ("新材料新装备产业园", "化工、新材料与装备制造企业集聚区"),
    ("智慧大健康产业园", "生物医疗与健康产业"),
    ("创业谷", "中小企业孵化区块"),
)

# name, industry, zone index, flags, discharge permit, employees
ENTERPRISES = (
    ("青溪恒锐五金制品有限公司", "五金", 0, {"dust"}, "registration", 180),
    ("青溪宏达工具有限公司", "五金", 0, {"dust", "confined_space"}, "registration", 96),
    ("青溪精工锁业有限公司", "五金", 2, set(), "registration", 64),
    ("青溪鑫泰金属制品有限公司", "五金", 0, {"dust", "hazardous_waste"}, "simplified", 210),
    ("青溪安和智能家居有限公司", "五金", 0, {"dust", "hazardous_waste"}, "simplified", 520),
    (
        "青溪新材化工有限公司",
        "化工",
        0,
        {"hazardous_chemicals", "major_hazard_source", "confined_space", "hazardous_waste"},
        "key",
        310,
    ),
    (
        "青溪华瑞精细化工有限公司",
        "化工",
        0,
        {"hazardous_chemicals", "confined_space", "hazardous_waste"},
        "key",
        150,
    ),
    (
        "青溪东润氟化工有限公司",
        "化工",
        0,
        {"hazardous_chemicals", "major_hazard_source", "hazardous_waste"},
        "key",
        240,
    ),
    (
        "青溪博远防火材料有限公司",
        "化工",
        0,
        {"hazardous_chemicals", "hazardous_waste"},
        "simplified",
        88,
    ),
    ("青溪聚恒高分子材料有限公司", "化工", 0, {"hazardous_chemicals", "dust"}, "simplified", 130),
    ("青溪晶阳光伏科技有限公司", "光伏", 0, {"hazardous_chemicals", "hazardous_waste"}, "key", 860),
    ("青溪曜能新能源有限公司", "光伏", 0, {"hazardous_waste"}, "simplified", 430),
    ("青溪光锦硅材料有限公司", "光伏", 0, {"dust", "hazardous_waste"}, "simplified", 120),
    ("青溪森源木业有限公司", "木制品", 2, {"dust"}, "registration", 75),
    ("青溪林盛板材有限公司", "木制品", 2, {"dust", "confined_space"}, "registration", 140),
    ("青溪竹韵家居有限公司", "木制品", 2, {"dust"}, "registration", 58),
    ("青溪木之源工艺品有限公司", "木制品", 2, {"dust"}, "none", 26),
    ("青溪华林门业有限公司", "木制品", 2, {"dust", "hazardous_waste"}, "registration", 190),
    (
        "青溪康瑞生物医疗器械有限公司",
        "生物医疗",
        1,
        {"hazardous_chemicals", "hazardous_waste"},
        "simplified",
        330,
    ),
    ("青溪安德医用耗材有限公司", "生物医疗", 1, {"hazardous_waste"}, "registration", 160),
    (
        "青溪润生生物科技有限公司",
        "生物医疗",
        1,
        {"hazardous_chemicals", "hazardous_waste", "confined_space"},
        "simplified",
        220,
    ),
    ("青溪彩印包装有限公司", "印刷", 2, {"hazardous_waste"}, "simplified", 110),
    ("青溪卡艺文化用品印刷有限公司", "印刷", 1, {"hazardous_waste", "dust"}, "simplified", 270),
    ("青溪鸿文印务有限公司", "印刷", 2, {"hazardous_waste"}, "registration", 45),
    (
        "青溪鲜冻食品有限公司",
        "食品",
        1,
        {"ammonia_refrigeration", "confined_space"},
        "registration",
        140,
    ),
    ("青溪锦纶纺织有限公司", "纺织", 2, {"hazardous_chemicals"}, "simplified", 380),
    ("青溪建科新型建材有限公司", "建材", 0, {"dust", "confined_space"}, "simplified", 95),
    ("青溪智联电子有限公司", "电子", 1, {"hazardous_waste"}, "registration", 640),
    ("青溪飞驰车辆制造有限公司", "机械", 0, {"dust", "hazardous_waste"}, "simplified", 410),
    ("青溪健行运动器材有限公司", "机械", 2, {"dust"}, "registration", 300),
)

# title, category, level, basis, location, measures
HAZARDS_BY_INDUSTRY = {
    "木制品": (
        (
            "砂光机除尘风管未设置火花探测熄灭装置",
            "equipment",
            "major",
            "应急管理部令第10号 第十一条第（八）项",
            "砂光车间",
            "加装火花探测熄灭装置并联锁",
        ),
        (
            "粉尘爆炸危险场所内设有员工休息室",
            "layout",
            "major",
            "应急管理部令第10号 第十一条第（一）项",
            "开料车间东侧",
            "将休息室迁出粉尘爆炸危险场所",
        ),
        (
            "除尘器灰斗积尘未及时清理",
            "safety",
            "general",
            None,
            "布袋除尘器",
            "建立清灰制度，每班清灰",
        ),
        ("车间地面及设备顶部积尘较厚", "safety", "general", None, "砂光车间", "落实日产日清"),
        ("消防通道堆放木料", "fire", "general", None, "成品仓库", "清理通道，划线管理"),
    ),
    "五金": (
        ("冲床光电保护装置失效", "equipment", "general", None, "冲压车间3号冲床", "修复光电保护"),
        (
            "非水性漆调漆间未设置可燃气体报警装置",
            "fire",
            "major",
            "应急管理部令第10号 第七条第（七）项",
            "喷涂车间调漆间",
            "安装可燃气体报警装置并联锁通风",
        ),
        (
            "叉车司机未取得特种作业资格上岗",
            "safety",
            "major",
            "应急管理部令第10号 第三条第（二）项",
            "仓储区",
            "停止无证作业，组织培训取证",
        ),
        (
            "配电箱门未关闭且无警示标识",
            "electrical",
            "general",
            None,
            "抛光车间",
            "关闭箱门，张贴标识",
        ),
        ("抛光打磨工位粉尘收集不到位", "safety", "general", None, "抛光车间", "改造吸尘罩"),
    ),
    "化工": (
        (
            "危化品仓库禁忌物料混存",
            "safety",
            "major",
            "安监总管三〔2017〕121号 第（二十）项",
            "甲类仓库",
            "按类分区储存",
        ),
        (
            "储罐安全阀超期未校验",
            "equipment",
            "major",
            "安监总管三〔2017〕121号 第（十五）项",
            "罐区",
            "立即校验安全阀",
        ),
        ("可燃气体报警器未定期检定", "instrument", "general", None, "合成车间", "送检并建立台账"),
        ("动火作业票证填写不规范", "safety", "general", None, "维修班组", "规范特殊作业票证"),
        ("雨水排放口未设置切断阀", "environment", "general", None, "厂区雨水总排口", "加装切断阀"),
    ),
    "光伏": (
        ("酸洗区紧急洗眼器无水", "safety", "general", None, "制绒车间", "恢复供水并每周测试"),
        (
            "危废暂存间未设置泄漏收集设施",
            "environment",
            "general",
            None,
            "危废仓库",
            "设置围堰和导流沟",
        ),
        ("行车未按期检验", "equipment", "general", None, "组件车间", "申报检验"),
        ("应急照明灯损坏", "fire", "general", None, "硅片仓库", "更换应急照明"),
    ),
    "生物医疗": (
        ("环氧乙烷灭菌间通风不良", "process", "general", None, "灭菌间", "改造排风系统"),
        ("危废标签信息不全", "environment", "general", None, "危废暂存间", "按HJ 1276更换标签"),
        ("洁净车间安全出口上锁", "fire", "general", None, "洁净车间", "更换为推闩式安全门"),
    ),
    "印刷": (
        ("油墨仓库未设置防静电接地", "electrical", "general", None, "油墨仓库", "增设防静电接地"),
        (
            "VOCs废气处理设施未正常运行",
            "environment",
            "general",
            None,
            "印刷车间",
            "检修活性炭吸附装置",
        ),
        ("室内消火栓被货物遮挡", "fire", "general", None, "成品区", "清理遮挡物"),
    ),
}
GENERAL_HAZARDS = (
    ("安全出口被杂物堵塞", "fire", "general", None, "车间北门", "清理杂物，保持畅通"),
    ("灭火器压力不足未更换", "fire", "general", None, "办公楼二层", "更换灭火器"),
    ("员工宿舍设在厂房内", "fire", "general", None, "厂房三楼", "宿舍迁出厂房"),
    ("雨污管网存在混接", "environment", "general", None, "厂区东侧", "整改混接点"),
    ("有限空间未设置警示标识", "safety", "general", None, "污水池", "设置警示标识和台账"),
)

# How far along each hazard gets, with weights.
SCENARIOS = (
    ("closed", 34),
    ("closed_after_reject", 8),
    ("on_spot", 8),
    ("submitted", 8),
    ("rectifying", 8),
    ("acknowledged", 10),
    ("issued", 10),
    ("voided", 3),
    ("escalated", 2),
)


def _credit_code(rng: random.Random, index: int) -> str:
    """A valid-looking, fictional unified social credit code."""
    org = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    values = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    check = 11 - sum(values.index(c) * w for c, w in zip(org, weights, strict=True)) % 11
    org += {10: "X", 11: "0"}.get(check, str(check))
    if "X" in org[8:] and "X" not in credit_code.ALPHABET:
        org = org[:8] + "0"
    base = f"91330824{org}"
    return base + credit_code.check_character(base)


def _photo(rng: random.Random, label: str, after: bool) -> bytes:
    """A small generated site photo, distinct for each hazard."""
    width, height = 960, 720
    hue = rng.randrange(60, 200)
    base = (hue, 120 + rng.randrange(60), 90) if not after else (70, 150 + rng.randrange(60), 110)
    image = Image.new("RGB", (width, height), base)
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(60, 320), rng.randrange(40, 240)
        shade = tuple(max(0, min(255, c + rng.randrange(-70, 70))) for c in base)
        draw.rectangle((x, y, x + w, y + h), fill=shade)
    draw.rectangle((0, height - 70, width, height), fill=(30, 30, 30))
    draw.text((24, height - 52), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _checked(data: bytes, name: str):
    return check_photo(data, name, max_bytes=20 * 1024 * 1024, max_pixels=60_000_000)


def load(session: Session) -> str:
    """Create the demo park; return a summary of what was made."""
    rng = random.Random(2026)
    real_now = clock.now()
    start = real_now - timedelta(days=150)
    with clock.frozen(start):
        park = Park(name=PARK[0], notice_prefix=PARK[1], authority=PARK[0] + "管理委员会")
        session.add(park)
        session.flush()
        zones = []
        for name, description in ZONES:
            zone = Zone(park_id=park.id, name=name, description=description)
            session.add(zone)
            zones.append(zone)
        session.flush()
        enterprises = []
        for index, (name, industry, zone, flags, permit, employees) in enumerate(ENTERPRISES):
            enterprise = Enterprise(
                park_id=park.id,
                zone_id=zones[zone].id,
                name=name,
                credit_code=_credit_code(rng, index),
                industry=industry,
                address=f"青溪经济开发区{['纬一路', '经三路', '创业大道'][zone]}{10 + index * 7}号",
                legal_representative=rng.choice("王李张刘陈杨黄赵吴周")
                + rng.choice(("建华", "国强", "志明", "海燕", "丽萍", "永红")),
                contact_name=rng.choice("徐孙胡朱高林何郭马罗")
                + rng.choice(("安全", "晓东", "建军", "春梅", "卫东", "立新")),
                contact_phone=f"13{rng.randrange(100000000, 999999999)}",
                scale="large" if employees > 500 else "medium" if employees > 200 else "small",
                employees=employees,
                discharge_permit=DischargePermit(permit),
                **{f"risk_{flag}": True for flag in flags},
            )
            session.add(enterprise)
            enterprises.append(enterprise)
        session.flush()

        def user(username, name, role, **extra) -> User:
            return create_user(
                session,
                username=username,
                display_name=name,
                password=PASSWORD,
                role=role,
                **extra,
            )

        user("admin", "系统管理员", Role.ADMIN)
        supervisor = user("leader", "张建国", Role.SUPERVISOR, organisation="青溪经济开发区管委会")
        inspector = user(
            "inspector",
            "王立新",
            Role.INSPECTOR,
            organisation="开发区安全生产监督管理局",
            enforcement_certificate="33082420260001",
        )
        inspector2 = user(
            "inspector2",
            "李雪梅",
            Role.INSPECTOR,
            organisation="开发区安全生产监督管理局",
            enforcement_certificate="33082420260002",
        )
        expert = user(
            "expert",
            "陈思远",
            Role.INSPECTOR,
            organisation="青溪安信安全技术服务有限公司",
            third_party=True,
        )
        enterprise_users = {}
        for username, index in (
            ("qiye", 0),
            ("senyuan", 13),
            ("xincai", 5),
            ("kangrui", 18),
            ("caiyin", 21),
            ("xiandong", 24),
        ):
            enterprise_users[index] = user(
                username,
                enterprises[index].contact_name,
                Role.ENTERPRISE,
                enterprise_id=enterprises[index].id,
            )

    library = load_library(session)
    if library.problems:
        raise RuntimeError(
            "the checklist library has problems: " + "; ".join(map(str, library.problems))
        )
    scenarios = [name for name, weight in SCENARIOS for _ in range(weight)]
    # Most hazards found months ago have been dealt with by now.
    settled = ["closed"] * 12 + ["closed_after_reject"] * 3 + scenarios
    # Make sure a new user meets every state at least once.
    must_have = [
        "listed",
        "listed_accepted",
        "extension_pending",
        "extended",
        "escalated",
        "voided",
        "on_spot",
        "rectifying",
        "closed_after_reject",
        "submitted",
        "acknowledged",
        "issued",
    ]
    counts: dict[str, int] = {}
    inspectors = [inspector, inspector2, expert]
    made = 0
    # Visits spread over the last 150 days; enterprises with a portal user get several.
    visits = []
    for index, enterprise in enumerate(enterprises):
        times = 3 if index in enterprise_users else rng.choice((1, 1, 2))
        for _ in range(times):
            visits.append((enterprise, rng.randrange(3, 148), None))
    # The demo inspector's day: two visits this morning with hazards not yet issued.
    visits += [(enterprises[0], 0, inspector), (enterprises[13], 0, inspector)]
    visits.sort(key=lambda visit: -visit[1])
    for enterprise, days_ago, chosen_lead in visits:
        day = (real_now - timedelta(days=days_ago)).astimezone(clock.local_zone()).date()
        at = datetime.combine(day, time(9, rng.randrange(0, 50)), clock.local_zone())
        at = min(at, real_now - timedelta(minutes=30))
        lead = chosen_lead or rng.choice(inspectors)
        partner = inspector2 if lead is not inspector2 else inspector
        with clock.frozen(at):
            inspection = inspections.create_inspection(
                session,
                enterprise=enterprise,
                actor=lead,
                type="third_party"
                if lead.third_party
                else rng.choice(
                    ("routine", "routine", "special", "random", "seasonal", "pre_holiday")
                ),
                planned_date=day,
                enforcement=not lead.third_party and rng.random() < 0.3,
                co_inspector_ids=[partner.id],
            )
            _use_checklists(session, rng, inspection, enterprise, lead, answered=days_ago > 0)
            pool = HAZARDS_BY_INDUSTRY.get(enterprise.industry, ()) + GENERAL_HAZARDS
            chosen = rng.sample(pool, k=min(len(pool), rng.randrange(1, 4)))
            recorded = []
            for title, category, level, basis, location, measures in chosen:
                found = FoundHazard(
                    title=title,
                    description=f"{location}检查发现：{title}。",
                    location=location,
                    level=level,
                    category=category,
                    aspect=rng.choice(("person", "thing", "management")),
                    basis=basis,
                    required_measures=measures,
                    photos=[
                        _checked(_photo(rng, f"{enterprise.name} {location}", False), "before.jpg")
                    ],
                )
                hazard = record_hazard(session, inspection=inspection, actor=lead, found=found)
                fits = [
                    name
                    for name in must_have
                    if hazard.level == "major" or not name.startswith("listed")
                ]
                if fits and 20 <= days_ago <= 60:
                    scenario = fits[0]
                    must_have.remove(scenario)
                else:
                    scenario = rng.choice(settled if days_ago > 45 else scenarios)
                recorded.append((hazard, scenario, measures))
                made += 1
        if days_ago <= 2:
            # Found today or yesterday: not issued yet.
            recorded = [(hazard, "found", measures) for hazard, _s, measures in recorded]
        # Settle on-the-spot fixes and voids before the notice issues the rest.
        recorded.sort(key=lambda item: item[1] not in ("on_spot", "voided"))
        for hazard, scenario, measures in recorded:
            official = partner if lead.third_party else lead
            final = _progress(
                session,
                rng,
                hazard,
                scenario,
                (official, partner if official is lead else lead),
                supervisor,
                at,
                real_now,
                enterprise_users.get(enterprises.index(enterprise)),
                enterprise,
                measures,
            )
            counts[final] = counts.get(final, 0) + 1
        if all(h.state != HazardState.FOUND for h, _s, _m in recorded) and days_ago > 2:
            with clock.frozen(min(at + timedelta(hours=3), real_now)):
                _sign_all(session, rng, inspection, lead, enterprise)
                inspections.complete_inspection(
                    session, inspection=inspection, actor=lead, summary="现场检查已完成。"
                )
    session.flush()
    _recurring_plans(session, inspector, inspector2, real_now)
    states = "，".join(f"{state} {count}" for state, count in sorted(counts.items()))
    return (
        f"Demo park {PARK[0]}: {len(ZONES)} zones, {len(enterprises)} enterprises,"
        f" {len(visits)} inspections, {made} hazards ({states}).\n" + logins_text()
    )


def _recurring_plans(session: Session, inspector: User, inspector2: User, now) -> None:
    """The fixed-date holidays of the coming year, and two plans that repeat."""
    from datetime import date

    from inspection.campaigns import recurring
    from inspection.checklists.models import ChecklistTemplate
    from inspection.checklists.queries import latest_published

    today = clock.local(now).date()
    for name, month, day, days in (("元旦", 1, 1, 1), ("劳动节", 5, 1, 5), ("国庆节", 10, 1, 7)):
        start = date(today.year, month, day)
        if start < today:
            start = date(today.year + 1, month, day)
        recurring.add_holiday(session, name=name, start=start, end=start + timedelta(days - 1))

    def version(code: str) -> int:
        template = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.code == code))
        return latest_published(session, template.one().id).id

    plans = (
        {
            "name": "危化品企业月度例行检查",
            "recurrence": "monthly",
            "type": "routine",
            "day": 10,
            "industry": "化工",
            "version_ids": [version("chemical-major-2017")],
        },
        {
            "name": "节假日前消防安全检查",
            "recurrence": "before_holidays",
            "type": "pre_holiday",
            "day": 1,
            "risk": "hazardous_chemicals",
            "version_ids": [version("fire-gb35181")],
        },
    )
    with clock.frozen(now):
        for values in plans:
            recurring.save_plan(
                session,
                actor=inspector,
                plan=None,
                values={
                    "days_before_holiday": 3,
                    "lead_days": 7,
                    "duration_days": 5,
                    "inspector_ids": [inspector.id, inspector2.id],
                    **values,
                },
            )


def _progress(
    session,
    rng,
    hazard: Hazard,
    scenario: str,
    team: tuple[User, User],
    supervisor: User,
    found_at,
    real_now,
    portal_user: User | None,
    enterprise: Enterprise,
    measures: str,
) -> str:
    """Walk a hazard towards its scenario, never past the real present."""
    official, partner = team
    # The park's rule: someone other than the finder re-inspects.
    reviewer = partner if hazard.found_by_id == official.id else official
    acting = portal_user or _stand_in(session, enterprise)
    after = [_checked(_photo(rng, "after", True), "after.jpg")]
    inspection = session.get(Inspection, hazard.inspection_id)

    def issue():
        if hazard.state == HazardState.FOUND:
            hazards.issue_notice(session, inspection=inspection, actor=official)

    def submit():
        if hazard.level == "major" and not plans.plan_complete(session, hazard):
            plans.file_plan(
                session,
                hazard=hazard,
                actor=acting,
                responsible_person=acting.display_name,
                measures=measures,
                funding_yuan=rng.randrange(20, 200) * 1000,
                planned_completion=hazard.deadline,
                contingency_plan="停用相关设备，设置警戒区，专人监护",
                document=CheckedDocument(_plan_pdf(), "整改方案.pdf", "application/pdf"),
                expected_version=hazard.version,
            )
        _submit(session, rng, hazard, acting, measures)

    def review(accept: bool):
        if accept:
            hazards.accept_rectification(
                session,
                hazard=hazard,
                actor=reviewer,
                comment="复查合格，同意销号",
                photos=[],
                expected_version=hazard.version,
            )
        else:
            hazards.reject_rectification(
                session,
                hazard=hazard,
                actor=reviewer,
                reason="整改不到位，现场仍存在问题，请继续整改",
                new_deadline=clock.today() + timedelta(days=10),
                photos=[],
                expected_version=hazard.version,
            )

    def list_it():
        listing.list_hazard(
            session,
            hazard=hazard,
            actor=supervisor,
            level=rng.choice(("county", "park")),
            body=rng.choice(("县安全生产委员会", "开发区安全生产委员会")),
            listed_on=clock.today(),
            stop_production=True,
            comment="重大事故隐患，挂牌督办",
            expected_version=hazard.version,
        )

    def extension(approve: bool | None):
        request = extensions.request_extension(
            session,
            hazard=hazard,
            actor=acting,
            reason="整改所需设备到货延迟",
            requested_deadline=hazard.deadline + timedelta(days=20),
            expected_version=hazard.version,
        )
        if approve is not None:
            with clock.frozen(clock.now() + timedelta(days=1)):
                extensions.decide_extension(
                    session,
                    request=request,
                    actor=supervisor,
                    approve=approve,
                    comment=None if approve else "无正当理由",
                )

    steps: list[tuple[int, Callable[[], object]]] = []
    if scenario == "on_spot":
        steps.append(
            (
                0,
                lambda: hazards.fix_on_spot(
                    session,
                    hazard=hazard,
                    actor=official,
                    comment="现场已整改完毕",
                    photos=after,
                    expected_version=hazard.version,
                ),
            )
        )
    elif scenario == "voided":
        steps.append(
            (
                1,
                lambda: hazards.void_hazard(
                    session,
                    hazard=hazard,
                    actor=official,
                    reason="复核后确认不属于隐患，录入有误",
                    expected_version=hazard.version,
                ),
            )
        )
    elif scenario != "found":
        steps.append((0, issue))
        if scenario != "issued":
            steps.append((2, lambda: _acknowledge(session, hazard, acting)))
        if scenario.startswith("listed") and hazard.level == "major":
            steps.append((3, list_it))
        if scenario == "escalated":
            steps.append(
                (
                    20,
                    lambda: lifecycle.apply(
                        session,
                        hazards.lock(session, hazard),
                        "refuse",
                        official,
                        comment="企业拒不整改，移交执法",
                    ),
                )
            )
        if scenario in ("extension_pending", "extended"):
            steps.append((4, lambda: extension(None if scenario == "extension_pending" else True)))
        if scenario in (
            "submitted",
            "rectifying",
            "closed",
            "closed_after_reject",
            "listed_accepted",
            "extended",
        ):
            steps.append((rng.randrange(5, 12), submit))
        if scenario in ("rectifying", "closed_after_reject"):
            steps.append((14, lambda: review(False)))
        if scenario == "closed_after_reject":
            steps.append((20, submit))
        if scenario in ("closed", "closed_after_reject", "listed_accepted"):
            steps.append((rng.randrange(22, 30), lambda: review(True)))
    for offset, step in steps:
        when = found_at + timedelta(days=offset, hours=2)
        if when >= real_now:
            break
        with clock.frozen(when):
            step()
    return hazard.state


def _sign_all(session, rng, inspection, lead: User, enterprise: Enterprise) -> None:
    """Every inspector of the team and the enterprise's contact sign the record."""
    for member_id in inspections.team_ids(session, inspection.id):
        signatures.sign(
            session,
            inspection=inspection,
            actor=lead,
            role="inspector",
            signer_user_id=member_id,
            signer_name=None,
            image=_signature(rng),
        )
    signatures.sign(
        session,
        inspection=inspection,
        actor=lead,
        role="enterprise",
        signer_user_id=None,
        signer_name=enterprise.contact_name or "企业代表",
        image=_signature(rng),
    )


def _signature(rng) -> bytes:
    """A scribble standing in for a handwritten signature."""
    image = Image.new("RGBA", (480, 180), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(30 + i * 42, 90 + rng.randrange(-55, 55)) for i in range(11)]
    draw.line(points, fill=(16, 24, 40, 255), width=5, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _plan_pdf() -> bytes:
    """A one-page PDF standing in for a scanned rectification plan."""
    out = io.BytesIO()
    Image.new("RGB", (595, 842), "white").save(out, "PDF")
    return out.getvalue()


def _stand_in(session: Session, enterprise: Enterprise) -> User:
    """An enterprise account for enterprises without a demo login (they act in the portal too)."""
    username = f"ent{enterprise.id:03d}"
    existing = session.exec(select(User).where(User.username == username)).first()
    if existing:
        return existing
    return create_user(
        session,
        username=username,
        display_name=enterprise.contact_name or username,
        password=PASSWORD,
        role=Role.ENTERPRISE,
        enterprise_id=enterprise.id,
    )


def _use_checklists(session, rng, inspection, enterprise, inspector, *, answered: bool) -> None:
    """Use the checklists suited to the enterprise; past visits have them answered."""
    suited, _others = offered_versions(session, enterprise)
    for version in suited[:2]:
        add_checklist(session, inspection=inspection, version=version, actor=inspector)
        if not answered:
            continue
        for group in items_by_section(session, version.id).values():
            for item in group:
                applicable = rng.random() > 0.15
                record_answer(
                    session,
                    inspection=inspection,
                    item=item,
                    actor=inspector,
                    result="pass" if applicable else "na",
                    number=None,
                )


def _acknowledge(session: Session, hazard: Hazard, actor: User) -> None:
    notice = session.get(Notice, hazard.notice_id)
    if notice is not None and notice.acknowledged_at is None:
        hazards.acknowledge_notice(session, notice=notice, actor=actor)


def _submit(session, rng, hazard: Hazard, actor: User, measures: str) -> None:
    hazards.submit_rectification(
        session,
        hazard=hazard,
        actor=actor,
        measures=f"已{measures}。",
        responsible_person=actor.display_name,
        funding_yuan=rng.randrange(2, 80) * 500,
        photos=[_checked(_photo(rng, "after", True), "after.jpg")],
        expected_version=hazard.version,
    )


def logins_text() -> str:
    """The demo accounts, as printed by `make run` and listed in the README."""
    return (
        f"Demo logins (password {PASSWORD} for all):\n"
        "  admin       系统管理员 (administrator)\n"
        "  leader      张建国, 管委会 (supervisor)\n"
        "  inspector   王立新, 安监局 (inspector)\n"
        "  inspector2  李雪梅, 安监局 (inspector)\n"
        "  expert      陈思远, third-party service firm (inspector)\n"
        "  qiye        青溪恒锐五金制品有限公司 (enterprise)\n"
        "  senyuan     青溪森源木业有限公司 (enterprise)\n"
        "  xincai      青溪新材化工有限公司 (enterprise)"
    )
