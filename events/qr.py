"""Check-in QR codes: each RSVP's code encodes the staff check-in page of its event with the
RSVP's secret, so scanning it (a phone camera or a hardware scanner) opens the same page."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from django.urls import reverse

from events.models import RSVP
from networking_app.notifications import links


def check_in_url(rsvp: RSVP) -> str:
    path = reverse("events:check_in", kwargs={"event_id": rsvp.event_id})
    return links.absolute(f"{path}?{urlencode({'code': rsvp.check_in_code})}")


@dataclass(frozen=True)
class QrCode:
    """A QR code for templates/events/_qr_code.html: its side in modules (the quiet zone
    included) and its dark modules as SVG path data, one horizontal run per "M x y h n"."""

    modules: int
    path: str
    scale: int = 4

    @property
    def pixels(self) -> int:
        return self.modules * self.scale


def qr_code(data: str) -> QrCode:
    rows = list(segno.make(data, error="m").matrix_iter(scale=1, border=2))
    runs = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            # A stroke one module wide along the middle of the row.
            runs.append(f"M{start} {y}.5h{x - start}")
    return QrCode(modules=len(rows), path="".join(runs))
