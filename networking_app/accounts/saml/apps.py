from django.apps import AppConfig


class SAMLConfig(AppConfig):
    name = "networking_app.accounts.saml"
    label = "rapport_saml"
    verbose_name = "Single sign-on (SAML)"
