import time
from functools import wraps
from urllib.parse import urlencode

from allauth.account import app_settings as allauth_account_settings
from allauth.account.authentication import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from networking_app.accounts.selectors import user_has_mfa
from networking_app.accounts.sso import idp_second_factor_recent, idp_second_factor_session


def role_required(*roles: str):
    """Signed-in users of the given roles only: anonymous visitors go to the login page,
    other roles get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def student_required(view):
    """A student's private pages: everyone else gets a plain 404, as if nothing were there."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_student:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def network_required(view):
    """A student's private network (contacts, conversations, notes, imports): theirs alone, and
    still theirs after they become a volunteer as alumni (User.keeps_network); everyone else
    gets a plain 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.keeps_network:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view):
    """Career-office staff who have set up TOTP; the others are sent to set it up first."""

    @wraps(view)
    @role_required("staff")
    def wrapper(request, *args, **kwargs):
        if not user_has_mfa(request.user) and not idp_second_factor_session(request):
            messages.warning(
                request,
                _(
                    "Staff pages need two-factor authentication: set up an authenticator app "
                    "to continue (you may be asked to confirm your password first)."
                ),
            )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_activate_totp')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper


def second_factor_confirmed_recently(request) -> bool:
    """Did this session enter a second-factor code (at sign-in or to reauthenticate) less than
    ACCOUNT_REAUTHENTICATION_TIMEOUT ago? Read from allauth's own record of the session's
    authentications; a password alone does not count."""
    window = allauth_account_settings.REAUTHENTICATION_TIMEOUT
    now = time.time()
    return idp_second_factor_recent(request) or any(
        record.get("method") == "mfa" and now - float(record.get("at", 0)) < window
        for record in get_authentication_records(request, request.user)
    )


def staff_reauthentication_required(view=None, *, allow_get: bool = False):
    """Staff actions that grant power or reach many people (adding staff, approving
    volunteers, publishing a round, bulk email, exports of personal data): staff confirm with
    their authenticator first, if they have not in the last few minutes. Use inside
    @staff_required, so only staff with TOTP get here.

    allauth does the rest (its AccountMiddleware catches ReauthenticationRequired): it keeps
    the POST, sends staff to the TOTP page (AccountAdapter lists it first for staff) and
    replays the POST once the code is right.

    A POST the page's own script sent (htmx, fetch: Sec-Fetch-Mode other than "navigate") is
    refused outright: none of these actions is an htmx form, so such a request can only come
    from markup that should not be there, and it must neither run nor wait for a code."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if request.method == "GET" and allow_get:
                return view_func(request, *args, **kwargs)
            mode = request.headers.get("Sec-Fetch-Mode", "navigate")
            if request.method == "POST" and mode != "navigate":
                raise PermissionDenied("Use the page's own button for this action.")
            if not second_factor_confirmed_recently(request):
                if idp_second_factor_session(request) and not user_has_mfa(request.user):
                    # Their second factor is the IdP's: they confirm by signing in again.
                    messages.info(request, _("Sign in again through your university to confirm."))
                    query = urlencode({"next": request.get_full_path()})
                    return redirect(f"{reverse('account_login')}?{query}")
                raise ReauthenticationRequired()
            return view_func(request, *args, **kwargs)

        return wrapper

    if view is not None:
        return decorator(view)
    return decorator
