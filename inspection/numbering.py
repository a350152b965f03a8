"""Gap-free document numbers: one counter row per series, taken under a row lock."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Field
from sqlmodel import Session
from sqlmodel import SQLModel
from sqlmodel import select


class Counter(SQLModel, table=True):
    """The last number handed out in one series (e.g. notices of park 1 in 2026)."""

    name: str = Field(primary_key=True, max_length=64)
    value: int = 0


def next_number(session: Session, series: str) -> int:
    """Take the next number of a series inside the caller's transaction.

    The counter row is created on first use and then incremented with an UPDATE, which holds
    the row lock until the transaction ends: concurrent issuers wait for each other, so numbers
    are consecutive with no gaps or duplicates, and a rolled-back transaction gives its number
    back.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(Counter).values(name=series, value=0).on_conflict_do_nothing())
    session.execute(update(Counter).where(Counter.name == series).values(value=Counter.value + 1))
    return session.exec(select(Counter.value).where(Counter.name == series)).one()
