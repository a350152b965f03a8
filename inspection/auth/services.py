"""Logging in (with throttling) and managing accounts; services flush, the caller commits."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import LoginThrottle
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.passwords import DUMMY_HASH
from inspection.auth.passwords import MIN_LENGTH
from inspection.auth.passwords import hash_password
from inspection.auth.passwords import needs_rehash
from inspection.auth.passwords import verify_password
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.errors import check_version


class LoginRefused(DomainError):
    """Wrong credentials, a disabled account or too many failures."""


def normalise_username(username: str) -> str:
    """User names compare without case and surrounding space."""
    return username.strip().lower()


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    max_failures: int,
    lock_minutes: int,
) -> User:
    """Return the user for these credentials, or raise LoginRefused with the reason."""
    key = normalise_username(username)[:64]
    now = clock.now()
    throttle = session.get(LoginThrottle, key, with_for_update=True)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        minutes = max(1, int((throttle.locked_until - now).total_seconds() // 60) + 1)
        raise LoginRefused(
            _(
                "Too many failed attempts. Login for this user name is paused for"
                " %(minutes)s more minutes.",
                minutes=minutes,
            )
        )
    user = session.exec(select(User).where(User.username == key)).first()
    valid = verify_password(user.password_hash if user else DUMMY_HASH, password)
    if not valid or user is None:
        _record_failure(session, key, throttle, max_failures, lock_minutes)
        raise LoginRefused(_("The user name or password is wrong."))
    if not user.active:
        raise LoginRefused(_("This account is disabled. Ask an administrator to enable it."))
    if throttle is not None:
        session.delete(throttle)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.flush()
    return user


def _record_failure(
    session: Session,
    key: str,
    throttle: LoginThrottle | None,
    max_failures: int,
    lock_minutes: int,
) -> None:
    now = clock.now()
    window = timedelta(minutes=lock_minutes)
    if throttle is None:
        throttle = LoginThrottle(key=key, failures=0, first_failure_at=now)
        session.add(throttle)
    elif now - throttle.first_failure_at > window:
        throttle.failures, throttle.first_failure_at, throttle.locked_until = 0, now, None
    throttle.failures += 1
    if throttle.failures >= max_failures:
        throttle.locked_until = now + window
    session.flush()


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short."""
    if len(password) < MIN_LENGTH:
        raise DomainError(
            _("The password must have at least %(count)s characters.", count=MIN_LENGTH)
        )


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    enterprise_id: int | None = None,
    park_id: int | None = None,
    region_id: int | None = None,
    email: str | None = None,
    phone: str | None = None,
    organisation: str | None = None,
    third_party: bool = False,
    enforcement_certificate: str | None = None,
) -> User:
    """Create an account; an enterprise user must name its enterprise, no one else may."""
    key = normalise_username(username)
    if not key:
        raise DomainError(_("Enter a user name."))
    if session.exec(select(User.id).where(User.username == key)).first() is not None:
        raise DomainError(_("The user name %(name)s is already taken.", name=key))
    check_password_rules(password)
    if (role == Role.ENTERPRISE) != (enterprise_id is not None):
        raise DomainError(
            _("An enterprise user needs an enterprise; other roles must not have one.")
        )
    if role == Role.ENTERPRISE:
        enterprise = session.get(Enterprise, enterprise_id)
        if enterprise is None:
            raise DomainError(_("The enterprise no longer exists."))
        park_id, region_id = enterprise.park_id, None
    elif (park_id is None) == (region_id is None):
        raise DomainError(
            _("Choose where the user works: one park, or the region's bureau (all its parks).")
        )
    user = User(
        username=key,
        display_name=display_name.strip() or key,
        password_hash=hash_password(password),
        role=role,
        enterprise_id=enterprise_id,
        park_id=park_id,
        region_id=region_id,
        email=email or None,
        phone=phone or None,
        organisation=organisation or None,
        third_party=third_party,
        enforcement_certificate=enforcement_certificate or None,
    )
    session.add(user)
    session.flush()
    return user


def update_user(
    session: Session,
    user: User,
    *,
    expected_version: int,
    display_name: str,
    email: str | None,
    phone: str | None,
    organisation: str | None,
    third_party: bool,
    enforcement_certificate: str | None,
) -> User:
    """Change a user's details, refusing a stale edit."""
    check_version(user.version, expected_version)
    user.display_name = display_name.strip() or user.username
    user.email = email or None
    user.phone = phone or None
    user.organisation = organisation or None
    user.third_party = third_party
    user.enforcement_certificate = enforcement_certificate or None
    user.version += 1
    session.flush()
    return user


def set_active(session: Session, user: User, *, active: bool, actor: User) -> None:
    """Enable or disable an account (an admin cannot disable themself)."""
    if user.id == actor.id and not active:
        raise DomainError(_("You cannot disable your own account."))
    user.active = active
    user.version += 1
    session.flush()


def reset_password(session: Session, user: User, *, password: str) -> None:
    """Set a new password chosen by an admin; the user is asked to change it at next login."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.version += 1
    session.exec(
        LoginThrottle.__table__.delete().where(LoginThrottle.key == user.username)  # type: ignore[attr-defined]
    )
    session.flush()


def change_own_password(session: Session, user: User, *, current: str, new: str) -> None:
    """Let a user replace their password after proving the current one."""
    if not verify_password(user.password_hash, current):
        raise DomainError(_("The current password is wrong."))
    check_password_rules(new)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.version += 1
    session.flush()
