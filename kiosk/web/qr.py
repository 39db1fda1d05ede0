"""The ticket's QR code as SVG, for the kiosk screen: the same track_url the printed ticket carries."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response

from kiosk.office.views import ticket_json
from kiosk.storage import tickets as store
from kiosk.web.common import runtime

bp = Blueprint("qr", __name__)


def qr_svg(content: str) -> str:
    """Return a QR code of ``content`` as one SVG path (error correction M, as on the printed ticket)."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, image_factory=qrcode.image.svg.SvgPathImage
    )
    code.add_data(content)
    code.make(fit=True)
    return code.make_image().to_string(encoding="unicode")


@bp.get("/api/tickets/<token>/qr.svg")
def ticket_qr(token: str):
    """Return the QR code that opens the ticket's phone page (404 for an unknown token)."""
    rt = runtime()
    ticket = ticket_json(rt, store.get_ticket_by_token(rt.db, token))
    # no-store: the kiosk browser keeps no trace of one resident for the next.
    return Response(qr_svg(ticket["track_url"]), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})
