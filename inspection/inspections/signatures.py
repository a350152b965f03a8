"""Signatures drawn on the screen at the end of an inspection, kept as images."""

from __future__ import annotations

import base64
import binascii
import io

from flask_babel import gettext as _
from PIL import Image
from PIL import UnidentifiedImageError
from sqlmodel import Session
from sqlmodel import select

from inspection.auth.models import User
from inspection.errors import DomainError
from inspection.errors import Forbidden
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionInspector
from inspection.inspections.models import InspectionStatus
from inspection.inspections.models import Signature
from inspection.inspections.models import SignerRole
from inspection.inspections.services import team_ids
from inspection.storage import content

MAX_BYTES = 500_000


def decode_signature(data_url: str) -> bytes:
    """The PNG behind a canvas data URL, refusing anything else and blank pads."""
    prefix = "data:image/png;base64,"
    if not (data_url or "").startswith(prefix):
        raise DomainError(_("The signature did not arrive. Sign in the box again."))
    try:
        data = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError) as error:
        raise DomainError(_("The signature did not arrive. Sign in the box again.")) from error
    if len(data) > MAX_BYTES:
        raise DomainError(_("The signature is too large. Clear the box and sign again."))
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()
            extrema = image.convert("L").getextrema()
            alpha = image.getchannel("A").getextrema() if "A" in image.getbands() else (255, 255)
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise DomainError(_("The signature did not arrive. Sign in the box again.")) from error
    if extrema[0] == extrema[1] or alpha[1] == 0:
        raise DomainError(_("The signature box is empty. Sign with a finger or stylus."))
    return data


def sign(
    session: Session,
    *,
    inspection: Inspection,
    actor: User,
    role: str,
    signer_user_id: int | None,
    signer_name: str | None,
    image: bytes,
) -> Signature:
    """Record one signature: an inspector of the team, or the enterprise's representative."""
    if session.get(InspectionInspector, (inspection.id, actor.id)) is None:
        raise Forbidden(_("You are not on this inspection's team."))
    session.refresh(inspection, with_for_update=True)
    if inspection.status == InspectionStatus.COMPLETED:
        raise DomainError(_("This inspection is completed and locked; it cannot be signed again."))
    if role == SignerRole.INSPECTOR:
        if signer_user_id not in team_ids(session, inspection.id):
            raise DomainError(_("Choose the inspector who is signing."))
        signer_name = session.get(User, signer_user_id).display_name
    elif role == SignerRole.ENTERPRISE:
        signer_name = (signer_name or "").strip()
        signer_user_id = None
        if not signer_name:
            raise DomainError(_("Write the name of the enterprise's representative."))
    else:
        raise DomainError(_("Choose who is signing."))
    existing = session.exec(
        select(Signature).where(
            Signature.inspection_id == inspection.id,
            Signature.role == role,
            Signature.user_id == signer_user_id
            if signer_user_id is not None
            else Signature.user_id.is_(None),
        )
    ).first()
    if existing is not None:
        session.delete(existing)
    signature = Signature(
        inspection_id=inspection.id,
        role=role,
        user_id=signer_user_id,
        signer_name=signer_name[:64],
        sha256=content().put(image),
        recorded_by_id=actor.id,
    )
    session.add(signature)
    session.flush()
    return signature


def signatures_of(session: Session, inspection_id: int) -> list[Signature]:
    """An inspection's signatures, inspectors first."""
    return list(
        session.exec(
            select(Signature)
            .where(Signature.inspection_id == inspection_id)
            .order_by(Signature.role.desc(), Signature.signed_at)
        )
    )
