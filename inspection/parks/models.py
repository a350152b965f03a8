"""A region (a county or a city) and the parks it supervises, with each park's own settings."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class Region(SQLModel, table=True):
    """区域: a county or city whose bureau supervises several parks side by side."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True)
    # The bureau's name as it heads its documents, e.g. 青溪县应急管理局.
    authority: str | None = Field(default=None, max_length=128)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)


class Park(SQLModel, table=True):
    """An economic development zone or industrial park run by one committee (管委会)."""

    id: int | None = Field(default=None, primary_key=True)
    region_id: int | None = Field(default=None, foreign_key="region.id", index=True)
    name: str = Field(max_length=128, unique=True)
    # A short name for lists and charts, e.g. 青溪经开区.
    short_name: str | None = Field(default=None, max_length=32)
    # Printed in notice numbers, e.g. 经开安环整改〔2026〕9号.
    notice_prefix: str = Field(max_length=32)
    # The committee's name as it heads its documents, e.g. 青溪经济开发区管理委员会.
    authority: str | None = Field(default=None, max_length=128)
    # Workflow settings: the re-inspector must not be the finder; who decides extensions.
    reviewer_must_differ: bool = True
    extension_approver: str = Field(default="supervisor", max_length=16)
    # Extension rules. Defaults from the 挂牌督办 practice in regulations.md §1.5 (Qingdao
    # "3+X"): apply at least 20 working days before the deadline, decided within 10 working
    # days, and a rectification deadline of at most one year. The lead time applies to major
    # hazards; a general hazard (15 days by default) may ask up to its deadline day.
    extension_lead_days_major: int = 20
    extension_lead_days_general: int = 0
    extension_decision_days: int = 10
    # However often it is extended, a deadline stays within this many days of the finding.
    rectification_max_days: int = 365
    # Levels: 一般 and 重大 always; 较大 only where the park uses a third grade (the national
    # rules have two grades, 16号令 第三条; some local schemes add 较大, regulations.md §1.2).
    significant_level: bool = False
    # 研判: how many people take part in confirming a major finding before its notice goes
    # out. GB 35181-2025 deleted the 2017 edition's chapter 4 (不少于3人集体讨论), and the
    # lifecycle in regulations.md §2 asks only that a supervisor confirm the level with its
    # 判定依据; so one supervisor by default, more where a park's rules ask for a panel.
    confirmation_min_people: int = 1
    # The password policy: at least this long, not the user name, not a common password.
    password_min_length: int = 8
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)

    @property
    def label(self) -> str:
        """The name to show where space is short."""
        return self.short_name or self.name
