"""The summary tables behind the supervision figures."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger
from sqlalchemy import Index
from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel


class HazardTally(SQLModel, table=True):
    """Counts of the hazards found in one month, for one value of one dimension and one level.

    Every hazard is counted once per dimension (the whole park, its zone, industry, enterprise,
    the inspector who found it, its category and source), in the month it was found. The rows
    change in the same transaction as the hazards, so the figures never scan the hazard table.
    """

    __tablename__ = "hazard_tally"
    __table_args__ = (
        UniqueConstraint(
            "park_id", "dimension", "month", "key", "level", name="uq_hazard_tally_cell"
        ),
        # A region's figures read every park's cells of a dimension and months: on PostgreSQL
        # from the index alone.
        Index(
            "ix_hazard_tally_dimension_month",
            "dimension",
            "month",
            postgresql_include=[
                "park_id",
                "key",
                "level",
                "found",
                "closed",
                "closed_on_time",
                "close_days",
                "funding_yuan",
            ],
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    park_id: int = Field(foreign_key="park.id")
    dimension: str = Field(max_length=16)
    # The first day of the (local) month the hazards were found in.
    month: date
    # The dimension's value: a zone, enterprise or inspector id, an industry, a category code;
    # empty for the park.
    key: str = Field(max_length=64)
    level: str = Field(max_length=16)
    found: int = 0
    closed: int = 0
    # Closed by the first deadline set (按期), whatever extensions came later.
    closed_on_time: int = 0
    # The sum of days from finding to closing, over the closed ones.
    close_days: int = 0
    funding_yuan: int = 0


class StandingVersion(SQLModel, table=True):
    """One row whose number goes up in every transaction that writes a hazard or an enterprise,
    so that figures read from them can be kept until it moves (see statistics/standing.py)."""

    __tablename__ = "standing_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_type=BigInteger)
