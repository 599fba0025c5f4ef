"""Signing in through the school's identity provider (settings/sso.py): who may, with which
role, and the second factor.

- The role comes from the attributes: a group of SSO_STAFF_GROUPS makes staff, an affiliation
  of SSO_STUDENT_AFFILIATIONS (eduPersonAffiliation, or eduPersonScopedAffiliation without its
  "@scope") a student. Anyone else is refused with a clear page: volunteers (alumni, parents,
  friends) sign up with their email address.
- A first sign-in creates the account with its name, email and, where sent, class year and
  major; an account with the same verified address is signed in and linked, not duplicated
  (SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT).
- Staff still need a second factor: their authenticator app, unless the IdP asserts it did one
  (the REFEDS MFA profile: an AuthnContextClassRef for SAML, `acr` or `amr` for OpenID
  Connect). Such a sign-in is recorded in the session (`idp_second_factor_at`) and counts as
  the second factor for REAUTHENTICATION_TIMEOUT, like a code typed at sign-in.
"""

from __future__ import annotations

import logging
import time

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext

from networking_app.accounts.models import Role, User
from networking_app.accounts.saml.provider import AUTHN_CONTEXTS
from networking_app.accounts.services import profile_create_for_role

logger = logging.getLogger("rapport.sso")

REFEDS_MFA = "https://refeds.org/profile/mfa"
IDP_SECOND_FACTOR_AT = "rapport_idp_second_factor_at"


def _values(data: dict, names: list[str]) -> list[str]:
    """Every value of the first of `names` that `data` holds (SAML gives lists, OIDC scalars
    or lists)."""
    for name in names:
        value = data.get(name)
        if value in (None, "", []):
            continue
        return [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
    return []


def assertion_data(sociallogin) -> dict:
    """The attributes or claims as one flat mapping: SAML's attributes, or OpenID Connect's
    userinfo over its ID token's claims."""
    extra = sociallogin.account.extra_data or {}
    if "id_token" in extra or "userinfo" in extra:
        return {**(extra.get("id_token") or {}), **(extra.get("userinfo") or {})}
    return extra


def role_for(data: dict) -> str | None:
    groups = set(_values(data, settings.SSO_GROUP_ATTRIBUTES))
    if groups & set(settings.SSO_STAFF_GROUPS):
        return Role.STAFF
    affiliations = {
        value.split("@", 1)[0].strip().lower()
        for value in _values(data, settings.SSO_AFFILIATION_ATTRIBUTES)
    }
    if affiliations & set(settings.SSO_STUDENT_AFFILIATIONS):
        return Role.STUDENT
    return None


def asserted_second_factor(data: dict) -> bool:
    contexts = set(_values(data, [AUTHN_CONTEXTS, "acr"]))
    methods = set(_values(data, ["amr"]))
    return REFEDS_MFA in contexts or "mfa" in methods


def idp_second_factor_session(request) -> bool:
    """This session was signed in by an IdP that asserted a second factor."""
    session = getattr(request, "session", None)
    return session is not None and session.get(IDP_SECOND_FACTOR_AT) is not None


def idp_second_factor_recent(request) -> bool:
    at = request.session.get(IDP_SECOND_FACTOR_AT) if hasattr(request, "session") else None
    window = settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
    return at is not None and time.time() - float(at) < window


def _class_year(data: dict) -> int | None:
    for value in _values(data, settings.SSO_CLASS_YEAR_ATTRIBUTES):
        if value.strip().isdigit() and 1900 < int(value) < 2200:
            return int(value)
    return None


def _display_name(data: dict, user: User) -> str:
    [name, *_] = _values(data, settings.SSO_DISPLAY_NAME_ATTRIBUTES) or [""]
    if not name:
        first = " ".join(_values(data, ["first_name", "given_name"])[:1])
        last = " ".join(_values(data, ["last_name", "family_name"])[:1])
        name = f"{first} {last}".strip()
    return (name or user.email.split("@", 1)[0])[:120]


def refusal(request, reason: str, *, status: int = 403):
    return render(request, "socialaccount/refused.html", {"reason": reason}, status=status)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin):
        data = assertion_data(sociallogin)
        provider = sociallogin.account.provider
        if not sociallogin.is_existing and not sociallogin.user.pk:
            role = role_for(data)
            if role is None:
                logger.warning(
                    "SSO sign-in refused: no student affiliation or staff group (provider %s)",
                    provider,
                )
                raise ImmediateHttpResponse(
                    refusal(
                        request,
                        gettext(
                            "Your university account is not a student's or the career "
                            "office's. Volunteers (alumni, parents and friends of the school) "
                            "sign up with their email address instead."
                        ),
                    )
                )
            sociallogin.state["rapport_role"] = role
        if asserted_second_factor(data):
            request.session[IDP_SECOND_FACTOR_AT] = time.time()
        else:
            request.session.pop(IDP_SECOND_FACTOR_AT, None)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        role = sociallogin.state.get("rapport_role") or role_for(assertion_data(sociallogin))
        user.role = role or Role.STUDENT
        user.is_staff = user.role == Role.STAFF
        user.is_superuser = False
        return user

    def save_user(self, request, sociallogin, form=None):
        data = assertion_data(sociallogin)
        with transaction.atomic():
            user = super().save_user(request, sociallogin, form=form)
            majors = _values(data, settings.SSO_MAJOR_ATTRIBUTES)
            profile_create_for_role(
                user=user,
                role=user.role,
                display_name=_display_name(data, user),
                time_zone=settings.DEFAULT_USER_TIME_ZONE,
                class_year=_class_year(data),
                major=majors[0][:120] if majors else "",
            )
        logger.info("SSO account created: user %s as %s", user.pk, user.role)
        return user

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        logger.warning(
            "SSO sign-in failed (%s): %s %s",
            getattr(provider, "id", provider),
            error,
            (extra_context or {}).get("saml_last_error_reason", ""),
        )
        return super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )
