"""Hazard pages, one module per job, all on the `hazards` blueprint: the list and register
(`lists`), one hazard (`detail`), photos uploaded for a step (`photos`), the enterprise's steps
(`rectification`), the decisions of inspectors and supervisors (`review`) and the notices
(`notices`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("hazards", __name__)

# The modules add their routes to `bp` when imported.
from inspection.hazards.views import detail  # noqa: E402
from inspection.hazards.views import lists  # noqa: E402
from inspection.hazards.views import notices  # noqa: E402
from inspection.hazards.views import photos  # noqa: E402
from inspection.hazards.views import rectification  # noqa: E402
from inspection.hazards.views import review  # noqa: E402

__all__ = ["bp", "detail", "lists", "notices", "photos", "rectification", "review"]
