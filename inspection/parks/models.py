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
    # The password policy: at least this long, not the user name, not a common password.
    password_min_length: int = 8
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)

    @property
    def label(self) -> str:
        """The name to show where space is short."""
        return self.short_name or self.name
