"""Password hashing with Argon2id."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 8
_reused: ContextVar[dict[str, str] | None] = ContextVar("reused_hashes", default=None)


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    reused = _reused.get()
    if reused is None:
        return _hasher.hash(password)
    if password not in reused:
        reused[password] = _hasher.hash(password)
    return reused[password]


@contextmanager
def one_hash_per_password() -> Iterator[None]:
    """Within this block, accounts given the same password share its first hash (salt
    included). Only for accounts made in bulk with a password everyone knows anyway, such as
    the demo's: a full-cost Argon2 hash per demo account made `make run` wait a minute."""
    token = _reused.set({})
    try:
        yield
    finally:
        _reused.reset(token)


def verify_password(stored_hash: str, password: str) -> bool:
    """Check a password against its stored hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)


@cache
def dummy_hash() -> str:
    """Verified against when the user name is unknown, so both paths take the same time. Made
    on the first failed login rather than at import (an Argon2 hash costs every process a
    tenth of a second at start)."""
    return _hasher.hash("not-a-real-password")


@cache
def common_passwords() -> frozenset[str]:
    """The passwords guessing tries first (lower case)."""
    text = (Path(__file__).parent / "common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def is_common(password: str) -> bool:
    """True for a password on the common list (ignoring case)."""
    return password.lower() in common_passwords()
