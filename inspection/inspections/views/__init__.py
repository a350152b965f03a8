"""Inspection pages, one module per job, all on the `inspections` blueprint: the lists
(`lists`), one visit (`visit`), answering checklists (`answering`), logging hazards
(`hazard_form`), photos (`photos`) and signing and completing (`signing`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inspections", __name__)

# The modules add their routes to `bp` when imported.
from inspection.inspections.views import answering  # noqa: E402
from inspection.inspections.views import hazard_form  # noqa: E402
from inspection.inspections.views import lists  # noqa: E402
from inspection.inspections.views import photos  # noqa: E402
from inspection.inspections.views import signing  # noqa: E402
from inspection.inspections.views import visit  # noqa: E402

__all__ = ["answering", "bp", "hazard_form", "lists", "photos", "signing", "visit"]
