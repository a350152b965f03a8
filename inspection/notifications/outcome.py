"""How a send attempt can fail: for now (try again later) or for good (needs a person)."""

from __future__ import annotations


class DeliveryError(Exception):
    """A delivery did not go out; the message says why, for the admins' delivery log."""


class TryAgain(DeliveryError):
    """The server is down, busy or unreachable: retry with back-off."""


class GiveUp(DeliveryError):
    """The server refused the message itself (no such address, a wrong robot secret)."""
