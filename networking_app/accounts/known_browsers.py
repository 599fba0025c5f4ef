"""Browsers that have signed in to an account before (docs/operations.md, "Failed logins").

After a successful login the browser gets a signed cookie naming, as keyed hashes, the
accounts it signed in to (the last few). Failed logins from a browser that holds one for the
account do not count against the account's ceiling, so a stranger guessing from many
addresses cannot lock the owner out of the browser they always use.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

KNOWN_BROWSER_COOKIE = "rapport_known_browser"
KNOWN_BROWSER_SALT = "rapport.accounts.known_browser"
KNOWN_BROWSER_MAX_AGE = 60 * 60 * 24 * 180
# A shared computer may be used by several people; the oldest drop out.
KNOWN_ACCOUNTS_KEPT = 5


def _account_tag(email: str) -> str:
    # Keyed, so the cookie neither shows the address nor can be made up for another one.
    return salted_hmac(KNOWN_BROWSER_SALT, email.strip().lower()).hexdigest()[:32]


def _known_tags(request: HttpRequest) -> list[str]:
    value = request.get_signed_cookie(
        KNOWN_BROWSER_COOKIE, default="", salt=KNOWN_BROWSER_SALT, max_age=KNOWN_BROWSER_MAX_AGE
    )
    return [tag for tag in value.split(".") if tag]


def browser_knows_account(request: HttpRequest, email: str) -> bool:
    """True when this browser has signed in to the account with this address before."""
    return bool(email) and _account_tag(email) in _known_tags(request)


def remember_browser(request: HttpRequest, response: HttpResponse, email: str) -> None:
    """Mark this browser as one the account signed in from (on a successful login)."""
    tag = _account_tag(email)
    tags = [tag, *(t for t in _known_tags(request) if t != tag)][:KNOWN_ACCOUNTS_KEPT]
    response.set_signed_cookie(
        KNOWN_BROWSER_COOKIE,
        ".".join(tags),
        salt=KNOWN_BROWSER_SALT,
        max_age=KNOWN_BROWSER_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
