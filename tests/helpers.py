"""Helpers the tests of several apps share: where a redirect really lands, the `next=`
values an attacker tries, an email in the outbox."""

from __future__ import annotations

import uuid
from urllib.parse import urljoin, urlsplit

from networking_app.notifications.models import OutgoingEmail

LOGIN_PAGE = "/accounts/login/"

EVIL_NEXT = [
    "//evil.example",
    "///evil.example",
    "https://evil.example/",
    "https:evil.example",
    "https:/evil.example",
    "http://testserver@evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    " //evil.example",
    "\t//evil.example",
    "//evil.example%2F..",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "https%3A%2F%2Fevil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
]


def lands_on(location: str, page: str = LOGIN_PAGE) -> tuple[str, str]:
    """Where a browser goes for this Location header: (scheme, host). Browsers read a
    backslash as a slash and ignore leading blanks and tabs."""
    normalized = location.strip().replace("\t", "").replace("\\", "/")
    target = urlsplit(urljoin(f"http://testserver{page}", normalized))
    return target.scheme, target.hostname or ""


SECRET_BODY = "Private words that only the recipient may read"


def make_email(status: str, *, to="maya@example.com", subject="Thank Maya", **fields):
    key = uuid.uuid4().hex
    return OutgoingEmail.objects.create(
        from_email="rapport@example.edu",
        to=[to],
        subject=subject,
        text=f"{SECRET_BODY} (text)",
        html=f"<p>{SECRET_BODY} (html)</p>",
        message_id=f"<{key}@example.edu>",
        idempotency_key=key,
        status=status,
        **fields,
    )
