"""Accounts, roles and the login throttle."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlalchemy import Text
from sqlmodel import Field
from sqlmodel import SQLModel

from inspection import clock
from inspection.db import UTCDateTime


class Role(StrEnum):
    """What a user is in the park's work."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    INSPECTOR = "inspector"
    ENTERPRISE = "enterprise"


class User(SQLModel, table=True):
    """A person who logs in; an enterprise user belongs to exactly one enterprise."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "(role = 'enterprise' AND enterprise_id IS NOT NULL)"
            " OR (role <> 'enterprise' AND enterprise_id IS NULL)",
            name="enterprise_role",
        ),
        CheckConstraint(
            "role IN ('admin', 'supervisor', 'inspector', 'enterprise')",
            name="role",
        ),
        # Staff work for one park, or for the region's bureau (all its parks); an enterprise's
        # users belong to the enterprise's park.
        CheckConstraint(
            "(park_id IS NULL OR region_id IS NULL)"
            " AND (role <> 'enterprise' OR park_id IS NOT NULL)",
            name="user_home",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=64)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16)
    enterprise_id: int | None = Field(default=None, foreign_key="enterprise.id", index=True)
    # Where the user works: one park, or a region's bureau (every park of the region).
    park_id: int | None = Field(default=None, foreign_key="park.id", index=True)
    region_id: int | None = Field(default=None, foreign_key="region.id", index=True)
    # The employer of a third-party service firm's staff (安全生产社会化服务).
    organisation: str | None = Field(default=None, max_length=128)
    third_party: bool = False
    enforcement_certificate: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    locale: str | None = Field(default=None, max_length=8)
    # Email: each message at once, a daily digest, or none (see notifications.EmailMode).
    email_mode: str = Field(default="immediate", max_length=16)
    active: bool = True
    must_change_password: bool = False
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1
    # Part of the session's login: a new one on each password change or reset ends every
    # other session of the user.
    session_stamp: str = Field(default_factory=lambda: secrets.token_hex(8), max_length=32)

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_stamp}"

    def end_other_sessions(self) -> None:
        """Make every session logged in so far invalid (the caller logs the current one in
        again)."""
        self.session_stamp = secrets.token_hex(8)


class LoginThrottle(SQLModel, table=True):
    """Failed logins, counted per user name and address (`pair:`), per address across user
    names (`ip:`) and per account from every address (`user:`), shared by all web workers."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=160)
    failures: int = 0
    first_failure_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    # No try is taken before this moment (a growing delay), or for `user:` keys: the account
    # is locked for addresses it never logged in from until then.
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # For `user:` keys: the addresses the failures came from (a JSON list, capped).
    addresses: str = Field(default="[]", sa_type=Text)


class PasswordReset(SQLModel, table=True):
    """A one-time link to choose a new password: only the token's hash is kept."""

    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=clock.now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
