"""Check-in QR codes: each RSVP's code encodes the staff check-in page of its event with the
RSVP's secret, so scanning it (a phone camera or a hardware scanner) opens the same page."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.urls import reverse

from events.models import RSVP
from networking_app.notifications import links


def check_in_url(rsvp: RSVP) -> str:
    path = reverse("events:check_in", kwargs={"event_id": rsvp.event_id})
    return links.absolute(f"{path}?{urlencode({'code': rsvp.check_in_code})}")


def qr_svg(data: str) -> str:
    """An inline SVG for the page: presentation attributes only, no style attribute (CSP)."""
    return segno.make(data, error="m").svg_inline(
        scale=4, border=2, svgclass="qr-code", lineclass=None, title="Your check-in code"
    )
