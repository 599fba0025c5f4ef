"""Single sign-on through the school's identity provider, configured from the environment
(docs/operations.md, "Single sign-on"; any variable may be given as NAME_FILE, a path to read
it from, for certificates and secrets): SAML 2.0 (Shibboleth, Azure AD / Entra ID, Okta...) with
allauth's SAML provider, and OpenID Connect with allauth's `openid_connect` provider. Either,
both or neither: with neither set, Rapport signs people in with their email and password only.

What decides the role is read by networking_app.accounts.sso from the attributes named here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from networking_app.settings.env import Env

# eduPerson (https://refeds.org/eduperson): the attributes Shibboleth and most campus IdPs send.
EDUPERSON_AFFILIATION = "urn:oid:1.3.6.1.4.1.5923.1.1.1.1"
EDUPERSON_SCOPED_AFFILIATION = "urn:oid:1.3.6.1.4.1.5923.1.1.1.9"
IS_MEMBER_OF = "urn:oid:1.3.6.1.4.1.5923.1.5.1.1"
MAIL = "urn:oid:0.9.2342.19200300.100.1.3"
GIVEN_NAME = "urn:oid:2.5.4.42"
SURNAME = "urn:oid:2.5.4.4"
DISPLAY_NAME = "urn:oid:2.16.840.1.113730.3.1.241"
# Azure AD / Entra ID's claim names for the same.
AZURE_EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
AZURE_GIVEN_NAME = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
AZURE_SURNAME = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"
AZURE_DISPLAY_NAME = "http://schemas.microsoft.com/identity/claims/displayname"
AZURE_GROUPS = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"

SAML_SLUG_DEFAULT = "school"
OIDC_ID_DEFAULT = "school-oidc"


def _names(env: Env, name: str, default: list[str]) -> list[str]:
    return env.list(name, default) or default


def saml_app(env: Env, *, school_name: str, email_domains: list[str]) -> dict | None:
    entity_id = env.str("SAML_IDP_ENTITY_ID", "")
    metadata_url = env.str("SAML_IDP_METADATA_URL", "")
    if not entity_id:
        return None
    idp: dict = {"entity_id": entity_id}
    if metadata_url:
        idp["metadata_url"] = metadata_url
    else:
        idp["sso_url"] = env.str("SAML_IDP_SSO_URL")
        idp["x509cert"] = env.str("SAML_IDP_X509CERT", "")
        slo_url = env.str("SAML_IDP_SLO_URL", "")
        if slo_url:
            idp["slo_url"] = slo_url
    advanced = {
        # Every assertion must be signed by the IdP, for this SP, within its validity window;
        # an unsolicited (IdP-initiated) response is refused, and a response answers one
        # AuthnRequest of this browser only once.
        "strict": True,
        "want_assertion_signed": True,
        "want_attribute_statement": True,
        "reject_idp_initiated_sso": True,
        "reject_deprecated_algorithm": True,
    }
    sp_cert = env.str("SAML_SP_X509CERT", "")
    sp_key = env.str("SAML_SP_PRIVATE_KEY", "")
    if sp_cert and sp_key:
        advanced |= {"x509cert": sp_cert, "private_key": sp_key, "authn_request_signed": True}
    app = {
        "name": env.str("SAML_NAME", f"{school_name} sign-in"),
        "provider_id": "saml",
        "client_id": env.str("SAML_SLUG", SAML_SLUG_DEFAULT),
        "settings": {
            "idp": idp,
            "advanced": advanced,
            # The school's IdP vouches for its own addresses (an existing account with the
            # same verified address is signed in and linked, not duplicated).
            "verified_email": email_domains or True,
            "attribute_mapping": {
                "uid": _names(
                    env, "SAML_ATTRIBUTE_UID", ["urn:oasis:names:tc:SAML:attribute:subject-id"]
                ),
                "email": _names(env, "SAML_ATTRIBUTE_EMAIL", [MAIL, AZURE_EMAIL]),
                "first_name": _names(
                    env, "SAML_ATTRIBUTE_GIVEN_NAME", [GIVEN_NAME, AZURE_GIVEN_NAME]
                ),
                "last_name": _names(env, "SAML_ATTRIBUTE_SURNAME", [SURNAME, AZURE_SURNAME]),
            },
        },
    }
    entity = env.str("SAML_SP_ENTITY_ID", "")
    if entity:
        app["settings"]["sp"] = {"entity_id": entity}
    return app


def oidc_app(env: Env, *, school_name: str, email_domains: list[str]) -> dict | None:
    server_url = env.str("OIDC_SERVER_URL", "")
    if not server_url:
        return None
    return {
        "name": env.str("OIDC_NAME", f"{school_name} sign-in"),
        "provider_id": env.str("OIDC_PROVIDER_ID", OIDC_ID_DEFAULT),
        "client_id": env.str("OIDC_CLIENT_ID"),
        "secret": env.str("OIDC_CLIENT_SECRET", ""),
        "settings": {
            "server_url": server_url,
            "oauth_pkce_enabled": True,
            "verified_email": email_domains or True,
            "scope": env.list("OIDC_SCOPES", ["openid", "profile", "email"]),
        },
    }


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def form_action_sources(providers: dict, extra: list[str]) -> list[str]:
    """Where the login page's "Continue" form may lead: the Content Security Policy's
    form-action also governs the redirect that follows the POST, so the IdP's sign-in page
    must be named (SSO_FORM_ACTION adds any other, e.g. an IdP known by its metadata only)."""
    sources = list(extra)
    for app in providers.get("saml", {}).get("APPS", []):
        sources.append(_origin(app["settings"]["idp"].get("sso_url", "")))
    for app in providers.get("openid_connect", {}).get("APPS", []):
        sources.append(_origin(app["settings"]["server_url"]))
    return [s for s in dict.fromkeys(sources) if s]


def sso_settings(env: Env, *, school_name: str, email_domains: list[str]) -> dict:
    """The settings module's SSO part: SOCIALACCOUNT_PROVIDERS and how attributes map."""
    saml = saml_app(env, school_name=school_name, email_domains=email_domains)
    oidc = oidc_app(env, school_name=school_name, email_domains=email_domains)
    providers: dict = {}
    if saml:
        providers["saml"] = {"APPS": [saml]}
    if oidc:
        providers["openid_connect"] = {"APPS": [oidc]}
    return {
        "SOCIALACCOUNT_PROVIDERS": providers,
        "SSO_FORM_ACTION": form_action_sources(providers, env.list("SSO_FORM_ACTION", [])),
        # What decides the role (networking_app.accounts.sso.role_for).
        "SSO_AFFILIATION_ATTRIBUTES": _names(
            env,
            "SSO_AFFILIATION_ATTRIBUTES",
            [
                EDUPERSON_SCOPED_AFFILIATION,
                EDUPERSON_AFFILIATION,
                "eduperson_scoped_affiliation",
                "eduperson_affiliation",
            ],
        ),
        "SSO_GROUP_ATTRIBUTES": _names(
            env, "SSO_GROUP_ATTRIBUTES", [IS_MEMBER_OF, AZURE_GROUPS, "groups"]
        ),
        "SSO_DISPLAY_NAME_ATTRIBUTES": _names(
            env, "SSO_DISPLAY_NAME_ATTRIBUTES", [DISPLAY_NAME, AZURE_DISPLAY_NAME, "name"]
        ),
        "SSO_CLASS_YEAR_ATTRIBUTES": env.list("SSO_CLASS_YEAR_ATTRIBUTES", []),
        "SSO_MAJOR_ATTRIBUTES": env.list("SSO_MAJOR_ATTRIBUTES", []),
        "SSO_STUDENT_AFFILIATIONS": [
            a.lower() for a in _names(env, "SSO_STUDENT_AFFILIATIONS", ["student"])
        ],
        # Separated by ";": a group may be an LDAP DN, which holds commas.
        "SSO_STAFF_GROUPS": [
            g.strip() for g in env.str("SSO_STAFF_GROUPS", "").split(";") if g.strip()
        ],
        # Off: students sign up through single sign-on only (volunteers keep email sign-up).
        "SSO_STUDENT_PASSWORD_SIGNUP": env.bool("SSO_STUDENT_PASSWORD_SIGNUP", True),
    }
