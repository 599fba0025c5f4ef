# allauth finds a provider's URLs beside it: the SAML provider's own.
from allauth.socialaccount.providers.saml.urls import urlpatterns

__all__ = ["urlpatterns"]
