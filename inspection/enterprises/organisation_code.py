"""The organisation code (组织机构代码, GB 11714-1997): eight body characters and a check
character. In a unified social credit code it is characters 9-17 (GB 32100-2015); the national
双重预防 interface names an enterprise by it (companyCode)."""

from __future__ import annotations

from flask_babel import gettext as _

from inspection.enterprises.credit_code import normalise

BODY = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def check_character(body: str) -> str:
    """The 9th character computed from the first 8 (11 - weighted sum mod 11; 10 is X)."""
    value = 11 - sum(BODY.index(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def from_credit_code(credit_code: str) -> str:
    """Characters 9-17 of a unified social credit code."""
    return normalise(credit_code)[8:17]


def problem(code: str) -> str | None:
    """Say what is wrong with an organisation code, or None when it is valid."""
    code = normalise(code).replace("-", "")
    if len(code) != 9:
        return _(
            "An organisation code (组织机构代码) has 9 characters; this one has %(count)s.",
            count=len(code),
        )
    if any(c not in BODY for c in code[:8]) or code[8] not in "0123456789X":
        return _(
            "An organisation code (组织机构代码) has 8 digits or capital letters and a check"
            " digit or X. Check for a typing mistake."
        )
    if code[8] != check_character(code[:8]):
        return _(
            "The organisation code's check character (the last one) does not match the first"
            " 8 characters. Copy it again from the registration certificate, or leave the"
            " field empty to take it from the credit code."
        )
    return None
