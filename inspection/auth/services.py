"""Logging in (with throttling) and managing accounts; services flush, the caller commits."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete
from sqlalchemy import update
from sqlmodel import Session
from sqlmodel import select

from inspection import clock
from inspection.auth.models import LoginThrottle
from inspection.auth.models import PasswordReset
from inspection.auth.models import Role
from inspection.auth.models import User
from inspection.auth.passwords import MIN_LENGTH
from inspection.auth.passwords import dummy_hash
from inspection.auth.passwords import hash_password
from inspection.auth.passwords import is_common
from inspection.auth.passwords import needs_rehash
from inspection.auth.passwords import verify_password
from inspection.enterprises.models import Enterprise
from inspection.errors import DomainError
from inspection.notifications.services import notify
from inspection.parks.models import Park
from inspection.security import queries as security_queries
from inspection.security import services as security
from inspection.security.models import EventKind
from inspection.security.models import Outcome


class LoginRefused(DomainError):
    """Wrong credentials, a disabled account or too many failures."""


@dataclass(frozen=True)
class LoginLimits:
    """How failed logins are slowed down (see config.py for each setting)."""

    free_failures: int = 5
    address_free_failures: int = 20
    max_delay_seconds: int = 15 * 60
    window_minutes: int = 60
    lock_failures: int = 50
    lock_addresses: int = 10

    @classmethod
    def from_config(cls, config) -> LoginLimits:
        return cls(
            free_failures=config["LOGIN_FREE_FAILURES"],
            address_free_failures=config["LOGIN_ADDRESS_FREE_FAILURES"],
            max_delay_seconds=config["LOGIN_MAX_DELAY_SECONDS"],
            window_minutes=config["LOGIN_WINDOW_MINUTES"],
            lock_failures=config["LOGIN_LOCK_FAILURES"],
            lock_addresses=config["LOGIN_LOCK_ADDRESSES"],
        )


class WrongPassword(DomainError):
    """The current password given to change it is wrong."""


def normalise_username(username: str) -> str:
    """User names compare without case and surrounding space."""
    return username.strip().lower()


def _wait_message(seconds: int) -> str:
    if seconds < 120:
        return ngettext(
            "Too many failed logins. Wait %(num)d second, then try again.",
            "Too many failed logins. Wait %(num)d seconds, then try again.",
            seconds,
        )
    minutes = (seconds + 59) // 60
    return ngettext(
        "Too many failed logins. Wait %(num)d minute, then try again.",
        "Too many failed logins. Wait %(num)d minutes, then try again.",
        minutes,
    )


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    address: str | None,
    limits: LoginLimits = LoginLimits(),  # noqa: B008 (frozen)
) -> User:
    """Return the user for these credentials, or raise LoginRefused with the reason.

    Failures slow further tries down rather than locking anyone out: a user name from one
    address, and one address across user names, each get a few free failures, then every try
    waits twice as long as the one before. An account is locked only after many failures from
    many addresses, and then only for addresses the user never logged in from."""
    name = normalise_username(username)[:64]
    address = address or "-"
    now = clock.now()
    keys = (f"pair:{name}|{address}", f"ip:{address}")
    throttles = [session.get(LoginThrottle, key) for key in keys]
    waits = [t.locked_until for t in throttles if t and t.locked_until and t.locked_until > now]
    if waits:
        seconds = max(1, int((max(waits) - now).total_seconds() + 0.999))
        security.record(
            session,
            kind=EventKind.LOGIN_THROTTLED,
            outcome=Outcome.REFUSED,
            username=name,
            **_home_of(session, name),
            data={"wait_seconds": seconds},
        )
        raise LoginRefused(_wait_message(seconds))
    user = session.exec(select(User).where(User.username == name)).first()
    # Always verify a hash, the user's or a dummy one, so every answer takes the same time.
    valid = verify_password(user.password_hash if user else dummy_hash(), password)
    if user is not None and valid and _locked_here(session, user, address, now):
        security.record(
            session,
            kind=EventKind.LOGIN,
            outcome=Outcome.REFUSED,
            actor=user,
            data={"reason": "account_locked"},
        )
        raise LoginRefused(
            _(
                "This account is locked after many failed logins from many addresses. Log in"
                " from a device you have used before, or ask an administrator to reset your"
                " password."
            )
        )
    if not valid or user is None:
        _record_failure(session, name, address, user, limits)
        raise LoginRefused(_("The user name or password is wrong."))
    if not user.active:
        security.record(
            session,
            kind=EventKind.LOGIN,
            outcome=Outcome.REFUSED,
            actor=user,
            data={"reason": "disabled"},
        )
        raise LoginRefused(_("This account is disabled. Ask an administrator to enable it."))
    if throttles[0] is not None:
        session.delete(throttles[0])
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    security.record(session, kind=EventKind.LOGIN, actor=user)
    session.flush()
    return user


def _home_of(session: Session, name: str) -> dict:
    """The park or region of the account with this name, for the log (none when unknown)."""
    row = session.exec(select(User.park_id, User.region_id).where(User.username == name)).first()
    return {"park_id": row[0], "region_id": row[1]} if row else {}


def _locked_here(session: Session, user: User, address: str, now) -> bool:
    """True when the account is locked and this address is not one it logged in from."""
    throttle = session.get(LoginThrottle, f"user:{user.username}")
    if throttle is None or throttle.locked_until is None or throttle.locked_until <= now:
        return False
    return not security_queries.has_logged_in_from(session, user.id, address)


def _bump(session: Session, key: str, now, window: timedelta) -> LoginThrottle:
    """Count one more failure under `key`, starting afresh when the last ones are old."""
    throttle = session.get(LoginThrottle, key, with_for_update=True)
    if throttle is None:
        throttle = LoginThrottle(key=key, failures=0, first_failure_at=now)
        session.add(throttle)
    elif now - throttle.first_failure_at > window:
        throttle.failures, throttle.first_failure_at, throttle.locked_until = 0, now, None
        throttle.addresses = "[]"
    throttle.failures += 1
    return throttle


def _delay(throttle: LoginThrottle, free: int, limits: LoginLimits, now) -> None:
    """Past the free failures, each further one makes the next try wait twice as long."""
    over = throttle.failures - free
    if over > 0:
        seconds = min(limits.max_delay_seconds, 2 ** min(over, 20))
        throttle.locked_until = now + timedelta(seconds=seconds)


def _record_failure(
    session: Session, name: str, address: str, user: User | None, limits: LoginLimits
) -> None:
    now = clock.now()
    window = timedelta(minutes=limits.window_minutes)
    _delay(_bump(session, f"pair:{name}|{address}", now, window), limits.free_failures, limits, now)
    _delay(_bump(session, f"ip:{address}", now, window), limits.address_free_failures, limits, now)
    security.record(
        session,
        kind=EventKind.LOGIN_FAILED,
        outcome=Outcome.FAILED,
        actor=user,
        username=name,
        data={"known_user": user is not None},
    )
    if user is not None:
        account = _bump(session, f"user:{name}", now, window)
        addresses = json.loads(account.addresses or "[]")
        if address not in addresses and len(addresses) < 64:
            addresses.append(address)
            account.addresses = json.dumps(addresses)
        already = account.locked_until is not None and account.locked_until > now
        if (
            not already
            and account.failures >= limits.lock_failures
            and len(addresses) >= limits.lock_addresses
        ):
            account.locked_until = now + window
            security.record(
                session,
                kind=EventKind.ACCOUNT_LOCKED,
                outcome=Outcome.REFUSED,
                actor=user,
                data={"failures": account.failures, "addresses": len(addresses)},
            )
            _tell_admins_of_lock(session, user, account.failures, len(addresses))
    session.flush()


def _tell_admins_of_lock(session: Session, user: User, failures: int, addresses: int) -> None:
    """Tell the admins where the user works that the account was locked."""
    where = User.park_id == user.park_id if user.park_id else User.region_id == user.region_id
    admins = list(
        session.exec(select(User).where(User.role == Role.ADMIN, User.active.is_(True), where))
    )
    notify(
        session,
        admins,
        kind="account_locked",
        key=f"{user.id}:{clock.now():%Y%m%d%H%M}",
        params={"user": user.username, "failures": failures, "addresses": addresses},
        park_id=user.park_id,
    )


def password_min_length(session: Session, user: User) -> int:
    """The policy's minimum length where the user works (the park's setting)."""
    park = session.get(Park, user.park_id) if user.park_id else None
    return max(MIN_LENGTH, park.password_min_length if park else MIN_LENGTH)


def check_password_rules(
    password: str, *, username: str = "", min_length: int = MIN_LENGTH, chosen: bool = False
) -> None:
    """Refuse a password that is too short or is the user name; one the user chooses must
    not be a common password either."""
    if len(password) < min_length:
        raise DomainError(
            ngettext(
                "The password must have at least %(num)d character.",
                "The password must have at least %(num)d characters.",
                min_length,
            )
        )
    name = normalise_username(username)
    if name and (password.lower() == name or (len(name) >= 3 and name in password.lower())):
        raise DomainError(_("The password must not contain the user name."))
    if chosen and is_common(password):
        raise DomainError(
            _("This password is among the most common ones and easily guessed. Choose another.")
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
    actor: User | None = None,
    via: str | None = None,
) -> User:
    """Create an account; an enterprise user must name its enterprise, no one else may.
    `via` names where an account made without a logged-in actor came from (the command line)."""
    key = normalise_username(username)
    if not key:
        raise DomainError(_("Enter a user name."))
    if session.exec(select(User.id).where(User.username == key)).first() is not None:
        raise DomainError(_("The user name %(name)s is already taken.", name=key))
    check_password_rules(password, username=key)
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
    security.record_about_user(
        session,
        EventKind.USER_CREATED,
        user,
        actor,
        {
            "role": str(role),
            "park_id": park_id,
            "region_id": region_id,
            "enterprise_id": enterprise_id,
            **({"via": via} if via else {}),
        },
    )
    return user


def _clear_failures(session: Session, user: User) -> None:
    session.execute(
        delete(LoginThrottle).where(
            (LoginThrottle.key == f"user:{user.username}")
            | LoginThrottle.key.startswith(f"pair:{user.username}|")
        )
    )


def reset_password(
    session: Session, user: User, *, password: str, actor: User | None = None
) -> None:
    """Set a new password chosen by an admin; the user is asked to change it at next login,
    and every session of theirs ends."""
    check_password_rules(password, username=user.username)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.version += 1
    user.end_other_sessions()
    _clear_failures(session, user)
    security.record_about_user(session, EventKind.PASSWORD_RESET, user, actor, {"by": "admin"})
    session.flush()


def change_own_password(session: Session, user: User, *, current: str, new: str) -> None:
    """Let a user replace their password after proving the current one; their other sessions
    end (the caller logs this one in again)."""
    if not verify_password(user.password_hash, current):
        raise WrongPassword(_("The current password is wrong."))
    _set_chosen_password(session, user, new)
    security.record(session, kind=EventKind.PASSWORD_CHANGED, actor=user)
    session.flush()


def _set_chosen_password(session: Session, user: User, new: str) -> None:
    check_password_rules(
        new,
        username=user.username,
        min_length=password_min_length(session, user),
        chosen=True,
    )
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.version += 1
    user.end_other_sessions()
    _clear_failures(session, user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_reset_link(
    session: Session, user: User, *, hours: int, actor: User | None = None
) -> str:
    """Make a one-time token to choose a new password; earlier unused ones stop working."""
    now = clock.now()
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
            created_by_id=actor.id if actor else None,
        )
    )
    security.record_about_user(
        session, EventKind.RESET_LINK_SENT, user, actor, {"by": "admin" if actor else "email"}
    )
    session.flush()
    return token


def reset_link_user(session: Session, token: str) -> User | None:
    """The user a reset token is for, while it is unused and fresh."""
    found = session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == _token_hash(token[:128]))
    ).first()
    if found is None or found.used_at is not None or found.expires_at <= clock.now():
        return None
    user = session.get(User, found.user_id)
    return user if user is not None and user.active else None


def use_reset_link(session: Session, token: str, *, new: str) -> User:
    """Choose a new password through a reset link, which then stops working."""
    found = session.exec(
        select(PasswordReset)
        .where(PasswordReset.token_hash == _token_hash(token[:128]))
        .with_for_update()
    ).first()
    user = reset_link_user(session, token)
    if found is None or user is None:
        raise DomainError(_("This link has been used or has expired. Ask for a new one."))
    _set_chosen_password(session, user, new)
    found.used_at = clock.now()
    security.record_about_user(session, EventKind.PASSWORD_RESET, user, user, {"by": "link"})
    session.flush()
    return user


def send_reset_link(session: Session, *, username: str, hours: int, link) -> None:
    """E-mail a reset link to the account with this name, when it has an address; nothing
    happens (and nothing tells) when it does not."""
    user = session.exec(
        select(User).where(User.username == normalise_username(username)[:64])
    ).first()
    if user is None or not user.active or not user.email:
        return
    token = create_reset_link(session, user, hours=hours)
    notify(
        session,
        [user],
        kind="password_reset_link",
        key=f"{user.id}:{clock.now():%Y%m%d%H%M%S%f}",
        params={"user": user.username, "link": link(token), "hours": hours},
        park_id=user.park_id,
    )
