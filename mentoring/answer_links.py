"""Signed links in a request's email: the volunteer accepts, declines or proposes another time
without signing in first. A link names one request, its volunteer and one answer, and works
while the request waits for that answer (and at most LINK_MAX_AGE): opening it shows a
confirmation page (mail scanners follow links), only its button acts."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from mentoring.models import FlashRequest
from networking_app.notifications.links import absolute

SALT = "rapport.mentoring.request-answer"
LINK_MAX_AGE = 60 * 60 * 24 * 14  # twice a request's lifetime
ANSWERS = ("accept", "decline", "propose")


def answer_link(flash_request: FlashRequest, answer: str) -> str:
    if answer not in ANSWERS:
        raise ValueError(answer)
    data = {"r": flash_request.pk, "v": flash_request.volunteer_id, "a": answer}
    token = signing.dumps(data, salt=SALT, compress=True)
    return absolute(reverse("mentoring:request_answer", args=[token]))


def read_answer_token(token: str) -> tuple[int, int, str]:
    """(request id, volunteer id, answer); raises signing.BadSignature (or SignatureExpired)."""
    data = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    if not isinstance(data, dict) or data.get("a") not in ANSWERS or "r" not in data:
        raise signing.BadSignature("Malformed")
    return int(data["r"]), int(data["v"]), data["a"]
