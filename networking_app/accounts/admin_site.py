from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from networking_app.accounts.selectors import user_has_staff_access
from networking_app.accounts.sso import idp_second_factor_session


class RapportAdminSite(admin.AdminSite):
    """The Django admin, reachable only by career-office staff who have set up MFA.

    Its login form is replaced by allauth's, so the admin shares the same rate limits,
    email verification and second factor as the rest of the app.
    """

    site_header = "Rapport administration"
    site_title = "Rapport admin"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return super().has_permission(request) and (
            user_has_staff_access(user)
            or (user.is_staff_member and idp_second_factor_session(request))
        )

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next") or reverse("admin:index")
        if request.user.is_authenticated:
            if not request.user.is_staff_member:
                raise PermissionDenied
            # A staff member without a second factor: set it up, then come back.
            query = urlencode({"next": next_url})
            return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{query}")
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
