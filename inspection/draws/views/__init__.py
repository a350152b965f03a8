"""双随机 pages, one module per job, all on the `draws` blueprint: the item list and the two
directories (`directories`), the annual plan (`plan`), tasks, draws, adjustments and results
(`tasks`), and the public pages that need no login (`public`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("draws", __name__)

# The modules add their routes to `bp` when imported.
from inspection.draws.views import directories  # noqa: E402
from inspection.draws.views import plan  # noqa: E402
from inspection.draws.views import public  # noqa: E402
from inspection.draws.views import tasks  # noqa: E402

__all__ = ["bp", "directories", "plan", "public", "tasks"]


@bp.context_processor
def draw_labels() -> dict:
    """Labels the draw pages show for stored codes."""
    from inspection.draws.labels import LABELS

    return LABELS
