"""The zones of a park and the enterprises in it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class Zone(SQLModel, table=True):
    """A zone (区块) of the park, e.g. 新材料新装备产业园."""

    __table_args__ = (UniqueConstraint("park_id", "name", name="uq_zone_park_name"),)

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    name: str = Field(max_length=64)
    description: str | None = Field(default=None, max_length=255)


class Scale(StrEnum):
    """Enterprise size class."""

    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"


class DischargePermit(StrEnum):
    """排污许可 management class."""

    NONE = "none"
    KEY = "key"  # 重点管理
    SIMPLIFIED = "simplified"  # 简化管理
    REGISTRATION = "registration"  # 登记管理


# Risk flags as (column, code used by checklists).
RISK_FLAGS: tuple[str, ...] = (
    "dust",
    "confined_space",
    "ammonia_refrigeration",
    "hazardous_chemicals",
    "major_hazard_source",
    "hazardous_waste",
)

# Industries of the park and the 工贸 sector each belongs to (for the 工贸 major-hazard standard).
INDUSTRY_SECTORS: dict[str, str | None] = {
    "五金": "机械",
    "机械": "机械",
    "化工": None,
    "光伏": "机械",
    "木制品": "轻工",
    "生物医疗": None,  # pharmaceuticals and medical devices: not a 工贸 sector (第二条)
    "印刷": "轻工",
    "食品": "轻工",
    "轻工": "轻工",
    "纺织": "纺织",
    "电子": "机械",
    "建材": "建材",
    "冶金": "冶金",
    "有色": "有色",
    "烟草": "烟草",
    "商贸": "商贸",
    "其他": None,
}


class Enterprise(SQLModel, table=True):
    """An enterprise in the park, identified by its unified social credit code."""

    __table_args__ = (UniqueConstraint("park_id", "name", name="uq_enterprise_park_name"),)

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id", index=True)
    zone_id: int | None = Field(default=None, foreign_key="zone.id", index=True)
    name: str = Field(max_length=128)
    credit_code: str = Field(max_length=18, unique=True)
    # 组织机构代码 (GB 11714): characters 9-17 of the credit code unless typed otherwise; the
    # national 双重预防 interface names the enterprise by it (companyCode).
    company_code: str | None = Field(default=None, max_length=9)
    industry: str = Field(max_length=32, index=True)
    address: str | None = Field(default=None, max_length=255)
    legal_representative: str | None = Field(default=None, max_length=64)
    contact_name: str | None = Field(default=None, max_length=64)
    contact_phone: str | None = Field(default=None, max_length=32)
    contact_email: str | None = Field(default=None, max_length=254)
    scale: str = Field(default=Scale.SMALL, max_length=16)
    employees: int | None = None
    risk_dust: bool = False
    risk_confined_space: bool = False
    risk_ammonia_refrigeration: bool = False
    risk_hazardous_chemicals: bool = False
    risk_major_hazard_source: bool = False
    risk_hazardous_waste: bool = False
    discharge_permit: str = Field(default=DischargePermit.NONE, max_length=16)
    active: bool = True
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    version: int = 1

    @property
    def sector(self) -> str | None:
        """The 工贸 sector of the enterprise's industry, if it has one."""
        return INDUSTRY_SECTORS.get(self.industry)

    def risk_flag_codes(self) -> set[str]:
        """The checklist codes of the risk flags this enterprise carries."""
        codes = {flag for flag in RISK_FLAGS if getattr(self, f"risk_{flag}")}
        if self.discharge_permit in (DischargePermit.KEY, DischargePermit.SIMPLIFIED):
            codes.add("discharge_permit")
        return codes
