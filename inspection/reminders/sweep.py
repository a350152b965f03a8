"""The daily reminder sweep: deadlines coming up, due today and overdue, escalation to the
supervisors (for hazards and for assigned cases alike), extension requests waiting for a decision
and statistics reports falling due.

A sweep for a day reads only the hazards whose deadline makes a rule fire that day (through the
partial index on open hazards' deadlines) and writes messages whose keys name the rule and the
deadline, so sweeping a day twice, or catching up on days missed, sends nothing twice.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from sqlmodel import Session
from sqlmodel import func
from sqlmodel import select

from inspection import clock
from inspection.assignments import services as assignments
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.enterprises.models import Enterprise
from inspection.hazards.audit import append_event
from inspection.hazards.context import hazard_link
from inspection.hazards.models import ExtensionRequest
from inspection.hazards.models import ExtensionStatus
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.hazards.models import HazardLevel
from inspection.hazards.models import owes_rectification
from inspection.notifications.services import Message
from inspection.notifications.services import queue
from inspection.notifications.services import supervisors
from inspection.parks.models import Park
from inspection.reminders.models import ReminderPolicy
from inspection.reminders.models import SweepState
from inspection.reminders.policy import policy_for
from inspection.reminders.rules import Steps
from inspection.reminders.rules import deadlines_due
from inspection.reminders.rules import escalates
from inspection.reminders.rules import parse_days
from inspection.reminders.rules import rule_for
from inspection.reminders.rules import statistics_periods_due_within

log = logging.getLogger(__name__)

JOB = "reminders"
# A scheduler that was down longer than this catches up on this many days only.
MAX_CATCH_UP_DAYS = 31


@dataclass
class SweepResult:
    """What one sweep did."""

    days: list[date] = field(default_factory=list)
    hazards_read: int = 0
    cases_read: int = 0
    notifications: int = 0
    escalated: int = 0


def run(session: Session) -> SweepResult:
    """Sweep every day since the last sweep up to today (today again if already swept)."""
    today = clock.today()
    state = session.get(SweepState, JOB)
    if state is None:
        days = [today]
    else:
        first = max(state.last_day + timedelta(days=1), today - timedelta(MAX_CATCH_UP_DAYS - 1))
        days = [first + timedelta(n) for n in range((today - first).days + 1)] or [today]
    total = SweepResult()
    for day in days:
        result = sweep_day(session, day)
        total.days.append(day)
        total.hazards_read += result.hazards_read
        total.cases_read += result.cases_read
        total.notifications += result.notifications
        total.escalated += result.escalated
        state = session.get(SweepState, JOB)
        if state is None:
            session.add(SweepState(job=JOB, last_day=day))
        elif day > state.last_day:
            state.last_day = day
            state.updated_at = clock.now()
        session.commit()
    return total


def sweep_day(session: Session, day: date) -> SweepResult:
    """Queue everything the rules say is due on `day`, in every park."""
    result = SweepResult(days=[day])
    for park in session.exec(select(Park)):
        policy = policy_for(session, park.id)
        people = _People(session, park.id)
        messages: list[Message] = []
        escalations: list[tuple[int, int]] = []
        for level in (HazardLevel.GENERAL, HazardLevel.SIGNIFICANT, HazardLevel.MAJOR):
            steps = Steps.of(policy, major=level == HazardLevel.MAJOR)
            for hazard in due_hazards(session, park.id, level, day, steps):
                result.hazards_read += 1
                messages.extend(_hazard_messages(hazard, day, steps, people, escalations))
        case_escalations: list[tuple[int, date, int]] = []
        messages.extend(_case_messages(session, day, policy, people, result, case_escalations))
        messages.extend(_extension_messages(session, park.id, day, policy, people))
        messages.extend(_statistics_messages(session, day, policy, people))
        result.notifications += len(queue(session, messages))
        for hazard_id, days in escalations:
            result.escalated += _record_escalation(session, session.get(Hazard, hazard_id), days)
        for case_id, deadline, days in case_escalations:
            result.escalated += assignments.record_escalation(session, case_id, deadline, days)
    return result


def due_hazards(session: Session, park_id: int, level: str, day: date, steps: Steps):
    """The open hazards of one level whose deadline makes a rule fire on `day`."""
    earliest = session.exec(
        select(func.min(Hazard.deadline)).where(
            owes_rectification(),
            Hazard.park_id == park_id,
            Hazard.level == level,
            Hazard.deadline.is_not(None),
        )
    ).one()
    return session.exec(due_hazards_statement(park_id, level, deadlines_due(day, steps, earliest)))


# What the reminders need of a hazard (a light row, not the whole record).
DUE_COLUMNS = (
    Hazard.id,
    Hazard.number,
    Hazard.title,
    Hazard.enterprise_id,
    Hazard.level,
    Hazard.basis,
    Hazard.deadline,
    Hazard.assigned_inspector_id,
    Hazard.found_by_id,
)


def due_hazards_statement(park_id: int, level: str, deadlines: list[date]):
    """Open hazards of one level and park with one of these deadlines (partial index)."""
    return (
        select(*DUE_COLUMNS)
        .where(
            owes_rectification(),
            Hazard.deadline.in_(deadlines),
            Hazard.level == level,
            Hazard.park_id == park_id,
        )
        .order_by(Hazard.deadline, Hazard.id)
    )


class _People:
    """Who to tell, loaded once per park and sweep."""

    def __init__(self, session: Session, park_id: int) -> None:
        self.session = session
        self.enterprises = dict(
            session.exec(
                select(Enterprise.id, Enterprise.name).where(
                    Enterprise.park_id == park_id, Enterprise.active.is_(True)
                )
            ).all()
        )
        self.by_enterprise: dict[int, list[User]] = defaultdict(list)
        for user in session.exec(
            select(User).where(
                User.role == Role.ENTERPRISE, User.active.is_(True), User.park_id == park_id
            )
        ):
            self.by_enterprise[user.enterprise_id].append(user)
        self.park_id = park_id
        self.supervisors = supervisors(session, park_id)
        self._users: dict[int, User | None] = {}

    def user(self, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        if user_id not in self._users:
            self._users[user_id] = self.session.get(User, user_id)
        return self._users[user_id]

    def enterprise_name(self, enterprise_id: int) -> str:
        if enterprise_id not in self.enterprises:
            enterprise = self.session.get(Enterprise, enterprise_id)
            self.enterprises[enterprise_id] = enterprise.name if enterprise else ""
        return self.enterprises[enterprise_id]


def _hazard_messages(
    hazard, day: date, steps: Steps, people: _People, escalations: list
) -> list[Message]:
    params = {
        "hazard": hazard.number,
        "title": hazard.title,
        "enterprise": people.enterprise_name(hazard.enterprise_id),
        "deadline": hazard.deadline.isoformat(),
        "level": hazard.level,
        "basis": hazard.basis,
    }
    link = f"/hazards/{hazard.id}"
    enterprise = people.by_enterprise.get(hazard.enterprise_id, [])
    inspector = people.user(hazard.assigned_inspector_id or hazard.found_by_id)
    messages = []
    fired = rule_for(day, hazard.deadline, steps)
    if fired is not None:
        if fired.days > 0:
            kind, recipients = "deadline_near", list(enterprise)
        elif fired.days == 0:
            kind, recipients = "due_today", list(enterprise)
        else:
            kind, recipients = "overdue", [*enterprise, inspector]
        if hazard.level == HazardLevel.MAJOR and inspector not in recipients:
            recipients.append(inspector)
        messages.append(
            Message(
                recipients,
                kind,
                f"{fired.rule}:{hazard.id}:{hazard.deadline}",
                {**params, "days": abs(fired.days)},
                link,
                hazard.id,
            )
        )
    if escalates(day, hazard.deadline, steps):
        late = (day - hazard.deadline).days
        messages.append(
            Message(
                [*people.supervisors, inspector],
                "overdue_escalated",
                f"escalate:{hazard.id}:{hazard.deadline}",
                {**params, "days": late},
                link,
                hazard.id,
            )
        )
        escalations.append((hazard.id, late))
    return messages


def _case_messages(
    session: Session,
    day: date,
    policy: ReminderPolicy,
    people: _People,
    result: SweepResult,
    escalations: list,
) -> list[Message]:
    """Assigned cases (交办件) follow the same rules as a general hazard: reminders before the
    deadline and on it to whoever owes the rectification (the enterprise's users, or the staff
    member who imported the batch for the park's own cases), overdue reminders also to that
    staff member, and one escalation to the supervisors."""
    steps = Steps.of(policy, major=False)
    earliest = assignments.earliest_owed_deadline(session, people.park_id)
    if earliest is None:
        return []
    messages = []
    for case in assignments.due_cases(session, people.park_id, deadlines_due(day, steps, earliest)):
        result.cases_read += 1
        params = {
            "number": case.number,
            "problem": _short(case.problem),
            "responsible": (
                people.enterprise_name(case.enterprise_id)
                if case.enterprise_id is not None
                else case.department or ""
            ),
            "deadline": case.deadline.isoformat(),
        }
        link = f"/assignments/cases/{case.id}"
        follower = people.user(case.created_by_id)
        owing = people.by_enterprise.get(case.enterprise_id, []) if case.enterprise_id else []
        fired = rule_for(day, case.deadline, steps)
        if fired is not None:
            kind = (
                "case_deadline_near"
                if fired.days > 0
                else "case_due_today"
                if fired.days == 0
                else "case_overdue"
            )
            recipients = [*owing, follower] if fired.days < 0 or not owing else list(owing)
            messages.append(
                Message(
                    recipients,
                    kind,
                    f"{fired.rule}:{case.id}:{case.deadline}",
                    {**params, "days": abs(fired.days)},
                    link,
                    park_id=people.park_id,
                )
            )
        if escalates(day, case.deadline, steps):
            late = (day - case.deadline).days
            messages.append(
                Message(
                    [*people.supervisors, follower],
                    "case_overdue_escalated",
                    f"escalate:{case.id}:{case.deadline}",
                    {**params, "days": late},
                    link,
                    park_id=people.park_id,
                )
            )
            escalations.append((case.id, case.deadline, late))
    return messages


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _record_escalation(session: Session, hazard: Hazard, days: int) -> int:
    """Note the escalation in the hazard's history, once per deadline."""
    session.refresh(hazard, with_for_update=True)
    deadline = hazard.deadline.isoformat()
    for data in session.exec(
        select(HazardEvent.data).where(
            HazardEvent.hazard_id == hazard.id, HazardEvent.event == "escalate_overdue"
        )
    ).all():
        if json.loads(data).get("deadline") == deadline:
            return 0
    append_event(
        session,
        hazard,
        event="escalate_overdue",
        from_state=hazard.state,
        to_state=hazard.state,
        actor=None,
        comment=None,
        data={"deadline": deadline, "days_overdue": days},
        at=clock.now(),
    )
    return 1


def _extension_messages(
    session: Session, park_id: int, day: date, policy: ReminderPolicy, people: _People
) -> list[Message]:
    """Remind whoever decides of extension requests that keep waiting."""
    from inspection.hazards.extensions import approver_role

    if policy.extension_every <= 0:
        return []
    messages = []
    rows = session.exec(
        select(ExtensionRequest, Hazard)
        .join(Hazard, Hazard.id == ExtensionRequest.hazard_id)
        .where(ExtensionRequest.status == ExtensionStatus.PENDING, Hazard.park_id == park_id)
    ).all()
    for request, hazard in rows:
        waiting = (day - clock.local(request.requested_at).date()).days
        if waiting < 1 or (waiting - 1) % policy.extension_every:
            continue
        if approver_role(session, hazard) == Role.SUPERVISOR:
            deciders = list(people.supervisors)
        else:
            deciders = [people.user(hazard.assigned_inspector_id or hazard.found_by_id)]
        messages.append(
            Message(
                deciders,
                "extension_waiting",
                f"extension-waiting:{request.id}:{waiting}",
                {
                    "hazard": hazard.number,
                    "title": hazard.title,
                    "enterprise": people.enterprise_name(hazard.enterprise_id),
                    "old": request.old_deadline.isoformat(),
                    "new": request.requested_deadline.isoformat(),
                    "waiting": waiting,
                },
                hazard_link(hazard),
                hazard.id,
            )
        )
    return messages


def _statistics_messages(
    session: Session, day: date, policy: ReminderPolicy, people: _People
) -> list[Message]:
    """Remind enterprises of their quarterly and annual hazard statistics reports, until they
    have filed them."""
    from inspection.filings.queries import filed_enterprises

    offsets = parse_days(policy.statistics_before_days)
    if not offsets:
        return []
    messages = []
    for period in statistics_periods_due_within(day, max(offsets)):
        ahead = (period.due - day).days
        if ahead not in offsets:
            continue
        filed = filed_enterprises(session, people.park_id, period.code)
        for enterprise_id, name in people.enterprises.items():
            if enterprise_id in filed:
                continue
            messages.append(
                Message(
                    people.by_enterprise.get(enterprise_id, []),
                    "statistics_due",
                    f"statistics:{enterprise_id}:{period.code}:{ahead}",
                    {"enterprise": name, "period": period.code, "due": period.due.isoformat()},
                    f"/statistics-filings/new?period={period.code}",
                    park_id=people.park_id,
                )
            )
    return messages
