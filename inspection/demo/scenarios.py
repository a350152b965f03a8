"""How the demo walks a hazard and an inspection along: notices, plans, extensions, 挂牌督办,
re-inspections, fixes on the spot, escalations, signatures and completion."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.services import create_user
from inspection.checklists.queries import items_by_section
from inspection.checklists.queries import offered_versions
from inspection.demo import pictures
from inspection.demo.data import PASSWORD
from inspection.enterprises.models import Enterprise
from inspection.evidence.documents import CheckedDocument
from inspection.hazards import extensions
from inspection.hazards import listing
from inspection.hazards import plans
from inspection.hazards import services as hazards
from inspection.hazards.confirmation import awaits_confirmation
from inspection.hazards.confirmation import confirm
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardState
from inspection.hazards.models import Notice
from inspection.inspections import services as inspections
from inspection.inspections import signatures
from inspection.inspections.answers import Given
from inspection.inspections.answers import add_checklist
from inspection.inspections.answers import record_answers
from inspection.inspections.models import Inspection


def progress(
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
    after = [pictures.checked(pictures.photo(rng, "after", True), "after.jpg")]
    inspection = session.get(Inspection, hazard.inspection_id)

    def issue():
        if hazard.state == HazardState.FOUND:
            if awaits_confirmation(hazard):
                confirm(
                    session,
                    hazard=hazard,
                    actor=supervisor,
                    participants=f"{official.display_name}\n{partner.display_name}",
                    keep_major=True,
                    comment="判定依据明确，确认为重大事故隐患",
                    expected_version=hazard.version,
                )
            hazards.issue_notice(session, inspection=inspection, actor=official)

    def submit():
        if hazard.level == "major" and not plans.plan_complete(session, hazard):
            draft = plans.PlanDraft(
                goals=f"按期消除“{hazard.title}”，整改后经复查验收合格",
                measures=measures,
                funding_yuan=rng.randrange(20, 200) * 1000,
                materials="所需设备、材料由设备部采购，到货后安装",
                organization="安全环保部牵头，设备部、生产部配合",
                responsible_person=acting.display_name,
                planned_completion=hazard.deadline,
                requirements="按判定依据所列标准整改，完成后申请复查",
                safety_measures="整改期间停用相关设备，撤出无关人员，设置警戒标志",
                contingency_plan="停用相关设备，设置警戒区，专人监护",
                document=CheckedDocument(pictures.plan_pdf(), "整改方案.pdf", "application/pdf"),
            )
            plans.file_plan(
                session, hazard=hazard, actor=acting, draft=draft, expected_version=hazard.version
            )
        _submit(session, rng, hazard, acting, measures)

    def review(accept: bool):
        if accept:
            evaluation = None
            if hazards.evaluation_required(hazard):
                evaluation = CheckedDocument(
                    pictures.plan_pdf(), "整改情况评估报告.pdf", "application/pdf"
                )
            hazards.accept_rectification(
                session,
                hazard=hazard,
                actor=reviewer,
                comment="复查合格，同意销号",
                photos=[],
                expected_version=hazard.version,
                evaluation=evaluation,
            )
        else:
            hazards.reject_rectification(
                session,
                hazard=hazard,
                actor=reviewer,
                reason="整改不到位，现场仍存在问题，请继续整改",
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

    def resume_production():
        if hazard.state == HazardState.ACCEPTED and hazard.stop_production:
            hazards.approve_resumption(
                session,
                hazard=hazard,
                actor=supervisor,
                comment="经现场审查，整改评估合格，同意恢复生产",
                document=None,
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
                    # Only a supervisor voids a major hazard.
                    actor=supervisor if hazard.level == "major" else official,
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
                    lambda: hazards.refuse_rectification(
                        session, hazard=hazard, actor=official, reason="企业拒不整改，移交执法"
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
        if scenario == "listed_accepted":
            steps.append((31, resume_production))
    for offset, step in steps:
        when = found_at + timedelta(days=offset, hours=2)
        if when >= real_now:
            break
        with clock.frozen(when):
            step()
    return hazard.state


def sign_all(session, rng, inspection, lead: User, enterprise: Enterprise) -> None:
    """Every inspector of the team and the enterprise's contact sign the record."""
    for member_id in inspections.team_ids(session, inspection.id):
        signatures.sign(
            session,
            inspection=inspection,
            actor=lead,
            role="inspector",
            signer_user_id=member_id,
            signer_name=None,
            image=pictures.signature(rng),
        )
    signatures.sign(
        session,
        inspection=inspection,
        actor=lead,
        role="enterprise",
        signer_user_id=None,
        signer_name=enterprise.contact_name or "企业代表",
        image=pictures.signature(rng),
    )


