from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from networking_app.accounts.selectors import user_has_mfa


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


def staff_required(view):
    """Career-office staff who have set up TOTP; the others are sent to set it up first."""

    @wraps(view)
    @role_required("staff")
    def wrapper(request, *args, **kwargs):
        if not user_has_mfa(request.user):
            messages.warning(
                request,
                "Staff pages need two-factor authentication: set up an authenticator app to "
                "continue (you may be asked to confirm your password first).",
            )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_activate_totp')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper
