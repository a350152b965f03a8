"""The inspection a record or photo from a tablet belongs to, if it is still the inspector's."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlmodel import Session

from inspection import clock
from inspection.auth.models import User
from inspection.errors import Conflict
from inspection.errors import Forbidden
from inspection.errors import NotFound
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionInspector
from inspection.inspections.models import InspectionStatus


def inspection_in_hand(session: Session, user: User, inspection_id: int) -> Inspection:
    """The inspection, unless the server took it out of the inspector's hands meanwhile.

    Each refusal is final for the tablet (404, 403, 409): it shows the reason and does not retry.
    """
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise NotFound(_("There is no such inspection. Nothing was changed."), field="inspection")
    if session.get(InspectionInspector, (inspection.id, user.id)) is None:
        raise Forbidden(
            _(
                "The inspection was reassigned on the server: you are no longer on its team, so"
                " this was not added. It stays on this tablet; show it to the inspectors now on"
                " it."
            ),
            field="inspection",
        )
    if inspection.status == InspectionStatus.COMPLETED:
        raise Conflict(
            _(
                "The inspection was completed on the server on %(time)s and its record is locked,"
                " so this was not added.",
                time=clock.local(inspection.completed_at).strftime("%Y-%m-%d %H:%M"),
            ),
            field="inspection",
        )
    return inspection
