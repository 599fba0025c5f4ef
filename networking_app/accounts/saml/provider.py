"""allauth's SAML provider, keeping what the assertion says of how the person authenticated
(its AuthnContextClassRef values) beside the attributes, so that networking_app.accounts.sso
can tell a sign-in the IdP did with a second factor (the REFEDS MFA profile)."""

from __future__ import annotations

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.helpers import render_authentication_error
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from django.core.exceptions import PermissionDenied

AUTHN_CONTEXTS = "rapport:authn_contexts"


class SchoolSAMLProvider(SAMLProvider):
    def extract_extra_data(self, data):
        extra = dict(data.get_attributes())
        extra[AUTHN_CONTEXTS] = list(data.get_last_authn_contexts() or [])
        return extra

    def unstash_redirect_state(self, request, state_id):
        """A response answers one AuthnRequest of this browser, once: one that answers none
        (replayed, or another browser's) gets the sign-in error page, not a bare 403."""
        try:
            return super().unstash_redirect_state(request, state_id)
        except PermissionDenied:
            raise ImmediateHttpResponse(
                render_authentication_error(
                    request,
                    self,
                    extra_context={
                        "saml_last_error_reason": "the response answers no pending request "
                        "of this browser (replayed or stale)"
                    },
                )
            ) from None


provider_classes = [SchoolSAMLProvider]
