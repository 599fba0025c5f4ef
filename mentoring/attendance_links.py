"""One-click answers to "did your session happen?" from the email after it (signed, no
sign-in; mentoring.views.sessions.session_attendance records them through
mentoring.services.attendance)."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from mentoring.models import Session
from networking_app.notifications.links import absolute

HELD, NO_SHOW = "held", "no_show"
SALT = "mentoring.attendance"
LINK_MAX_AGE = 14 * 24 * 3600


def attendance_link(session: Session, user, answer: str) -> str:
    token = signing.dumps({"s": session.pk, "u": user.pk, "a": answer}, salt=SALT, compress=True)
    return absolute(reverse("mentoring:session_attendance", args=[token]))


def read_attendance_token(token: str) -> tuple[int, int, str]:
    data = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    if not isinstance(data, dict) or data.get("a") not in (HELD, NO_SHOW):
        raise signing.BadSignature("Malformed")
    return int(data["s"]), int(data["u"]), data["a"]
