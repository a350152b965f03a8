"""Checklist pages on the `checklists` blueprint: the library (`browse`) and the editor
(`editor`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("checklists", __name__, url_prefix="/checklists")

# The modules add their routes to `bp` when imported.
from inspection.checklists.views import browse  # noqa: E402
from inspection.checklists.views import editor  # noqa: E402

__all__ = ["bp", "browse", "editor"]