def _stand_in(session: Session, enterprise: Enterprise) -> User:
    """An enterprise account for enterprises without a demo login (they act in the portal too)."""
    username = f"ent{enterprise.id:03d}"
    existing = session.exec(select(User).where(User.username == username)).first()
    if existing:
        return existing
    return create_user(
        session,
        via="demo",
        username=username,
        display_name=enterprise.contact_name or username,
        password=PASSWORD,
        role=Role.ENTERPRISE,
        enterprise_id=enterprise.id,
    )


def use_checklists(session, rng, inspection, enterprise, inspector, *, answered: bool) -> None:
    """Use the checklists suited to the enterprise; past visits have them answered."""
    suited, _others = offered_versions(session, enterprise)
    for version in suited[:2]:
        add_checklist(session, inspection=inspection, version=version, actor=inspector)
        if not answered:
            continue
        given = [
            Given(item, result="pass" if rng.random() > 0.15 else "na")
            for group in items_by_section(session, version.id).values()
            for item in group
        ]
        record_answers(session, inspection=inspection, actor=inspector, given=given)


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
        photos=[pictures.checked(pictures.photo(rng, "after", True), "after.jpg")],
        expected_version=hazard.version,
    )


ANALYSES = (
    "本季度隐患主要集中在消防设施和临时用电，已组织专项检查并落实整改；下季度加强班组日常巡查。",
    "重复出现的隐患为通道堆物和警示标识缺失，已修订现场管理制度并纳入绩效考核。",
    "季度内重大事故隐患已制定治理方案并按期推进，其余一般隐患均已整改闭环。",
)


def file_statistics_of(session, rng, enterprises, portal_users: dict, real_now) -> None:
    """The enterprises with a portal login file the last quarter's statistics, signed by their
    principal person in charge (16号令 第十四条); one of them has not filed yet."""
    from inspection.filings import periods
    from inspection.filings.queries import figures
    from inspection.filings.services import FiledStatistics
    from inspection.filings.services import file_statistics

    today = clock.local(real_now).date()
    last = next(p for p in periods.recent(today) if not p.annual and p.due < today)
    for index, user in sorted(portal_users.items())[:-1]:
        enterprise = enterprises[index]
        counts = figures(session, enterprise.id, last)
        own = rng.randrange(2, 6)  # found and fixed by the enterprise itself
        filed_at = clock.start_of_local_day(last.due) - timedelta(days=rng.randrange(1, 6))
        with clock.frozen(filed_at + timedelta(hours=10)):
            file_statistics(
                session,
                enterprise=enterprise,
                actor=user,
                filed=FiledStatistics(
                    period=last.code,
                    found=counts["found"] + own,
                    found_major=counts["found_major"],
                    rectified=counts["rectified"] + own,
                    rectified_major=counts["rectified_major"],
                    still_open=counts["still_open"],
                    funding_yuan=counts["funding_yuan"] + own * 800,
                    analysis=rng.choice(ANALYSES),
                    principal_name=enterprise.legal_representative
                    or enterprise.contact_name
                    or "主要负责人",
                    signature=pictures.signature(rng),
                ),
            )
