"""The unified social credit code (统一社会信用代码) and its check character, GB 32100-2015."""

from __future__ import annotations

from flask_babel import gettext as _

# The 31 characters the standard uses: digits and capitals without I, O, Z, S and V.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The 18th character computed from the first 17."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    """Upper-case and strip spaces, as people type codes in many ways."""
    return "".join(code.split()).upper()


def problem(code: str) -> str | None:
    """Say what is wrong with a credit code, or None when it is valid."""
    code = normalise(code)
    if len(code) != 18:
        return _(
            "A unified social credit code has 18 characters; this one has %(count)s.",
            count=len(code),
        )
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return _(
            "The code contains %(chars)s, which never appear in a credit code"
            " (the letters I, O, Z, S and V are not used). Check for a typing mistake.",
            chars="、".join(bad),
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return _(
            "The check character (the last one) does not match the first 17 characters."
            " One of the characters was probably mistyped; copy the code from the business"
            " licence again."
        )
    return None
